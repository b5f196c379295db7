package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * One span as OTLP carries it, whichever encoding it came in: the JSON and protobuf readers both produce this, so the
 * mapping to {@code $ai_*} events is written once. Attribute values are Jackson nodes (string, integer, double,
 * boolean, array, object for {@code kvlistValue}), which is what the event properties hold anyway.
 *
 * @param traceId      lowercase hex as sent (validated by the mapper, so a bad id rejects one span, not the request)
 * @param parentSpanId hex, or empty for a root span
 * @param statusCode   0 unset, 1 ok, 2 error
 * @param resource     the attributes of the span's resource ({@code service.name}, {@code user.id}, …)
 */
record OtlpSpan(String traceId, String spanId, String parentSpanId, String name, int kind, long startNanos, long endNanos,
                Map<String, JsonNode> attributes, List<Event> events, int statusCode, String statusMessage,
                Map<String, JsonNode> resource, String scope) {

    static final int STATUS_ERROR = 2;

    /** A span event: {@code exception}, {@code gen_ai.content.prompt}, a per-message {@code gen_ai.user.message}, … */
    record Event(String name, long timeNanos, Map<String, JsonNode> attributes) {
    }
}
