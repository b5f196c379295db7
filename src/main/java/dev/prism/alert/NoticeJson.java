package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link AlertNotice} as JSON (snake_case, like the rest of the API): how a firing is stored, so a retry after a
 * restart sends the same words, what {@code alert.fired} carries to WebSocket clients, and the body a webhook receiver
 * gets (written field by field, so the wire format is a contract). It names no destination,
 * so it holds no secret. Pure.
 */
public final class NoticeJson {

    /** For the destinations' own JSON (Slack blocks, GraphQL and REST bodies). */
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = RuleParser.MAPPER;

    private NoticeJson() {
    }

    public static ObjectNode write(AlertNotice n) {
        ObjectNode out = RuleParser.MAPPER.createObjectNode().put("project_id", n.projectId()).put("rule_id", n.ruleId())
                .put("rule_name", n.ruleName()).put("theme_id", n.themeId()).put("theme_name", n.themeName())
                .put("cluster_id", n.clusterId()).put("cluster_name", n.clusterName()).put("kind", n.kind())
                .put("lifecycle", n.lifecycle()).put("size", n.size()).put("previous_size", n.previousSize())
                .put("growth_percent", n.growthPercent()).put("severity", n.severity());
        ArrayNode summaries = out.putArray("summaries");
        n.summaries().forEach(summaries::add);
        return out.put("cluster_url", n.clusterUrl()).put("trace_url", n.traceUrl())
                .put("fired_at", n.firedAt() == null ? null : n.firedAt().toString()).put("dedupe_key", n.dedupeKey())
                .put("share_percent", n.sharePercent()).put("previous_share_percent", n.previousSharePercent());
    }

    public static AlertNotice read(JsonNode j) {
        List<String> summaries = new ArrayList<>();
        j.path("summaries").forEach(s -> summaries.add(s.asText()));
        return new AlertNotice(text(j, "project_id"), text(j, "rule_id"), text(j, "rule_name"), text(j, "theme_id"), text(j, "theme_name"),
                text(j, "cluster_id"), text(j, "cluster_name"), text(j, "kind"), text(j, "lifecycle"), j.path("size").asInt(),
                j.hasNonNull("previous_size") ? j.get("previous_size").asInt() : null,
                j.hasNonNull("growth_percent") ? j.get("growth_percent").asDouble() : null, text(j, "severity"), summaries,
                text(j, "cluster_url"), text(j, "trace_url"), j.hasNonNull("fired_at") ? Instant.parse(j.get("fired_at").asText()) : null,
                text(j, "dedupe_key"), j.hasNonNull("share_percent") ? j.get("share_percent").asDouble() : null,
                j.hasNonNull("previous_share_percent") ? j.get("previous_share_percent").asDouble() : null);
    }

    private static String text(JsonNode j, String field) {
        return j.hasNonNull(field) ? j.get(field).asText() : null;
    }
}
