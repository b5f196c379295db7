package dev.prism.bus;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A stored {@code $ai_*} event. {@code properties} is shared, never modified after parsing.
 *
 * @param timestamp the client's time, null when it sent none
 */
public record TraceEvent(String uuid, String event, String distinctId, Instant timestamp, Instant receivedAt, ObjectNode properties) {

    /**
     * A captured event ({@code event, distinct_id, timestamp, uuid, properties}) read leniently, as files and tests hold
     * them: properties that are not an object become empty, an absent uuid becomes {@code uuidIfAbsent}, a timestamp
     * that does not parse becomes null. Ingestion validates strictly instead; this is for rendering offline.
     */
    public static TraceEvent fromCapture(com.fasterxml.jackson.databind.JsonNode e, String uuidIfAbsent, Instant receivedAt) {
        com.fasterxml.jackson.databind.JsonNode props = e.path("properties");
        ObjectNode properties = props.isObject() ? (ObjectNode) props : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        String uuid = e.path("uuid").isTextual() ? e.get("uuid").asText() : uuidIfAbsent;
        String distinctId = e.path("distinct_id").isValueNode() ? e.get("distinct_id").asText() : null;
        Instant timestamp = null;
        if (e.path("timestamp").isTextual()) {
            try {
                timestamp = java.time.OffsetDateTime.parse(e.get("timestamp").asText()).toInstant();
            } catch (java.time.format.DateTimeParseException ignored) {
                // left to the receive time, as ingestion does
            }
        }
        return new TraceEvent(uuid, e.path("event").asText("$ai_event"), distinctId, timestamp, receivedAt, properties);
    }

    /** {@code $ai_is_error} set, as a boolean or as the string SDKs sometimes send ("true"). */
    public boolean flaggedError() {
        com.fasterxml.jackson.databind.JsonNode flag = properties.path("$ai_is_error");
        return flag.asBoolean(false) || "true".equalsIgnoreCase(flag.asText());
    }

    /** A generation's {@code $ai_output_choices} hold something: a non-empty list or object, or non-blank text. */
    public boolean hasOutput() {
        com.fasterxml.jackson.databind.JsonNode out = properties.get("$ai_output_choices");
        return out != null && !out.isNull() && (out.isContainerNode() ? !out.isEmpty() : !out.asText().isBlank());
    }

    /** The client's time, or the server's receive time for events sent without one. */
    public Instant effectiveTime() {
        return timestamp != null ? timestamp : receivedAt;
    }
}
