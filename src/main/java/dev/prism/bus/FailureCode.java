package dev.prism.bus;

import java.util.HashMap;
import java.util.Map;

/**
 * Why a request failed, as the caller sees it: the HTTP status the API answers and the {@code error} name its JSON body
 * carries. The generic codes (one per status) stand for names a feature makes up on the spot, such as
 * {@code invalid_<parameter>}; {@link Failure#error()} then keeps the exact name.
 */
public enum FailureCode {

    BAD_REQUEST(400, "bad_request"),
    INVALID_JSON(400, "invalid_json"),
    INVALID_BODY(400, "invalid_body"),
    INVALID_PAYLOAD(400, "invalid_payload"),
    INVALID_COMPRESSION(400, "invalid_compression"),
    INVALID_OTLP(400, "invalid_otlp"),
    UNKNOWN_SHAPE(400, "unknown_shape"),
    WEBSOCKET_REQUIRED(400, "websocket_required"),
    INVALID_CURSOR(400, "invalid_cursor"),
    INVALID_LIMIT(400, "invalid_limit"),
    INVALID_QUERY(400, "invalid_query"),
    INVALID_THEME(400, "invalid_theme"),
    INVALID_FILTERS(400, "invalid_filters"),
    INVALID_DATE_RANGE(400, "invalid_date_range"),
    INVALID_CLUSTERING_CONFIG(400, "invalid_clustering_config"),
    INVALID_ALERT(400, "invalid_alert"),
    INVALID_LLM_SETTINGS(400, "invalid_llm_settings"),
    INVALID_SCOPES(400, "invalid_scopes"),
    INVALID_NAME(400, "invalid_name"),
    INVALID_FORMAT(400, "invalid_format"),
    INVALID_TRACES(400, "invalid_traces"),
    INVALID_STATUS(400, "invalid_status"),
    INVALID_SEVERITY(400, "invalid_severity"),
    INVALID_EXPIRES_AT(400, "invalid_expires_at"),
    INVALID_MEMBERS_LIMIT(400, "invalid_members_limit"),
    INVALID_MEMBERS_OFFSET(400, "invalid_members_offset"),
    INVALID_MAX_LENGTH(400, "invalid_max_length"),

    UNAUTHORIZED(401, "unauthorized"),
    MISSING_TOKEN(401, "missing_token"),
    INVALID_TOKEN(401, "invalid_token"),

    FORBIDDEN(403, "forbidden"),
    READ_ONLY(403, "read_only"),
    BUILT_IN_THEME(403, "built_in_theme"),

    NOT_FOUND(404, "not_found"),
    PROJECT_NOT_FOUND(404, "project_not_found"),
    THEME_NOT_FOUND(404, "theme_not_found"),
    TRACE_NOT_FOUND(404, "trace_not_found"),
    RUN_NOT_FOUND(404, "run_not_found"),
    CLUSTER_NOT_FOUND(404, "cluster_not_found"),
    ALERT_NOT_FOUND(404, "alert_not_found"),
    KEY_NOT_FOUND(404, "key_not_found"),
    SHARE_NOT_FOUND(404, "share_not_found"),

    METHOD_NOT_ALLOWED(405, "method_not_allowed"),

    CONFLICT(409, "conflict"),
    THEME_EXISTS(409, "theme_exists"),
    RUN_IN_PROGRESS(409, "run_in_progress"),
    PRICE_UNKNOWN(409, "price_unknown"),
    OFFLINE(409, "offline"),

    PAYLOAD_TOO_LARGE(413, "payload_too_large"),

    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    UNSUPPORTED_COMPRESSION(415, "unsupported_compression"),

    TOO_MANY_REQUESTS(429, "too_many_requests"),
    TOO_MANY_FAILURES(429, "too_many_failures"),
    BUDGET_REACHED(429, "budget_reached"),

    INTERNAL_ERROR(500, "internal_error"),

    BAD_GATEWAY(502, "bad_gateway"),
    ANALYSIS_FAILED(502, "analysis_failed"),
    COMPLETION_FAILED(502, "completion_failed"),

    UNAVAILABLE(503, "unavailable"),
    STORE_UNAVAILABLE(503, "store_unavailable"),
    TIMEOUT(503, "timeout"),
    OVERLOADED(503, "overloaded"),
    PROVIDER_BUSY(503, "provider_busy"),
    EMBED_BUSY(503, "embed_busy"),
    EMBED_FAILED(503, "embed_failed"),
    KAFKA_UNAVAILABLE(503, "kafka_unavailable"),
    RELEVANCE_MODEL_MISMATCH(503, "relevance_model_mismatch"),

    QUERY_TIMEOUT(504, "query_timeout");

    private static final Map<String, FailureCode> BY_WIRE = new HashMap<>();
    private static final Map<Integer, FailureCode> GENERIC = new HashMap<>();

    static {
        for (FailureCode c : values()) {
            BY_WIRE.put(c.wire, c);
            GENERIC.putIfAbsent(c.status, c); // the first of each status is its generic code
        }
    }

    private final int status;
    private final String wire;

    FailureCode(int status, String wire) {
        this.status = status;
        this.wire = wire;
    }

    /** The HTTP status the API answers with. */
    public int status() {
        return status;
    }

    /** The {@code error} name of the API's JSON body. */
    public String wire() {
        return wire;
    }

    /**
     * The code a status and error name stand for: the named code when it has that status, else the status's generic
     * code (a status no code has falls to {@link #BAD_REQUEST} or {@link #INTERNAL_ERROR} by its class).
     */
    public static FailureCode of(int status, String wire) {
        FailureCode named = BY_WIRE.get(wire);
        if (named != null && named.status == status) {
            return named;
        }
        FailureCode generic = GENERIC.get(status);
        if (generic != null) {
            return generic;
        }
        return status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_ERROR;
    }
}
