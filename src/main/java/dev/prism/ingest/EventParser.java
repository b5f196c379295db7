package dev.prism.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.bus.CaptureResult.Rejection;
import dev.prism.bus.Failure;
import dev.prism.pricing.EventCost;
import dev.prism.pricing.Pricing;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads a PostHog capture payload (one event, {@code {"batch": [...]}} or a bare array) and validates each event on
 * its own, so that one bad event never costs the others. Pure: bytes in, {@link ParsedPayload} out.
 *
 * <p>What it does to events, as PostHog's capture does: ids ({@code distinct_id}, {@code $ai_trace_id},
 * {@code $ai_span_id}, {@code $ai_parent_id}, …) sent as numbers become strings; the project token is removed from
 * the stored properties; NUL characters, which PostgreSQL text cannot hold, become U+FFFD; a generation or embedding
 * with a model and tokens but no cost gets its cost from the price table, marked estimated ({@link EventCost}).
 */
final class EventParser {

    /** Deep enough for LangGraph states; a 10,000-deep body is rejected by the parser instead of the stack. */
    static final int MAX_NESTING_DEPTH = 512;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python SDKs send NaN and Infinity
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(Integer.MAX_VALUE) // the body limit already bounds strings
                .build());
    }

    private static final String[] ID_PROPERTIES = {"$ai_trace_id", "$ai_span_id", "$ai_parent_id", "$ai_generation_id", "$ai_session_id"};

    private EventParser() {
    }

    /** A validated event ready to store. {@code timestamp} is null when the client sent none that parses. */
    record ParsedEvent(String uuid, String event, String distinctId, String traceId, Instant timestamp, String propertiesJson) {
    }

    /**
     * @param token    the project token found in the body, or null
     * @param received how many events the payload held
     * @param ignored  how many were acknowledged but not stored (not {@code $ai_*})
     */
    record ParsedPayload(String token, int received, List<ParsedEvent> events, int ignored, List<Rejection> rejected) {
    }

    static ParsedPayload parse(byte[] json) {
        return parse(json, Pricing.DEFAULTS);
    }

    /** @param pricing prices the cost of generations and embeddings sent without one */
    static ParsedPayload parse(byte[] json, Pricing pricing) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new Failure(400, "invalid_json", "The body is not valid JSON: " + e.getOriginalMessage()).exception();
        } catch (IOException e) {
            throw new Failure(400, "invalid_json", "The body cannot be read: " + e.getMessage()).exception();
        }
        if (root == null || root.isMissingNode()) {
            throw new Failure(400, "invalid_json", "The body is empty").exception();
        }
        return parse(root, pricing);
    }

    /** Events already read as JSON values (an event, {@code {"batch": [...]}} or an array), validated like a body's. */
    static ParsedPayload parse(JsonNode root, Pricing pricing) {
        JsonNode batch;
        String token = null;
        if (root.isArray()) {
            batch = root;
        } else if (root.isObject()) {
            token = tokenOf(root);
            batch = root.has("batch") ? root.get("batch") : null;
            if (batch == null) {
                ArrayNode single = MAPPER.createArrayNode();
                single.add(root);
                batch = single;
            } else if (!batch.isArray()) {
                throw new Failure(400, "invalid_payload", "'batch' must be an array of events").exception();
            }
        } else {
            throw new Failure(400, "invalid_payload", "Expected an event object, {\"batch\": [...]} or an array of events").exception();
        }

        List<ParsedEvent> events = new ArrayList<>(batch.size());
        List<Rejection> rejected = new ArrayList<>();
        int ignored = 0;
        for (int i = 0; i < batch.size(); i++) {
            JsonNode e = batch.get(i);
            if (token == null && e.isObject()) {
                token = tokenOf(e);
            }
            try {
                ParsedEvent parsed = validate(e, pricing);
                if (parsed == null) {
                    ignored++;
                } else {
                    events.add(parsed);
                }
            } catch (InvalidEvent invalid) {
                rejected.add(new Rejection(i, invalid.getMessage()));
            }
        }
        return new ParsedPayload(token, batch.size(), events, ignored, rejected);
    }

    private static String tokenOf(JsonNode node) {
        for (String key : new String[]{"api_key", "token"}) {
            JsonNode t = node.get(key);
            if (t != null && t.isTextual() && !t.asText().isBlank()) {
                return t.asText();
            }
        }
        JsonNode props = node.get("properties");
        if (props != null && props.isObject()) {
            JsonNode t = props.get("token");
            if (t != null && t.isTextual() && !t.asText().isBlank()) {
                return t.asText();
            }
        }
        return null;
    }

    /** @return the event to store, or null for a valid event that is not an {@code $ai_*} event */
    static ParsedEvent validate(JsonNode e) {
        return validate(e, Pricing.DEFAULTS);
    }

    static ParsedEvent validate(JsonNode e, Pricing pricing) {
        if (!e.isObject()) {
            throw new InvalidEvent("event is not a JSON object");
        }
        JsonNode name = e.get("event");
        if (name == null || name.isNull() || (name.isTextual() && name.asText().isBlank())) {
            throw new InvalidEvent("missing event name ('event')");
        }
        if (!name.isTextual()) {
            throw new InvalidEvent("'event' must be a string");
        }
        JsonNode propsNode = e.get("properties");
        if (propsNode != null && !propsNode.isNull() && !propsNode.isObject()) {
            throw new InvalidEvent("'properties' must be a JSON object, got " + kind(propsNode));
        }
        String event = clean(name.asText());
        if (!event.startsWith("$ai_")) {
            return null;
        }
        ObjectNode props = propsNode == null || propsNode.isNull() ? MAPPER.createObjectNode() : (ObjectNode) propsNode;
        for (String key : ID_PROPERTIES) {
            JsonNode v = props.get(key);
            if (v != null && v.isNumber()) {
                props.set(key, TextNode.valueOf(v.asText()));
            } else if (v != null && v.isContainerNode()) {
                throw new InvalidEvent("'" + key + "' must be a string or a number, got " + kind(v));
            }
        }
        JsonNode traceId = props.get("$ai_trace_id");
        if (traceId == null || traceId.isNull() || !traceId.isTextual() || traceId.asText().isBlank()) {
            throw new InvalidEvent("missing $ai_trace_id on an " + event + " event");
        }
        props.remove("token");
        props.remove("api_key");
        EventCost.estimate(event, props, pricing);

        String distinctId = idText(e.get("distinct_id"), "distinct_id");
        if (distinctId == null) {
            distinctId = idText(props.get("distinct_id"), "properties.distinct_id");
        }
        if (distinctId == null) {
            distinctId = idText(props.get("$distinct_id"), "properties.$distinct_id");
        }
        String uuid = idText(e.get("uuid"), "uuid");
        if (uuid == null) {
            uuid = UUID.randomUUID().toString();
        }
        String propertiesJson;
        try {
            propertiesJson = MAPPER.writeValueAsString(props);
        } catch (JsonProcessingException ex) {
            throw new InvalidEvent("properties cannot be stored: " + ex.getOriginalMessage());
        }
        if (propertiesJson.contains("\\u0000")) {
            propertiesJson = propertiesJson.replace("\\u0000", "\\ufffd");
        }
        return new ParsedEvent(clean(uuid), event, distinctId == null ? null : clean(distinctId),
                clean(traceId.asText()), timestamp(e.get("timestamp")), propertiesJson);
    }

    private static String idText(JsonNode v, String field) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw new InvalidEvent("'" + field + "' must be a string or a number, got " + kind(v));
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    /** ISO-8601 with or without offset (UTC assumed), or epoch milliseconds; anything else means "not sent". */
    static Instant timestamp(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        Instant t;
        if (v.isNumber()) {
            t = Instant.ofEpochMilli(v.asLong());
        } else {
            String s = v.asText().trim();
            try {
                t = OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException ignored) {
                try {
                    t = LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException alsoIgnored) {
                    return null;
                }
            }
        }
        // PostgreSQL's timestamptz cannot hold the far ends of Instant's range.
        return t.isBefore(EARLIEST) || t.isAfter(LATEST) ? null : t;
    }

    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private static String clean(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> v.getNodeType().name().toLowerCase();
        };
    }

    /** One event's reason for rejection; cheap, no stack trace. */
    static final class InvalidEvent extends RuntimeException {
        InvalidEvent(String reason) {
            super(reason, null, false, false);
        }
    }
}
