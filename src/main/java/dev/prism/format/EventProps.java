package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Lenient readers for event properties: SDKs send numbers as strings, booleans as "true", nulls anywhere. Kept apart
 * from the trace package's readers because features share nothing but the bus.
 */
final class EventProps {

    private EventProps() {
    }

    /** The value under {@code key}, or null when absent or JSON null. */
    static JsonNode get(JsonNode props, String key) {
        if (props == null || !props.isObject()) {
            return null;
        }
        JsonNode v = props.get(key);
        return v == null || v.isNull() || v.isMissingNode() ? null : v;
    }

    /** A non-blank scalar as text, else null. */
    static String text(JsonNode props, String key) {
        JsonNode v = get(props, key);
        if (v == null || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    /** A finite number, also from a numeric string; null when absent or not a number. */
    static Double number(JsonNode props, String key) {
        return number(get(props, key));
    }

    static Double number(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            return Double.isFinite(d) ? d : null;
        }
        if (v.isTextual()) {
            String s = v.asText().trim();
            if (s.isEmpty() || s.length() > 40) {
                return null;
            }
            try {
                double d = Double.parseDouble(s);
                return Double.isFinite(d) ? d : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** True for JSON true, "true", "yes" and non-zero numbers. */
    static boolean flag(JsonNode props, String key) {
        JsonNode v = get(props, key);
        if (v == null) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        if (v.isTextual()) {
            String s = v.asText().trim();
            return s.equalsIgnoreCase("true") || s.equalsIgnoreCase("yes") || s.equals("1");
        }
        return false;
    }

    /** Failed, by the one definition ({@link dev.prism.bus.TraceEvent#failed(JsonNode)}). */
    static boolean isError(JsonNode props) {
        return dev.prism.bus.TraceEvent.failed(props);
    }
}
