package dev.prism.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.prism.otel.OtlpJsonReader.field;

/**
 * Reads an OTLP/HTTP {@code ExportLogsServiceRequest}, JSON or protobuf, into {@link OtlpLog}s. The JSON rules are the
 * trace reader's: hex ids, integers as strings or numbers, lowerCamelCase or snake_case names.
 */
final class OtlpLogReader {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private OtlpLogReader() {
    }

    static List<OtlpLog> json(byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new OtlpFormatException("The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new OtlpFormatException("The body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new OtlpFormatException("An OTLP JSON logs body is an object with resourceLogs");
        }
        List<OtlpLog> logs = new ArrayList<>();
        for (JsonNode rl : field(root, "resourceLogs", "resource_logs")) {
            Map<String, JsonNode> resource = OtlpJsonReader.attributes(field(field(rl, "resource", "resource"), "attributes", "attributes"));
            for (JsonNode sl : field(rl, "scopeLogs", "scope_logs")) {
                for (JsonNode r : field(sl, "logRecords", "log_records")) {
                    Map<String, JsonNode> attributes = OtlpJsonReader.attributes(field(r, "attributes", "attributes"));
                    long time = OtlpJsonReader.nanos(field(r, "timeUnixNano", "time_unix_nano"));
                    if (time == 0) {
                        time = OtlpJsonReader.nanos(field(r, "observedTimeUnixNano", "observed_time_unix_nano"));
                    }
                    JsonNode body = field(r, "body", "body");
                    logs.add(new OtlpLog(OtlpJsonReader.id(field(r, "traceId", "trace_id")), OtlpJsonReader.id(field(r, "spanId", "span_id")),
                            OtlpLog.eventName(field(r, "eventName", "event_name").asText(""), attributes), time,
                            body.isObject() ? OtlpJsonReader.value(body) : NullNode.getInstance(), attributes, resource));
                }
            }
        }
        return logs;
    }

    static List<OtlpLog> protobuf(byte[] body) {
        ExportLogsServiceRequest request;
        try {
            request = ExportLogsServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new OtlpFormatException("The body is not a protobuf ExportLogsServiceRequest: " + e.getMessage());
        }
        List<OtlpLog> logs = new ArrayList<>();
        for (ResourceLogs rl : request.getResourceLogsList()) {
            Map<String, JsonNode> resource = OtlpProtoReader.attributes(rl.getResource().getAttributesList());
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord r : sl.getLogRecordsList()) {
                    Map<String, JsonNode> attributes = OtlpProtoReader.attributes(r.getAttributesList());
                    logs.add(new OtlpLog(OtlpProtoReader.hex(r.getTraceId()), OtlpProtoReader.hex(r.getSpanId()),
                            OtlpLog.eventName(r.getEventName(), attributes), r.getTimeUnixNano() != 0 ? r.getTimeUnixNano() : r.getObservedTimeUnixNano(),
                            r.hasBody() ? OtlpProtoReader.value(r.getBody()) : NullNode.getInstance(), attributes, resource));
                }
            }
        }
        return logs;
    }
}
