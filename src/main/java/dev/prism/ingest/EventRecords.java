package dev.prism.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.ingest.EventParser.ParsedEvent;

import java.time.Instant;

/**
 * An accepted event as a Kafka record: keyed by project and trace (an event without a trace by its uuid), so a trace's
 * events share a partition and arrive in order; the value is the validated event as JSON, its properties kept as the
 * text capture parsed (not re-serialised). Pure.
 */
final class EventRecords {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    record Decoded(String projectId, ParsedEvent event) {
    }

    private EventRecords() {
    }

    static String key(String projectId, ParsedEvent e) {
        return projectId + "/" + (e.traceId() != null ? e.traceId() : e.uuid());
    }

    static String value(String projectId, ParsedEvent e) {
        ObjectNode o = MAPPER.createObjectNode().put("project_id", projectId).put("uuid", e.uuid()).put("event", e.event())
                .put("distinct_id", e.distinctId()).put("trace_id", e.traceId())
                .put("timestamp", e.timestamp() == null ? null : e.timestamp().toString()).put("properties", e.propertiesJson());
        return o.toString();
    }

    /** @throws IllegalArgumentException for a record Prism did not write (it is skipped, not retried forever) */
    static Decoded decode(String value) {
        JsonNode o;
        try {
            o = MAPPER.readTree(value);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (o == null || !o.path("project_id").isTextual() || !o.path("uuid").isTextual() || !o.path("event").isTextual()
                || !o.path("trace_id").isTextual()) {
            throw new IllegalArgumentException("missing project_id, uuid, event or trace_id");
        }
        String ts = text(o, "timestamp");
        return new Decoded(o.get("project_id").asText(), new ParsedEvent(o.get("uuid").asText(), o.get("event").asText(),
                text(o, "distinct_id"), text(o, "trace_id"), ts == null ? null : Instant.parse(ts), text(o, "properties")));
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
