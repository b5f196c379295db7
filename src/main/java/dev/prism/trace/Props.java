package dev.prism.trace;

import com.fasterxml.jackson.databind.JsonNode;

/** Lenient readers for event properties, which SDKs send with whatever types they like. */
final class Props {

    private Props() {
    }

    /** A non-blank string (numbers are turned into their text, as PostHog does for ids), else null. */
    static String text(JsonNode props, String key) {
        JsonNode v = props == null ? null : props.get(key);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    /** A number, also from a numeric string; {@code fallback} when absent or not a number. */
    static double number(JsonNode props, String key, double fallback) {
        JsonNode v = props == null ? null : props.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                double d = Double.parseDouble(v.asText().trim());
                return Double.isFinite(d) ? d : fallback;
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    /** {@code $ai_is_error} true (or "true"), or a non-empty {@code $ai_error}. */
    static boolean isError(JsonNode props) {
        if (props == null) {
            return false;
        }
        JsonNode flag = props.get("$ai_is_error");
        if (flag != null && (flag.asBoolean(false) || "true".equalsIgnoreCase(flag.asText()))) {
            return true;
        }
        JsonNode error = props.get("$ai_error");
        if (error == null || error.isNull() || (error.isBoolean() && !error.asBoolean())) {
            return false;
        }
        return !(error.isTextual() && error.asText().isBlank()) && !(error.isContainerNode() && error.isEmpty());
    }
}
