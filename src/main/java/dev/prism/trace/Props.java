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

    /** Failed, by the one definition ({@link dev.prism.bus.TraceEvent#failed(JsonNode)}). */
    static boolean isError(JsonNode props) {
        return dev.prism.bus.TraceEvent.failed(props);
    }
}
