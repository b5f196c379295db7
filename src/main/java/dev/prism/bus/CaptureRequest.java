package dev.prism.bus;

import io.vertx.core.buffer.Buffer;

/**
 * One ingestion request, undecoded. Every capture endpoint accepts one event, {@code {"batch": [...]}} or an array.
 *
 * @param body             the raw body, possibly compressed
 * @param contentEncoding  the Content-Encoding header, or null
 * @param compression      the {@code compression} query parameter (PostHog's {@code gzip-js}), or null
 * @param bearerToken      the token of an {@code Authorization: Bearer} header, or null
 * @param projectId        set only by producers inside the server (the demo), which need no token; null from HTTP
 */
public record CaptureRequest(Buffer body, String contentEncoding, String compression, String bearerToken,
                             String projectId) {

    public static CaptureRequest http(Buffer body, String contentEncoding, String compression, String bearerToken) {
        return new CaptureRequest(body, contentEncoding, compression, bearerToken, null);
    }

    public static CaptureRequest internal(Buffer body, String projectId) {
        return new CaptureRequest(body, null, null, null, projectId);
    }

    @Override
    public String toString() {
        return "CaptureRequest[" + body.length() + " bytes, project=" + projectId + "]";
    }
}
