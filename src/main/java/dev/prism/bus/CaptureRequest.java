package dev.prism.bus;

import io.vertx.core.buffer.Buffer;

/**
 * One ingestion request, undecoded. Every capture endpoint accepts one event, {@code {"batch": [...]}} or an array.
 *
 * @param body             the raw body, possibly compressed
 * @param contentEncoding  the Content-Encoding header, or null
 * @param compression      the {@code compression} query parameter (PostHog's {@code gzip-js}), or null
 * @param bearerToken      the token of an {@code Authorization: Bearer} header, or null
 * @param projectId        already known: set by producers inside the server (the demo), or by the HTTP edge once it
 *                         checked a header token before reading the body; null: resolve the token in the body
 * @param client           the caller's address, so repeated token failures from one address can be slowed down
 */
public record CaptureRequest(Buffer body, String contentEncoding, String compression, String bearerToken,
                             String projectId, String client) {

    public static CaptureRequest http(Buffer body, String contentEncoding, String compression, String bearerToken) {
        return new CaptureRequest(body, contentEncoding, compression, bearerToken, null, null);
    }

    /** From HTTP: {@code projectId} set when the header token was already checked, else the body's token decides. */
    public static CaptureRequest http(Buffer body, String contentEncoding, String compression, String projectId, String client) {
        return new CaptureRequest(body, contentEncoding, compression, null, projectId, client);
    }

    public static CaptureRequest internal(Buffer body, String projectId) {
        return new CaptureRequest(body, null, null, null, projectId, null);
    }

    @Override
    public String toString() {
        return "CaptureRequest[" + body.length() + " bytes, project=" + projectId + "]";
    }
}
