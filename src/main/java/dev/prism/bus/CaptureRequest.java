package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;
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
 * @param events           events a producer inside the server already holds as JSON values (OTLP spans mapped to
 *                         {@code $ai_*} events): taken as they are instead of {@code body}, which is then empty, so
 *                         they are not written out and parsed again; null for a body to decode
 */
public record CaptureRequest(Buffer body, String contentEncoding, String compression, String bearerToken,
                             String projectId, String client, JsonNode events) {

    public static CaptureRequest http(Buffer body, String contentEncoding, String compression, String bearerToken) {
        return new CaptureRequest(body, contentEncoding, compression, bearerToken, null, null, null);
    }

    /** From HTTP: {@code projectId} set when the header token was already checked, else the body's token decides. */
    public static CaptureRequest http(Buffer body, String contentEncoding, String compression, String projectId, String client) {
        return new CaptureRequest(body, contentEncoding, compression, null, projectId, client, null);
    }

    public static CaptureRequest internal(Buffer body, String projectId) {
        return new CaptureRequest(body, null, null, null, projectId, null, null);
    }

    /**
     * Events already built inside the server, as {@code {"batch": [...]}} or an array, for a known project. The receiver
     * takes ownership: it may add properties (server-side cost) to them.
     */
    public static CaptureRequest events(JsonNode events, String projectId) {
        return new CaptureRequest(Buffer.buffer(), null, null, null, projectId, null, events);
    }

    @Override
    public String toString() {
        return "CaptureRequest[" + (events != null ? (events.has("batch") ? events.get("batch").size() : events.size()) + " events" : body.length() + " bytes") + ", project=" + projectId + "]";
    }
}
