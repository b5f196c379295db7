package dev.prism.web;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What PostHog SDKs post to and ask for, and how an unknown path is classed for {@code /metrics}. Pure, so the
 * route list can be checked without a server.
 *
 * <p>Read from the SDKs' sources (posthog-node 5.74 / @posthog/core, posthog-python 7.53): events go to
 * {@code /batch/}; AI events to {@code /i/v0/ai/batch/} when posthog-node's {@code enableFullAiCapture} or
 * posthog-python's AI consumer is on (same JSON body as {@code /batch/}, gzip, events up to 8 MiB, batches of about
 * 5 MiB, split in halves on a 413); non-AI events to {@code /i/v1/analytics/events} in the opt-in v1 capture mode
 * ({@code POSTHOG_CAPTURE_MODE=v1}: Bearer token, {@code {"created_at", "batch"}}, per-uuid results in the answer).
 * Feature flags are read from {@code /flags/?v=2|4} (older clients: {@code /decide/?v=3|4}).
 */
final class PostHogRoutes {

    /** Paths that take PostHog capture bodies, each also with a trailing slash. */
    static final String[] CAPTURE = {"/batch", "/e", "/capture", "/i/v0/e", "/track", "/engage", "/i/v0/ai/batch"};

    /** The v1 capture route; its answer carries per-event {@code results}. */
    static final String CAPTURE_V1 = "/i/v1/analytics/events";

    /** Flag evaluation routes: Prism has no flags, so they answer an empty, valid evaluation. */
    static final String[] FLAGS = {"/flags", "/decide"};

    /** The largest single event the AI route takes, as PostHog's capture does; the SDK drops larger ones itself. */
    static final long AI_MAX_EVENT_BYTES = 8L * 1024 * 1024;

    /** Classes of unknown routes: a few fixed label values, never the raw path (unbounded label cardinality). */
    enum UnknownClass {
        API("api"), CAPTURE("capture"), STATIC("static"), OTHER("other");

        final String label;

        UnknownClass(String label) {
            this.label = label;
        }
    }

    private static final Pattern CAPTURE_LIKE = Pattern.compile(
            "^/(i/|e/?$|e/|capture|batch|track|engage|s/|s$|decide|flags|array/|v1/|otel|ingest|api/event|api/batch|api/feature_flag)");
    private static final Pattern STATIC_FILE = Pattern.compile("\\.[a-z0-9]{1,8}$");

    private PostHogRoutes() {
    }

    /**
     * Capture-like paths are the ones to watch: an SDK pointed at Prism posting somewhere Prism does not listen means
     * lost events. API paths are integrations with a wrong URL; static, a browser asking for a missing file.
     */
    static UnknownClass classify(String path) {
        String p = path == null ? "/" : path.toLowerCase(Locale.ROOT);
        if (p.equals("/api") || p.startsWith("/api/") && !p.startsWith("/api/event") && !p.startsWith("/api/batch")
                && !p.startsWith("/api/feature_flag")) {
            return UnknownClass.API;
        }
        if (CAPTURE_LIKE.matcher(p).find()) {
            return UnknownClass.CAPTURE;
        }
        if (STATIC_FILE.matcher(p).find() || p.startsWith("/static/") || p.startsWith("/assets/")) {
            return UnknownClass.STATIC;
        }
        return UnknownClass.OTHER;
    }

    /**
     * What {@code /flags} and {@code /decide} answer: no flags, in every shape the SDKs read (v2+/v4 {@code flags},
     * v1-v3 {@code featureFlags} and payloads), and no error so that a client using one PostHog instance for flags and
     * AI events carries on.
     */
    static String emptyFlags(String requestId) {
        return "{\"flags\":{},\"featureFlags\":{},\"featureFlagPayloads\":{},\"errorsWhileComputingFlags\":false,"
                + "\"quotaLimited\":[],\"requestId\":\"" + requestId + "\",\"config\":{\"enable_collect_everything\":false},"
                + "\"toolbarParams\":{},\"isAuthenticated\":false,\"supportedCompression\":[\"gzip\",\"gzip-js\"],"
                + "\"sessionRecording\":false,\"surveys\":false,\"siteApps\":[]}";
    }

    /**
     * The v1 answer's {@code results}: one {@code {"result": "drop", "details"}} per rejected event, keyed by its uuid,
     * so a v1 client reports what was dropped instead of reading it as stored (an absent uuid means stored). Rejected
     * events are rare, so the body is read again only then; a body that cannot be read gives no entries.
     */
    static com.fasterxml.jackson.databind.node.ObjectNode v1Results(byte[] body, java.util.List<dev.prism.bus.CaptureResult.Rejection> rejected) {
        var results = Json.MAPPER.createObjectNode();
        if (rejected.isEmpty()) {
            return results;
        }
        try {
            byte[] json = body;
            if (body.length >= 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b) {
                try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                    json = in.readAllBytes(); // the ingest already inflated it within the body limit
                }
            }
            var root = Json.MAPPER.readTree(json);
            var batch = root.isArray() ? root : root.path("batch");
            for (var r : rejected) {
                var uuid = batch.path(r.index()).path("uuid");
                if (uuid.isTextual()) {
                    results.putObject(uuid.asText()).put("result", "drop").put("details", r.reason());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Nothing better to say than the index-based "rejected" list beside it.
        }
        return results;
    }

    /** Local evaluation definitions (posthog-python {@code /flags/definitions}): no flags to evaluate. */
    static final String EMPTY_DEFINITIONS = "{\"flags\":[],\"group_type_mapping\":{},\"cohorts\":{}}";
}
