package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * An event's error as a reader needs it: the HTTP status (from {@code $ai_http_status}, or found in the error text when
 * SDKs send 0 or nothing), the message, and the telling line of a stack trace instead of the whole trace: for Python,
 * the last {@code File …} line (and the last one in application code when the failure surfaced inside a library) and
 * the final exception line; for JavaScript, the first frame.
 */
final class ErrorRenderer {

    private static final int MESSAGE_LIMIT = 1500;
    /** Only the start of an error text is searched for a status: it is always near the top. */
    private static final int STATUS_SEARCH = 4000;

    /** Words that, right before a 4xx/5xx number, make it an HTTP status ("Error code: 429", "status_code=500"). */
    private static final String[] STATUS_WORDS = {"error code", "status code", "status_code", "statuscode", "http_status",
            "status", "http/1.0", "http/1.1", "http/2", "http", "code", "error"};
    /** Words that, right after a 4xx/5xx number, make it an HTTP status ("502 Bad Gateway", "504 DEADLINE_EXCEEDED"). */
    private static final String[] STATUS_REASONS = {"too many requests", "internal server error", "bad gateway",
            "service unavailable", "gateway timeout", "bad request", "unauthorized", "forbidden", "not found", "request timeout",
            "payload too large", "conflict", "unprocessable entity", "deadline_exceeded", "resource_exhausted", "unavailable",
            "internal", "overloaded"};

    private ErrorRenderer() {
    }

    /** What an error says. */
    record Described(String message, List<String> frames, Integer status) {
    }

    /** Writes the event's error lines, if it failed. */
    static void write(TextOut out, JsonNode props) {
        if (EventProps.isError(props)) {
            write(out, props, describe(EventProps.get(props, "$ai_error")));
        }
    }

    /** Writes the error lines of a failed event whose {@code $ai_error} is already described. */
    static void write(TextOut out, JsonNode props, Described d) {
        List<String> frames = d.frames();
        String stack = EventProps.text(props, "$ai_error_stack");
        if (stack != null && frames.isEmpty()) {
            Described fromStack = describe(stack);
            frames = fromStack.frames();
            if (d.message() == null) {
                d = new Described(fromStack.message(), frames, d.status());
            }
        }
        Integer status = status(props, d);
        String head = "ERROR" + (status == null ? "" : " (HTTP " + status + ")") + ": ";
        out.hanging(head, d.message() == null ? "(no error message)" : ValueText.clean(d.message(), MESSAGE_LIMIT), "  ");
        for (String f : frames) {
            out.line("  at " + f);
        }
    }

    /** The HTTP status of a failed call: the property when it is a real status, else one named in the error. */
    static Integer status(JsonNode props, Described d) {
        Double property = EventProps.number(props, "$ai_http_status");
        if (property != null && property >= 100 && property < 600) {
            return property >= 400 ? property.intValue() : d.status();
        }
        return d.status();
    }

    /** Reads an error given as text (plain, Python exception, traceback, JSON) or as an object. */
    static Described describe(JsonNode error) {
        if (error == null || error.isNull() || error.isMissingNode()) {
            return new Described(null, List.of(), null);
        }
        if (error.isTextual()) {
            return describe(error.textValue());
        }
        if (error.isObject()) {
            return describeObject(error);
        }
        return new Described(ValueText.scalar(error), List.of(), null);
    }

    static Described describe(String text) {
        JsonNode json = ValueText.parseJson(text);
        if (json != null && json.isObject()) {
            return describeObject(json);
        }
        if (json != null && json.isTextual()) {
            return describe(json.textValue());
        }
        Integer status = statusIn(text);
        if (text.contains("Traceback (most recent call last)")) {
            return python(text, status);
        }
        int frame = text.indexOf("\n    at ");
        if (frame > 0) {
            return new Described(text.substring(0, frame).strip(), List.of(firstFrame(text, frame + 1)), status);
        }
        return new Described(text.strip(), List.of(), status);
    }

    /** A JavaScript error serialised as {@code {name, message, stack}}, or an API error body. */
    private static Described describeObject(JsonNode o) {
        JsonNode inner = o.path("error").isObject() ? o.get("error") : o;
        String name = firstText(o, "name", "type", "code");
        if (name == null && inner != o) {
            name = firstText(inner, "type", "name");
        }
        String message = firstText(o, "message", "msg", "detail", "error");
        if (message == null && inner != o) {
            message = firstText(inner, "message", "msg", "detail");
        }
        Integer status = null;
        for (JsonNode holder : new JsonNode[]{o, inner, o.path("response")}) {
            for (String k : new String[]{"status", "statusCode", "status_code", "code"}) {
                Double n = EventProps.number(holder.get(k));
                if (status == null && n != null && n >= 400 && n < 600) {
                    status = n.intValue();
                }
            }
        }
        List<String> frames = new ArrayList<>();
        String stack = firstText(o, "stack", "traceback", "stacktrace");
        if (stack != null) {
            Described fromStack = describe(stack);
            frames.addAll(fromStack.frames());
            if (message == null) {
                message = fromStack.message();
            }
        }
        if (message == null && name == null) {
            return new Described(ValueText.oneLine(o, 300, MESSAGE_LIMIT), frames, status);
        }
        if (status == null && message != null) {
            status = statusIn(message);
        }
        String text = name == null || message != null && message.startsWith(name) ? message
                : message == null ? name : name + ": " + message;
        return new Described(text, frames, status);
    }

    /** The final exception line, with the last frame and, when that frame is in a library, the last one in the application. */
    private static Described python(String text, Integer status) {
        String[] lines = text.split("\n");
        String exception = null;
        int lastFile = -1;
        int lastAppFile = -1;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            String t = l.strip();
            if (t.startsWith("File \"")) {
                lastFile = i;
                if (!isLibrary(t)) {
                    lastAppFile = i;
                }
            } else if (!t.isEmpty() && !Character.isWhitespace(l.charAt(0)) && !t.startsWith("Traceback (most recent call last)")
                    && !t.startsWith("During handling of the above") && !t.startsWith("The above exception")) {
                exception = t;
            }
        }
        List<String> frames = new ArrayList<>(2);
        if (lastAppFile >= 0 && lastAppFile != lastFile) {
            frames.add(frame(lines, lastAppFile));
        }
        if (lastFile >= 0) {
            frames.add(frame(lines, lastFile));
        }
        return new Described(exception != null ? exception : lines[lines.length - 1].strip(), frames, status);
    }

    private static String frame(String[] lines, int i) {
        String file = lines[i].strip();
        if (i + 1 < lines.length) {
            String code = lines[i + 1].strip();
            if (!code.isEmpty() && !code.startsWith("File \"") && Character.isWhitespace(lines[i + 1].charAt(0))) {
                return ValueText.cut(file + ": " + code, 500);
            }
        }
        return ValueText.cut(file, 500);
    }

    private static boolean isLibrary(String fileLine) {
        return fileLine.contains("site-packages") || fileLine.contains("dist-packages") || fileLine.contains("/lib/python")
                || fileLine.contains("<frozen ");
    }

    private static String firstFrame(String text, int from) {
        int end = text.indexOf('\n', from);
        String line = (end < 0 ? text.substring(from) : text.substring(from, end)).strip();
        if (line.startsWith("at ")) {
            line = line.substring(3);
        }
        return ValueText.cut(line, 500);
    }

    /**
     * A 4xx/5xx status named in the text: "Error code: 429", "status_code=500", "HTTP/1.1 503", "502 Bad Gateway".
     * Looks only at three-digit numbers in the first {@value #STATUS_SEARCH} characters and the words around them, so
     * ports, line numbers and counts are not taken for statuses and long texts cost nothing.
     */
    static Integer statusIn(String text) {
        if (text == null) {
            return null;
        }
        int n = Math.min(text.length(), STATUS_SEARCH);
        for (int i = 0; i + 3 <= n; i++) {
            char c = text.charAt(i);
            if (c != '4' && c != '5' || !Character.isDigit(text.charAt(i + 1)) || !Character.isDigit(text.charAt(i + 2))
                    || i > 0 && Character.isLetterOrDigit(text.charAt(i - 1))
                    || i + 3 < text.length() && Character.isLetterOrDigit(text.charAt(i + 3))) {
                continue;
            }
            if (wordBefore(text, i) || reasonAfter(text, i + 3)) {
                return Integer.parseInt(text, i, i + 3, 10);
            }
        }
        return null;
    }

    private static boolean wordBefore(String s, int at) {
        int j = at - 1;
        while (j >= 0 && at - j <= 8 && " :='\"".indexOf(s.charAt(j)) >= 0) {
            j--;
        }
        for (String w : STATUS_WORDS) {
            int start = j - w.length() + 1;
            if (start >= 0 && s.regionMatches(true, start, w, 0, w.length()) && (start == 0 || !Character.isLetter(s.charAt(start - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean reasonAfter(String s, int at) {
        if (at >= s.length() || s.charAt(at) != ' ') {
            return false;
        }
        for (String r : STATUS_REASONS) {
            if (s.regionMatches(true, at + 1, r, 0, r.length())) {
                return true;
            }
        }
        return false;
    }

    private static String firstText(JsonNode o, String... keys) {
        for (String k : keys) {
            JsonNode v = o.get(k);
            if (v != null && v.isTextual() && !v.textValue().isBlank()) {
                return v.textValue();
            }
        }
        return null;
    }
}
