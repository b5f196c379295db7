package dev.prism.otel;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

import java.nio.charset.StandardCharsets;

/**
 * The {@code ExportTraceServiceResponse} in the request's encoding. Fully accepted: no {@code partial_success} (the
 * spec's "MUST NOT be set" case); otherwise the count of refused spans and why. Spans dropped for carrying no AI
 * attributes are not refused: they are counted in metrics, not reported to the exporter (which would warn on every
 * export of an app that traces more than its LLM calls).
 */
final class OtlpAnswer {

    static final String JSON = "application/json";
    static final String PROTOBUF = "application/x-protobuf";

    private OtlpAnswer() {
    }

    static byte[] encode(boolean protobuf, long rejected, String message) {
        if (protobuf) {
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (rejected > 0) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message));
            }
            return response.build().toByteArray();
        }
        if (rejected == 0) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
        var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        out.putObject("partialSuccess").put("rejectedSpans", rejected).put("errorMessage", message);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code ExportLogsServiceResponse}, by the same rules: refused log records counted, ignored ones not. */
    static byte[] logs(boolean protobuf, long rejected, String message) {
        if (protobuf) {
            ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
            if (rejected > 0) {
                response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected).setErrorMessage(message));
            }
            return response.build().toByteArray();
        }
        if (rejected == 0) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
        var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        out.putObject("partialSuccess").put("rejectedLogRecords", rejected).put("errorMessage", message);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
