package dev.prism.bus;

import io.vertx.core.buffer.Buffer;

/**
 * One OTLP/HTTP export request ({@code POST /v1/traces} or {@code /v1/logs}), undecoded, for a project whose token the HTTP edge already
 * checked. Answered with {@link Accepted}, or failed with a {@link Failure} (400 undecodable, 413 too large once
 * inflated, 415 unknown content type, and whatever capture answered: 503 when the store cannot keep up).
 *
 * @param protobuf        true for {@code application/x-protobuf}, false for {@code application/json}
 * @param contentEncoding the Content-Encoding header, or null
 */
public record OtlpExport(Buffer body, boolean protobuf, String contentEncoding, String projectId) {

    /**
     * @param body     an {@code ExportTraceServiceResponse} / {@code ExportLogsServiceResponse} in the request's encoding
     *                 (partial success when spans or records were refused)
     * @param accepted spans stored as events (kept structure included); log records joined, waiting or stored
     * @param rejected spans or records refused: bad ids, a full join buffer, or events capture rejected
     * @param dropped  spans without AI attributes and no AI descendant, or log records that are no GenAI event: not
     *                 stored, not an error
     */
    public record Accepted(Buffer body, String contentType, int accepted, int rejected, int dropped) {
    }

    @Override
    public String toString() {
        return "OtlpExport[" + body.length() + " bytes, " + (protobuf ? "protobuf" : "json") + ", project=" + projectId + "]";
    }
}
