package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An event's error as message, HTTP status and the telling line of its stack trace, from plain text, a Python
 * exception string (often with a dict repr), a Python traceback, or a JSON-encoded JavaScript error.
 */
final class Errors {

    /** @param status null when neither the property nor the text names one; @param location the telling frame, or null */
    record Described(String message, Integer status, String location) {
    }

    private static final Pattern STATUS_IN_TEXT = Pattern.compile(
            "(?i)(?:error code|status(?:_code)?|http)[:= ]+\\s*([1-5]\\d\\d)\\b"
                    + "|\\b([45]\\d\\d) (?:Too Many Requests|Internal Server Error|Bad Request|Unauthorized|Forbidden|Not Found"
                    + "|Service Unavailable|Bad Gateway|Gateway Timeout|[A-Z_]{6,})"
                    + "|['\"]code['\"]\\s*:\\s*([45]\\d\\d)\\b");
    private static final Pattern PY_FRAME = Pattern.compile("File \"([^\"]+)\", line (\\d+), in (\\S+)");

    private Errors() {
    }

    static Described describe(JsonNode p) {
        JsonNode raw = p.get("$ai_error");
        String message;
        String location = null;
        if (raw == null || raw.isNull()) {
            message = "(no error message)";
        } else {
            JsonNode decoded = raw.isTextual() ? JsonText.decode(raw.asText()) : raw;
            if (decoded != null && decoded.isObject() && (decoded.has("message") || decoded.has("name"))) { // JS error
                message = (decoded.hasNonNull("name") ? decoded.get("name").asText() + ": " : "")
                        + JsonText.scalar(decoded.path("message"));
                location = jsFrame(decoded.path("stack").asText(""));
                if (decoded.has("status") || decoded.has("statusCode")) {
                    message += " (status " + decoded.path("status").asText(decoded.path("statusCode").asText()) + ")";
                }
            } else if (decoded != null) {
                message = JsonText.inline(decoded);
            } else {
                message = raw.asText();
            }
        }
        String stack = p.hasNonNull("$ai_error_stack") ? p.get("$ai_error_stack").asText() : message;
        if (location == null) {
            location = pythonFrame(stack);
        }
        if (message.contains("Traceback (most recent call last)")) {
            message = lastLine(message); // the exception line says what happened; the frames are in "at"
        }
        return new Described(JsonText.cut(message, 2_000), status(p, message + "\n" + stack), location);
    }

    private static Integer status(JsonNode p, String text) {
        JsonNode s = p.get("$ai_http_status");
        if (s != null && s.canConvertToInt() && s.asInt() >= 100) {
            return s.asInt();
        }
        Matcher m = STATUS_IN_TEXT.matcher(text.length() > 20_000 ? text.substring(0, 20_000) : text);
        if (m.find()) {
            String code = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            return Integer.parseInt(code);
        }
        return null;
    }

    /** The deepest frame of a Python traceback: where it actually broke. */
    private static String pythonFrame(String stack) {
        if (stack == null || !stack.contains("File \"")) {
            return null;
        }
        Matcher m = PY_FRAME.matcher(stack.length() > 100_000 ? stack.substring(stack.length() - 100_000) : stack);
        String last = null;
        while (m.find()) {
            last = m.group(1) + ":" + m.group(2) + " in " + m.group(3);
        }
        String exception = lastLine(stack);
        return last == null ? null : last + (exception.isEmpty() || stack == null ? "" : " — " + JsonText.cut(exception, 300));
    }

    /** The first frame of a JavaScript stack: where it was thrown. */
    private static String jsFrame(String stack) {
        for (String line : stack.split("\n", 12)) {
            String t = line.trim();
            if (t.startsWith("at ")) {
                return t.substring(3);
            }
        }
        return null;
    }

    private static String lastLine(String s) {
        String t = s.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1).trim();
    }
}
