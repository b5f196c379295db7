package dev.prism.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * The JSON export, shape {@value #SCHEMA} version {@value #VERSION} (README "Export"): stable field names in snake
 * case, every field always present (null when unknown), clusters largest first, members nearest the centroid first.
 * The notebook embeds the same document.
 */
public final class JsonExport {

    public static final String SCHEMA = "prism.theme-export";
    public static final int VERSION = 1;
    static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private JsonExport() {
    }

    public static byte[] render(ThemeReport report) {
        try {
            return dev.prism.common.JsonMapping.PRETTY.writeValueAsBytes(tree(report));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }

    static ObjectNode tree(ThemeReport r) {
        ObjectNode out = MAPPER.createObjectNode().put("schema", SCHEMA).put("version", VERSION)
                .put("generated_at", iso(r.generatedAt())).put("project_id", r.projectId());
        out.putObject("theme").put("id", r.themeId()).put("name", r.themeName()).put("description", r.themeDescription())
                .put("link", r.themeLink());
        out.put("summaries", r.themeSummaries()).put("unassigned", r.unassigned()).put("last_run_at", iso(r.lastRunAt()))
                .put("member_limit", r.memberLimit());
        ArrayNode clusters = out.putArray("clusters");
        for (ThemeReport.ClusterPart c : r.clusters()) {
            ObjectNode o = clusters.addObject().put("id", c.id()).put("title", c.title()).put("description", c.description())
                    .put("size", c.size()).put("share", c.share()).put("lifecycle", c.lifecycle()).put("link", c.link());
            ObjectNode trend = o.putObject("trend").put("last_day", c.lastDay()).put("previous_day", c.previousDay())
                    .put("growth", c.growth());
            ArrayNode daily = trend.putArray("daily");
            c.daily().forEach(d -> daily.addObject().put("date", d.date().toString()).put("count", d.count()));
            o.putObject("metrics").put("error_rate", c.errorRate()).put("distinct_users", c.distinctUsers());
            ArrayNode reps = o.putArray("representatives");
            c.representatives().forEach(m -> reps.add(member(m)));
            ArrayNode members = o.putArray("members");
            c.members().forEach(m -> members.add(member(m)));
            o.put("members_truncated", c.membersTruncated());
        }
        return out;
    }

    private static ObjectNode member(ThemeReport.Member m) {
        return MAPPER.createObjectNode().put("trace_id", m.traceId()).put("trace_version", m.traceVersion()).put("distance", m.distance())
                .put("at", iso(m.at())).put("title", m.title()).put("summary", m.summary()).put("link", m.link());
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
