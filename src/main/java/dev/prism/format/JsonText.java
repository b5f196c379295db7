package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Any JSON value as readable text: strings that hold JSON are decoded (so nothing is printed double-encoded), binary
 * and opaque blobs become a short placeholder naming type and size, long strings are cut in the middle with a note,
 * objects read as {@code key: value} lines. Never throws; linear in the input (huge strings are cut before they are
 * scanned further).
 */
final class JsonText {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Longest string shown whole; longer ones keep their head and tail. */
    static final int MAX_STRING = 4_000;
    /** Strings longer than this are never parsed as JSON: the cut matters more than the structure. */
    private static final int MAX_DECODE = 200_000;
    private static final Set<String> OPAQUE_KEYS = Set.of("signature", "thoughtSignature", "thought_signature",
            "encrypted_content", "redacted_thinking", "data", "bytes", "b64_json", "image_bytes");

    private JsonText() {
    }

    /** A string value as shown: decoded JSON rendered inline, a placeholder for blobs, or the text (cut if long). */
    static String string(String s) {
        String blob = blob(s);
        if (blob != null) {
            return blob;
        }
        JsonNode decoded = decode(s);
        if (decoded != null) {
            return inline(decoded);
        }
        return cut(s);
    }

    /** The JSON a string holds, when it is an object or array; null otherwise (including broken JSON). */
    static JsonNode decode(String s) {
        if (s == null || s.length() < 2 || s.length() > MAX_DECODE) {
            return null;
        }
        char first = firstNonSpace(s);
        if (first != '{' && first != '[') {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(s);
            return n != null && n.isContainerNode() ? n : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** A value on one line when short ({@code {a: 1, b: "x"}}), else as indented lines. */
    static String inline(JsonNode v) {
        StringBuilder sb = new StringBuilder();
        compact(v, sb, 0);
        if (sb.length() <= 300 && sb.indexOf("\n") < 0) {
            return sb.toString();
        }
        StringBuilder block = new StringBuilder();
        block(v, block, "  ");
        return "\n" + block;
    }

    /** Scalars as text, containers as {@code key: value} lines indented by {@code indent}. */
    static void block(JsonNode v, StringBuilder out, String indent) {
        if (v == null || v.isMissingNode()) {
            return;
        }
        if (v.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode x = e.getValue();
                out.append(indent).append(e.getKey()).append(':');
                if (OPAQUE_KEYS.contains(e.getKey()) && x.isTextual() && x.asText().length() > 40) {
                    out.append(' ').append(placeholder("opaque " + e.getKey(), x.asText().length())).append('\n');
                } else if (x.isContainerNode() && !x.isEmpty() && !shortContainer(x)) {
                    out.append('\n');
                    block(x, out, indent + "  ");
                } else {
                    out.append(' ').append(scalarOrShort(x)).append('\n');
                }
            }
        } else if (v.isArray()) {
            for (JsonNode x : v) {
                if (x.isContainerNode() && !shortContainer(x)) {
                    out.append(indent).append("-\n");
                    block(x, out, indent + "  ");
                } else {
                    out.append(indent).append("- ").append(scalarOrShort(x)).append('\n');
                }
            }
        } else {
            String text = scalar(v);
            out.append(indent).append(text.replace("\n", "\n" + indent)).append('\n');
        }
    }

    private static boolean shortContainer(JsonNode x) {
        StringBuilder sb = new StringBuilder();
        compact(x, sb, 0);
        return sb.length() <= 120 && sb.indexOf("\n") < 0;
    }

    private static String scalarOrShort(JsonNode x) {
        if (x.isContainerNode()) {
            StringBuilder sb = new StringBuilder();
            compact(x, sb, 0);
            return sb.toString();
        }
        return scalar(x);
    }

    /** {@code {key: value, …}} without quotes on keys; strings quoted only inside containers. */
    static void compact(JsonNode v, StringBuilder out, int depth) {
        if (out.length() > 2_000) {
            out.append('…');
            return;
        }
        if (v.isObject()) {
            out.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.append(first ? "" : ", ").append(e.getKey()).append(": ");
                if (OPAQUE_KEYS.contains(e.getKey()) && e.getValue().isTextual() && e.getValue().asText().length() > 40) {
                    out.append(placeholder("opaque " + e.getKey(), e.getValue().asText().length()));
                } else {
                    compact(e.getValue(), out, depth + 1);
                }
                first = false;
            }
            out.append('}');
        } else if (v.isArray()) {
            out.append('[');
            for (int i = 0; i < v.size(); i++) {
                out.append(i == 0 ? "" : ", ");
                compact(v.get(i), out, depth + 1);
            }
            out.append(']');
        } else if (v.isTextual()) {
            String s = string(v.asText());
            out.append(depth == 0 || s.startsWith("[") && s.endsWith("]") ? s : '"' + s + '"');
        } else {
            out.append(scalar(v));
        }
    }

    static String scalar(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "null";
        }
        if (v.isTextual()) {
            return string(v.asText());
        }
        if (v.isContainerNode()) {
            return inline(v);
        }
        return v.asText();
    }

    /** A placeholder for base64, data URLs and other opaque runs; null for ordinary text. */
    static String blob(String s) {
        if (s == null || s.length() < 64) {
            return null;
        }
        if (s.startsWith("data:")) {
            int comma = s.indexOf(',');
            int semi = s.indexOf(';');
            String mime = semi > 5 && semi < comma ? s.substring(5, semi) : comma > 5 ? s.substring(5, comma) : "data";
            int payload = comma < 0 ? s.length() : s.length() - comma - 1;
            return placeholder(mime + " base64", payload * 3 / 4);
        }
        if (s.length() >= 200 && looksBase64(s)) {
            return placeholder("base64 data", s.length() * 3 / 4);
        }
        return null;
    }

    private static boolean looksBase64(String s) {
        int letters = 0;
        int digitsOrSigns = 0;
        int limit = Math.min(s.length(), 4_096); // a prefix decides; scanning megabytes would cost more than it tells
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (Character.isLetter(c) && c < 128) {
                letters++;
            } else if (c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
                digitsOrSigns++;
            } else if (c != '\n' && c != '\r') {
                return false;
            }
        }
        return digitsOrSigns > 0 && letters > 0;
    }

    static String placeholder(String kind, long bytes) {
        String size = bytes >= 1_048_576 ? TraceFormatter.decimal(bytes / 1_048_576.0, 1) + " MB"
                : bytes >= 1024 ? (bytes / 1024) + " KB" : bytes + " bytes";
        return "[" + kind + ", " + size + "]";
    }

    /** Head and tail of a long string, with how much was left out. */
    static String cut(String s) {
        return cut(s, MAX_STRING);
    }

    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int head = max * 2 / 3;
        int tail = max - head;
        return s.substring(0, head) + " … [" + TraceFormatter.thousands(s.length() - head - tail) + " chars cut] … "
                + s.substring(s.length() - tail);
    }

    static JsonNode parseOrText(String s) {
        JsonNode decoded = decode(s);
        return decoded != null ? decoded : JsonNodeFactory.instance.textNode(s);
    }

    private static char firstNonSpace(String s) {
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c;
            }
        }
        return ' ';
    }
}
