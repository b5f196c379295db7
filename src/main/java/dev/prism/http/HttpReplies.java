package dev.prism.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How Prism reads a failed reply from a paid API (LLM and embedding providers): which statuses are worth retrying, the
 * Retry-After header, and the error message of an OpenAI-style {@code {"error": …}} body. Shared infrastructure:
 * pure, no Vert.x.
 */
public final class HttpReplies {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    private static final int MAX_MESSAGE = 300;

    private HttpReplies() {
    }

    /** Rate limits (429), server-side timeouts (408) and server errors (5xx, Anthropic's 529 "overloaded" included). */
    public static boolean retryable(int status) {
        return status == 429 || status == 408 || status >= 500;
    }

    /** Retry-After in seconds → milliseconds; -1 when absent, unreadable or an HTTP date. */
    public static long retryAfterMillis(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.max(0, (long) (Double.parseDouble(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The provider's own message ({@code error} as a string, or {@code error.message}), cut short; "" when none. */
    public static String errorMessage(String body) {
        try {
            JsonNode error = MAPPER.readTree(body == null ? "" : body).path("error");
            String m = error.isTextual() ? error.asText() : error.path("message").asText("");
            return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) : m;
        } catch (Exception e) {
            return "";
        }
    }
}
