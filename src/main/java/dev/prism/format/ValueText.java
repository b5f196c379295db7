package dev.prism.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns JSON values into readable text: objects as {@code key: value} lines, short values on one line, JSON that was
 * stored as a string decoded (recursively), binary content replaced by placeholders, long strings cut in the middle
 * with a note saying how much was cut. Never prints JSON escapes: strings are shown as their characters.
 */
final class ValueText {

    /** Characters of one message text shown before the middle is cut. */
    static final int TEXT_LIMIT = 3000;
    /** Characters of one string inside structured data shown before the middle is cut. */
    static final int VALUE_LIMIT = 1500;
    /** Characters of raw, unparseable JSON shown. */
    static final int BROKEN_LIMIT = 1000;
    /** A structured value stays on its label's line up to this width. */
    static final int INLINE_WIDTH = 160;
    /** Characters of one value inside a forced one-line rendering, such as a tool argument. */
    static final int ARG_LIMIT = 300;
    /** Levels of nesting rendered before a value is summarised. */
    static final int MAX_DEPTH = 10;
    /** Times a string holding JSON is decoded inside another decoded string. */
    private static final int MAX_DECODE = 4;
    /** Items of a list rendered: the first ones and the last ones, with a count of those left out between. */
    static final int HEAD_ITEMS = 40;
    static final int TAIL_ITEMS = 10;
    static final int MAX_FIELDS = 80;
    private static final int ONE_LINE_ITEMS = 20;

    private static final String OBJECT_OBJECT = "[object Object]";

    static final com.fasterxml.jackson.databind.ObjectReader JSON = dev.prism.common.JsonMapping.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ValueText() {
    }

    /** A string value seen as what it holds: decoded JSON, or text (cleaned, or a placeholder for binary content). */
    record Resolved(JsonNode json, String text, boolean placeholder) {
    }

    // ---------------------------------------------------------------- strings

    /**
     * The JSON a string holds when it is a JSON object, array or string literal, else null. Cheap for plain text: only
     * strings that start and end like JSON are handed to the parser.
     */
    static JsonNode parseJson(String s) {
        if (s == null) {
            return null;
        }
        int a = firstNonSpace(s);
        if (a < 0) {
            return null;
        }
        int b = lastNonSpace(s);
        char f = s.charAt(a);
        char l = s.charAt(b);
        if (!(f == '{' && l == '}' || f == '[' && l == ']' || f == '"' && l == '"' && b > a)) {
            return null;
        }
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    /** True for text that starts like a JSON object or list ({@code {"}, {@code [{}, …}) but does not parse. */
    static boolean looksLikeBrokenJson(String s) {
        int a = firstNonSpace(s);
        if (a < 0 || a + 1 >= s.length() || s.charAt(a) != '{' && s.charAt(a) != '[') {
            return false;
        }
        int b = a + 1;
        while (b < s.length() && Character.isWhitespace(s.charAt(b))) {
            b++;
        }
        if (b >= s.length()) {
            return false;
        }
        char c = s.charAt(b);
        return (c == '"' || c == '{' || c == '[' || s.charAt(a) == '{' && c == '}') && parseJson(s) == null;
    }

    /** Resolves a string value stored under {@code key}, cutting text to {@code limit}. */
    static Resolved resolve(String key, String s, int limit, int depth) {
        String placeholder = BinaryText.placeholder(key, s);
        if (placeholder != null) {
            return new Resolved(null, placeholder, true);
        }
        if (depth < MAX_DECODE) {
            JsonNode json = parseJson(s);
            if (json != null) {
                if (json.isTextual()) {
                    return resolve(key, json.textValue(), limit, depth + 1);
                }
                return new Resolved(json, null, false);
            }
            if (looksLikeBrokenJson(s)) {
                return new Resolved(null, "(invalid JSON, shown raw) " + clean(unescape(cut(s, BROKEN_LIMIT)), BROKEN_LIMIT + 100), false);
            }
        }
        return new Resolved(null, clean(s, limit), false);
    }

    /** {@code s} cut to {@code limit} with binary runs replaced by placeholders. */
    static String clean(String s, int limit) {
        String cleaned = BinaryText.replaceRuns(cut(s, limit));
        // What a JavaScript SDK records when it stringifies an object: say so instead of echoing the artefact.
        return cleaned.contains(OBJECT_OBJECT) ? cleaned.replace(OBJECT_OBJECT, "(an object the SDK did not serialise)") : cleaned;
    }

    /**
     * {@code s} with its middle replaced by {@code … [N chars cut] …} when longer than {@code max}; the head gets a
     * little more room than the tail, and both ends snap to a nearby line break so logs stay line-shaped.
     */
    static String cut(String s, int max) {
        if (s == null) {
            return "";
        }
        int n = s.length();
        if (n <= max) {
            return s;
        }
        int keep = Math.max(2, max - 30);
        int head = keep * 3 / 5;
        int tailStart = n - (keep - head);
        int nl = s.lastIndexOf('\n', head);
        if (nl > head - keep / 8 && nl > 0) {
            head = nl + 1;
        }
        int tnl = s.indexOf('\n', tailStart);
        if (tnl >= 0 && tnl < tailStart + keep / 8 && tnl + 1 < n) {
            tailStart = tnl + 1;
        }
        if (head > 0 && Character.isHighSurrogate(s.charAt(head - 1))) {
            head--;
        }
        if (tailStart < n && Character.isLowSurrogate(s.charAt(tailStart))) {
            tailStart++;
        }
        boolean headLine = head > 0 && s.charAt(head - 1) == '\n';
        boolean tailLine = tailStart > 0 && s.charAt(tailStart - 1) == '\n';
        StringBuilder sb = new StringBuilder(max + 40);
        sb.append(s, 0, head).append(headLine ? "" : " ")
                .append("… [").append(Fmt.count(tailStart - head)).append(" chars cut] …")
                .append(tailLine ? "\n" : " ").append(s, tailStart, n);
        return sb.toString();
    }

    /** Undoes JSON string escapes in raw text, for broken JSON shown as it is. */
    static String unescape(String s) {
        int i = s.indexOf('\\');
        if (i < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, i);
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                sb.append(c);
                i++;
                continue;
            }
            char e = s.charAt(i + 1);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> { }
                case '"', '\\', '/' -> sb.append(e);
                case 'u' -> {
                    if (i + 6 <= n && isHex(s, i + 2, i + 6)) {
                        sb.append((char) Integer.parseInt(s, i + 2, i + 6, 16));
                        i += 4;
                    } else {
                        sb.append("\\u");
                    }
                }
                default -> sb.append('\\').append(e);
            }
            i += 2;
        }
        return sb.toString();
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code label: value}, on one line when it fits, else with the value's lines indented beneath. */
    static void labeled(TextOut out, String label, JsonNode v) {
        write(out, label + ": ", label, v, VALUE_LIMIT, 0);
    }

    /**
     * Writes {@code lead} followed by the value: text hangs after the lead, a structured value stays on the lead's line
     * when it fits, else goes beneath it, indented.
     */
    static void write(TextOut out, String lead, String key, JsonNode v, int limit, int depth) {
        if (v != null && v.isTextual()) {
            Resolved r = resolve(key, v.textValue(), limit, 0);
            if (r.json == null) {
                out.hanging(lead, r.text, "  ");
                return;
            }
            v = r.json;
        }
        if (v == null || !v.isContainerNode()) {
            out.line(lead + scalar(v));
            return;
        }
        String inline = inline(v, Math.max(40, INLINE_WIDTH - lead.length()), depth);
        if (inline != null) {
            out.line(lead + inline);
            return;
        }
        out.line(lead.stripTrailing());
        String old = out.push("  ");
        block(out, v, depth + 1);
        out.indent(old);
    }

    /** Writes {@code lead} followed by a string value: its text, or the JSON it holds. */
    static void write(TextOut out, String lead, String key, String s, int limit) {
        Resolved r = resolve(key, s == null ? "" : s, limit, 0);
        if (r.json == null) {
            out.hanging(lead, r.text, "  ");
        } else {
            write(out, lead, key, r.json, limit, 0);
        }
    }

    /** Writes a value as lines at the current indent: fields as {@code key: value}, items as {@code - item}. */
    static void block(TextOut out, JsonNode v, int depth) {
        if (v == null || !v.isContainerNode()) {
            write(out, "", null, v, VALUE_LIMIT, depth);
            return;
        }
        if (depth > MAX_DEPTH) {
            out.line(oneLine(v, ARG_LIMIT, VALUE_LIMIT));
            return;
        }
        if (v.isObject()) {
            int shown = 0;
            int skipped = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (isBlank(f.getValue())) {
                    continue;
                }
                if (shown == MAX_FIELDS) {
                    skipped++;
                    continue;
                }
                shown++;
                write(out, f.getKey() + ": ", f.getKey(), f.getValue(), VALUE_LIMIT, depth);
            }
            if (skipped > 0) {
                out.line("… " + Fmt.count(skipped) + " more fields");
            }
            if (shown == 0 && skipped == 0) {
                out.line("{}");
            }
            return;
        }
        int size = v.size();
        if (size == 0) {
            out.line("[]");
            return;
        }
        for (int i = 0; i < size; i++) {
            if (size > HEAD_ITEMS + TAIL_ITEMS && i == HEAD_ITEMS) {
                out.line("… " + Fmt.count(size - HEAD_ITEMS - TAIL_ITEMS) + " more items …");
                i = size - TAIL_ITEMS;
            }
            item(out, v.get(i), depth);
        }
    }

    /** One list item: {@code - value}, with a structured value's first line on the dash line, YAML-style. */
    private static void item(TextOut out, JsonNode item, int depth) {
        if (item != null && item.isTextual()) {
            Resolved r = resolve(null, item.textValue(), VALUE_LIMIT, 0);
            if (r.json == null) {
                out.hanging("- ", r.text, "  ");
                return;
            }
            item = r.json;
        }
        if (item == null || !item.isContainerNode() || item.isEmpty()) {
            out.line("- " + (item != null && item.isContainerNode() ? (item.isArray() ? "[]" : "{}") : scalar(item)));
            return;
        }
        String inline = inline(item, INLINE_WIDTH - 2, depth);
        if (inline != null) {
            out.line("- " + inline);
            return;
        }
        String old = out.push("  ");
        int at = out.length() + old.length();
        block(out, item, depth + 1);
        out.indent(old);
        StringBuilder sb = out.buffer();
        if (at + 1 < sb.length() && sb.charAt(at) == ' ' && sb.charAt(at + 1) == ' ') {
            sb.setCharAt(at, '-'); // the first field goes on the dash line
        }
    }

    /**
     * The value on one line when it fits in {@code width} characters and holds no multi-line text, else null.
     * Strings are quoted (without escaping: quotes inside stay as they are), keys are not.
     */
    static String inline(JsonNode v, int width, int depth) {
        StringBuilder sb = new StringBuilder(Math.min(width, 256));
        return appendInline(sb, null, v, width, depth, false, ARG_LIMIT) ? sb.toString() : null;
    }

    /** The value forced onto one line: long strings cut to {@code perValue}, the whole cut to {@code total}. */
    static String oneLine(JsonNode v, int perValue, int total) {
        StringBuilder sb = new StringBuilder(64);
        appendInline(sb, null, v, Integer.MAX_VALUE, 0, true, perValue);
        return sb.length() > total ? cut(sb.toString(), total) : sb.toString();
    }

    /** Appends the inline form; returns false (leaving garbage) when it does not fit, unless {@code forced}. */
    static boolean appendInline(StringBuilder sb, String key, JsonNode v, int width, int depth, boolean forced, int perValue) {
        if (!forced && sb.length() > width) {
            return false;
        }
        if (v != null && v.isTextual()) {
            String raw = v.textValue();
            if (!forced && raw.length() > width - sb.length() && BinaryText.placeholder(key, raw) == null) {
                return false; // too long to fit whatever it holds; spares parsing big JSON strings twice
            }
            Resolved r = resolve(key, raw, perValue, 0);
            if (r.json == null) {
                String t = r.text;
                if (t.indexOf('\n') >= 0) {
                    if (!forced) {
                        return false;
                    }
                    t = t.replace("\r", "").replace("\n", "\\n");
                }
                if (r.placeholder) {
                    sb.append(t); // a placeholder is not a string value
                } else {
                    sb.append('"').append(t).append('"');
                }
                return forced || sb.length() <= width;
            }
            v = r.json;
        }
        if (v == null || !v.isContainerNode()) {
            sb.append(scalar(v));
            return forced || sb.length() <= width;
        }
        if (depth > MAX_DEPTH) {
            sb.append(v.isArray() ? "[…]" : "{…}");
            return true;
        }
        if (v.isObject()) {
            sb.append('{');
            boolean first = true;
            int shown = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (isBlank(f.getValue())) {
                    continue;
                }
                if (forced && shown == ONE_LINE_ITEMS) {
                    sb.append(", …");
                    break;
                }
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                shown++;
                sb.append(f.getKey()).append(": ");
                if (!appendInline(sb, f.getKey(), f.getValue(), width, depth + 1, forced, perValue)) {
                    return false;
                }
            }
            sb.append('}');
        } else {
            if (!forced && v.size() > ONE_LINE_ITEMS) {
                return false;
            }
            sb.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (forced && i == ONE_LINE_ITEMS) {
                    sb.append(", … ").append(Fmt.count(v.size() - i)).append(" more");
                    break;
                }
                if (i > 0) {
                    sb.append(", ");
                }
                if (!appendInline(sb, key, v.get(i), width, depth + 1, forced, perValue)) {
                    return false;
                }
            }
            sb.append(']');
        }
        return forced || sb.length() <= width;
    }

    /** A scalar's text: numbers without exponents, null as "null". */
    static String scalar(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "null";
        }
        if (v.isFloatingPointNumber()) {
            String t = v.asText();
            if (t.indexOf('E') >= 0 || t.indexOf('e') >= 0) {
                try {
                    return new BigDecimal(t).stripTrailingZeros().toPlainString();
                } catch (NumberFormatException e) {
                    return t;
                }
            }
            return t;
        }
        if (v.isContainerNode()) {
            return oneLine(v, ARG_LIMIT, VALUE_LIMIT);
        }
        return v.asText();
    }

    /** Null, missing, an empty string or an empty container: nothing worth a line. */
    static boolean isBlank(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() || v.isContainerNode() && v.isEmpty()
                || v.isTextual() && v.textValue().isBlank();
    }

    private static int firstNonSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int lastNonSpace(String s) {
        for (int i = s.length() - 1; i >= 0; i--) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
