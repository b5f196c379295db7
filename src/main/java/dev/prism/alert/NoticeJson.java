package dev.prism.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An {@link AlertNotice} as the JSON a webhook receiver gets: its fields in snake_case, times as ISO-8601 strings, absent
 * values as null. Written field by field so the wire format is a contract, not a side effect of renaming a record
 * component. Pure.
 */
final class NoticeJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private NoticeJson() {
    }

    static ObjectNode of(AlertNotice n) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", n.kind());
        o.put("project_id", n.projectId());
        o.put("rule_id", n.ruleId());
        o.put("rule_name", n.ruleName());
        o.put("theme_id", n.themeId());
        o.put("theme_name", n.themeName());
        o.put("cluster_id", n.clusterId());
        o.put("cluster_name", n.clusterName());
        o.put("lifecycle", n.lifecycle());
        o.put("size", n.size());
        o.put("previous_size", n.previousSize());
        o.put("growth_percent", n.growthPercent());
        o.put("severity", n.severity());
        ArrayNode summaries = o.putArray("summaries");
        n.summaries().forEach(summaries::add);
        o.put("cluster_url", n.clusterUrl());
        o.put("trace_url", n.traceUrl());
        o.put("fired_at", n.firedAt() == null ? null : n.firedAt().toString());
        o.put("dedupe_key", n.dedupeKey());
        return o;
    }
}
