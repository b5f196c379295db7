package dev.prism.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an OTLP/HTTP JSON {@code ExportTraceServiceRequest}. OTLP JSON is not proto3 JSON: trace and span ids are hex
 * (not base64), enums are integers; 64-bit integers may come as strings or numbers. Field names are lowerCamelCase as
 * the spec says; the snake_case spelling of the proto is accepted too, as protobuf's own JSON parser does.
 */
final class OtlpJsonReader {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OtlpJsonReader() {
    }

    static List<OtlpSpan> read(byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new OtlpFormatException("The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new OtlpFormatException("The body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new OtlpFormatException("An OTLP JSON body is an object with resourceSpans");
        }
        List<OtlpSpan> spans = new ArrayList<>();
        for (JsonNode rs : field(root, "resourceSpans", "resource_spans")) {
            Map<String, JsonNode> resource = attributes(field(field(rs, "resource", "resource"), "attributes", "attributes"));
            for (JsonNode ss : field(rs, "scopeSpans", "scope_spans")) {
                String scope = field(field(ss, "scope", "scope"), "name", "name").asText("");
                for (JsonNode s : field(ss, "spans", "spans")) {
                    spans.add(span(s, resource, scope));
                }
            }
        }
        return spans;
    }

    private static OtlpSpan span(JsonNode s, Map<String, JsonNode> resource, String scope) {
        List<OtlpSpan.Event> events = new ArrayList<>();
        for (JsonNode e : field(s, "events", "events")) {
            events.add(new OtlpSpan.Event(field(e, "name", "name").asText(""), nanos(field(e, "timeUnixNano", "time_unix_nano")),
                    attributes(field(e, "attributes", "attributes"))));
        }
        JsonNode status = field(s, "status", "status");
        return new OtlpSpan(id(field(s, "traceId", "trace_id")), id(field(s, "spanId", "span_id")),
                id(field(s, "parentSpanId", "parent_span_id")), field(s, "name", "name").asText(""),
                enumValue(field(s, "kind", "kind")), nanos(field(s, "startTimeUnixNano", "start_time_unix_nano")),
                nanos(field(s, "endTimeUnixNano", "end_time_unix_nano")), attributes(field(s, "attributes", "attributes")),
                events, statusCode(field(status, "code", "code")), field(status, "message", "message").asText(""), resource, scope);
    }

    static JsonNode field(JsonNode node, String camel, String snake) {
        JsonNode v = node.path(camel);
        return v.isMissingNode() || v.isNull() ? node.path(snake) : v;
    }

    /** Hex as sent, lowercased; anything not a string stays empty (the mapper rejects the span). */
    static String id(JsonNode node) {
        return node.isTextual() ? node.asText().trim().toLowerCase(java.util.Locale.ROOT) : "";
    }

    static long nanos(JsonNode node) {
        if (node.isNumber()) {
            return node.asLong();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.asText().trim());
            } catch (NumberFormatException e) {
                throw new OtlpFormatException("A timestamp is not a number of nanoseconds: " + node.asText());
            }
        }
        return 0;
    }

    private static int enumValue(JsonNode node) {
        return node.isNumber() ? node.asInt() : 0;
    }

    /** Integers per the OTLP spec; the enum names proto3 JSON would write are read too. */
    private static int statusCode(JsonNode node) {
        if (node.isTextual()) {
            return switch (node.asText()) {
                case "STATUS_CODE_OK" -> 1;
                case "STATUS_CODE_ERROR" -> OtlpSpan.STATUS_ERROR;
                default -> 0;
            };
        }
        return enumValue(node);
    }

    static Map<String, JsonNode> attributes(JsonNode list) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode kv : list) {
            JsonNode key = kv.path("key");
            if (key.isTextual()) {
                out.put(key.asText(), value(kv.path("value")));
            }
        }
        return out;
    }

    /** An {@code AnyValue} as a plain JSON value. */
    static JsonNode value(JsonNode any) {
        if (any.has("stringValue") || any.has("string_value")) {
            return NODES.textNode(field(any, "stringValue", "string_value").asText());
        }
        if (any.has("boolValue") || any.has("bool_value")) {
            return NODES.booleanNode(field(any, "boolValue", "bool_value").asBoolean());
        }
        if (any.has("intValue") || any.has("int_value")) {
            JsonNode v = field(any, "intValue", "int_value");
            try {
                return NODES.numberNode(v.isNumber() ? v.asLong() : Long.parseLong(v.asText().trim()));
            } catch (NumberFormatException e) {
                return NODES.textNode(v.asText());
            }
        }
        if (any.has("doubleValue") || any.has("double_value")) {
            JsonNode v = field(any, "doubleValue", "double_value");
            return v.isNumber() ? NODES.numberNode(v.asDouble()) : NODES.textNode(v.asText());
        }
        if (any.has("arrayValue") || any.has("array_value")) {
            ArrayNode array = NODES.arrayNode();
            for (JsonNode v : field(field(any, "arrayValue", "array_value"), "values", "values")) {
                array.add(value(v));
            }
            return array;
        }
        if (any.has("kvlistValue") || any.has("kvlist_value")) {
            ObjectNode object = NODES.objectNode();
            attributes(field(field(any, "kvlistValue", "kvlist_value"), "values", "values")).forEach(object::set);
            return object;
        }
        if (any.has("bytesValue") || any.has("bytes_value")) {
            // Bytes are base64 in JSON; shown as hex, the way ids are, since the content is opaque anyway.
            try {
                return NODES.textNode(HexFormat.of().formatHex(Base64.getDecoder().decode(field(any, "bytesValue", "bytes_value").asText())));
            } catch (IllegalArgumentException e) {
                return NODES.textNode(field(any, "bytesValue", "bytes_value").asText());
            }
        }
        return NODES.nullNode();
    }
}
