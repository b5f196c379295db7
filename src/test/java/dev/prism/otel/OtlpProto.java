package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.List;

/** Test side: an OTLP JSON request rebuilt with the generated protobuf classes, as a protobuf exporter would send it. */
final class OtlpProto {

    private OtlpProto() {
    }

    static ExportTraceServiceRequest fromJson(JsonNode otlp) {
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        for (JsonNode rs : otlp.path("resourceSpans")) {
            ResourceSpans.Builder resource = ResourceSpans.newBuilder()
                    .setResource(Resource.newBuilder().addAllAttributes(attributes(rs.path("resource").path("attributes"))));
            for (JsonNode ss : rs.path("scopeSpans")) {
                ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName(ss.path("scope").path("name").asText("")));
                for (JsonNode s : ss.path("spans")) {
                    Span.Builder span = Span.newBuilder()
                            .setTraceId(bytes(s.path("traceId").asText("")))
                            .setSpanId(bytes(s.path("spanId").asText("")))
                            .setParentSpanId(bytes(s.path("parentSpanId").asText("")))
                            .setName(s.path("name").asText(""))
                            .setKindValue(s.path("kind").asInt())
                            .setStartTimeUnixNano(Long.parseLong(s.path("startTimeUnixNano").asText("0")))
                            .setEndTimeUnixNano(Long.parseLong(s.path("endTimeUnixNano").asText("0")))
                            .addAllAttributes(attributes(s.path("attributes")))
                            .setStatus(Status.newBuilder().setCodeValue(s.path("status").path("code").asInt())
                                    .setMessage(s.path("status").path("message").asText("")));
                    for (JsonNode e : s.path("events")) {
                        span.addEvents(Span.Event.newBuilder().setName(e.path("name").asText())
                                .setTimeUnixNano(Long.parseLong(e.path("timeUnixNano").asText("0")))
                                .addAllAttributes(attributes(e.path("attributes"))));
                    }
                    scope.addSpans(span);
                }
                resource.addScopeSpans(scope);
            }
            request.addResourceSpans(resource);
        }
        return request.build();
    }

    /** An OTLP JSON logs request rebuilt as protobuf; {@code eventName} goes to the record's field, as OTLP 1.5+ SDKs send it. */
    static ExportLogsServiceRequest logsFromJson(JsonNode otlp) {
        ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
        for (JsonNode rl : otlp.path("resourceLogs")) {
            ResourceLogs.Builder resource = ResourceLogs.newBuilder()
                    .setResource(Resource.newBuilder().addAllAttributes(attributes(rl.path("resource").path("attributes"))));
            for (JsonNode sl : rl.path("scopeLogs")) {
                ScopeLogs.Builder scope = ScopeLogs.newBuilder();
                for (JsonNode r : sl.path("logRecords")) {
                    LogRecord.Builder record = LogRecord.newBuilder()
                            .setTimeUnixNano(Long.parseLong(r.path("timeUnixNano").asText("0")))
                            .setEventName(r.path("eventName").asText(""))
                            .addAllAttributes(attributes(r.path("attributes")));
                    if (!r.path("traceId").asText("").isEmpty()) {
                        record.setTraceId(bytes(r.path("traceId").asText()));
                    }
                    if (!r.path("spanId").asText("").isEmpty()) {
                        record.setSpanId(bytes(r.path("spanId").asText()));
                    }
                    if (r.has("body")) {
                        record.setBody(value(r.path("body")));
                    }
                    scope.addLogRecords(record);
                }
                resource.addScopeLogs(scope);
            }
            request.addResourceLogs(resource);
        }
        return request.build();
    }

    static ByteString bytes(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    static List<KeyValue> attributes(JsonNode list) {
        java.util.ArrayList<KeyValue> out = new java.util.ArrayList<>();
        for (JsonNode kv : list) {
            out.add(KeyValue.newBuilder().setKey(kv.path("key").asText()).setValue(value(kv.path("value"))).build());
        }
        return out;
    }

    static AnyValue value(JsonNode v) {
        if (v.has("stringValue")) {
            return AnyValue.newBuilder().setStringValue(v.get("stringValue").asText()).build();
        }
        if (v.has("intValue")) {
            return AnyValue.newBuilder().setIntValue(Long.parseLong(v.get("intValue").asText())).build();
        }
        if (v.has("doubleValue")) {
            return AnyValue.newBuilder().setDoubleValue(v.get("doubleValue").asDouble()).build();
        }
        if (v.has("boolValue")) {
            return AnyValue.newBuilder().setBoolValue(v.get("boolValue").asBoolean()).build();
        }
        if (v.has("arrayValue")) {
            ArrayValue.Builder array = ArrayValue.newBuilder();
            v.get("arrayValue").path("values").forEach(x -> array.addValues(value(x)));
            return AnyValue.newBuilder().setArrayValue(array).build();
        }
        if (v.has("kvlistValue")) {
            return AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                    .addAllValues(attributes(v.get("kvlistValue").path("values")))).build();
        }
        return AnyValue.getDefaultInstance();
    }
}
