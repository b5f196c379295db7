package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads an OTLP/HTTP protobuf {@code ExportTraceServiceRequest} into the same model as {@link OtlpJsonReader}. */
final class OtlpProtoReader {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    private OtlpProtoReader() {
    }

    static List<OtlpSpan> read(byte[] body) {
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new OtlpFormatException("The body is not a protobuf ExportTraceServiceRequest: " + e.getMessage());
        }
        List<OtlpSpan> spans = new ArrayList<>();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            Map<String, JsonNode> resource = attributes(rs.getResource().getAttributesList());
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                    List<OtlpSpan.Event> events = new ArrayList<>(s.getEventsCount());
                    for (Span.Event e : s.getEventsList()) {
                        events.add(new OtlpSpan.Event(e.getName(), e.getTimeUnixNano(), attributes(e.getAttributesList())));
                    }
                    spans.add(new OtlpSpan(hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()), s.getName(),
                            s.getKindValue(), s.getStartTimeUnixNano(), s.getEndTimeUnixNano(), attributes(s.getAttributesList()),
                            events, s.getStatus().getCodeValue(), s.getStatus().getMessage(), resource, ss.getScope().getName()));
                }
            }
        }
        return spans;
    }

    static String hex(ByteString bytes) {
        return HEX.formatHex(bytes.toByteArray());
    }

    static Map<String, JsonNode> attributes(List<KeyValue> list) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            out.put(kv.getKey(), value(kv.getValue()));
        }
        return out;
    }

    static JsonNode value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> NODES.textNode(v.getStringValue());
            case BOOL_VALUE -> NODES.booleanNode(v.getBoolValue());
            case INT_VALUE -> NODES.numberNode(v.getIntValue());
            case DOUBLE_VALUE -> NODES.numberNode(v.getDoubleValue());
            case BYTES_VALUE -> NODES.textNode(hex(v.getBytesValue()));
            case ARRAY_VALUE -> {
                ArrayNode array = NODES.arrayNode();
                v.getArrayValue().getValuesList().forEach(x -> array.add(value(x)));
                yield array;
            }
            case KVLIST_VALUE -> {
                ObjectNode object = NODES.objectNode();
                attributes(v.getKvlistValue().getValuesList()).forEach(object::set);
                yield object;
            }
            default -> NODES.nullNode();
        };
    }
}
