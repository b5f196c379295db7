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

    /** {@code $ai_is_error} set: JSON true, or as SDKs also send it, "true", "yes", 1. */
    public boolean flaggedError() {
        return flagged(properties.get("$ai_is_error"));
    }

    /** This event failed, by {@link #failed(com.fasterxml.jackson.databind.JsonNode)}. */
    public boolean failed() {
        return failed(properties);
    }

    /**
     * The one definition of a failed event: {@code $ai_is_error} set, a non-empty {@code $ai_error}, or an
     * {@code $ai_http_status} of 400 or more (a number or a numeric string). A trace's {@code error_count}, the
     * {@code ERROR} lines of its text and the analyzers' failures all count by it, so they agree.
     */
    public static boolean failed(com.fasterxml.jackson.databind.JsonNode props) {
        if (props == null || !props.isObject()) {
            return false;
        }
        if (flagged(props.get("$ai_is_error"))) {
            return true;
        }
        com.fasterxml.jackson.databind.JsonNode error = props.get("$ai_error");
        if (error != null && !error.isNull() && !(error.isBoolean() && !error.booleanValue())
                && !(error.isTextual() && error.asText().isBlank()) && !(error.isContainerNode() && error.isEmpty())) {
            return true;
        }
        com.fasterxml.jackson.databind.JsonNode status = props.get("$ai_http_status");
        if (status == null || !(status.isNumber() || status.isTextual() && status.asText().strip().matches("\\d{1,4}(\\.0+)?"))) {
            return false;
        }
        return (status.isNumber() ? status.asDouble() : Double.parseDouble(status.asText().strip())) >= 400;
    }

    private static boolean flagged(com.fasterxml.jackson.databind.JsonNode v) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        String s = v.asText().strip();
        return s.equalsIgnoreCase("true") || s.equalsIgnoreCase("yes") || s.equals("1");
    }

    /** Stop reasons that say a generation stopped to call a tool. */
    private static final java.util.Set<String> TOOL_STOPS = java.util.Set.of("tool_calls", "tool_use", "tool-calls", "function_call");
    /** Content part types that are tool calls: Anthropic, the Vercel AI SDK, OpenAI Responses. */
    private static final java.util.Set<String> TOOL_CALL_TYPES = java.util.Set.of("tool_use", "tool-call", "function_call");

    /**
     * A generation that asked for a tool: a tool stop reason, or a tool call among its output choices in any SDK's
     * shape (OpenAI {@code tool_calls} and {@code function_call}, Gemini {@code functionCall}, typed call parts).
     */
    public boolean callsTool() {
        if (TOOL_STOPS.contains(properties.path("$ai_stop_reason").asText("").toLowerCase(java.util.Locale.ROOT))) {
            return true;
        }
        return holdsToolCall(properties.get("$ai_output_choices"), 0);
    }

    private static boolean holdsToolCall(com.fasterxml.jackson.databind.JsonNode node, int depth) {
        if (node == null || depth > 6) {
            return false;
        }
        if (node.isObject()) {
            com.fasterxml.jackson.databind.JsonNode calls = node.get("tool_calls");
            if (calls != null && calls.isArray() && !calls.isEmpty() || node.hasNonNull("functionCall") || node.hasNonNull("function_call")
                    || TOOL_CALL_TYPES.contains(node.path("type").asText(""))) {
                return true;
            }
        }
        if (node.isContainerNode()) {
            for (com.fasterxml.jackson.databind.JsonNode child : node) {
                if (holdsToolCall(child, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
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
