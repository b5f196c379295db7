package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * One OTLP log record, whichever encoding it came in (the logs counterpart of {@link OtlpSpan}).
 *
 * @param traceId   lowercase hex as sent, or empty
 * @param spanId    lowercase hex as sent, or empty
 * @param eventName the record's {@code event_name} field (OTLP 1.5+), else its {@code event.name} attribute, else empty
 * @param timeNanos the record's time, else its observed time
 * @param body      the body as a JSON value (a {@code kvlistValue} is an object), or a null node
 * @param resource  the attributes of the record's resource
 */
record OtlpLog(String traceId, String spanId, String eventName, long timeNanos, JsonNode body, Map<String, JsonNode> attributes,
               Map<String, JsonNode> resource) {

    /** The event name the record carries, from the field the newer SDKs fill or the attribute the older ones set. */
    static String eventName(String field, Map<String, JsonNode> attributes) {
        if (field != null && !field.isBlank()) {
            return field;
        }
        JsonNode attribute = attributes.get("event.name");
        return attribute == null || !attribute.isTextual() ? "" : attribute.asText();
    }
}
