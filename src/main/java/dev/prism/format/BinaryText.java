package dev.prism.format;

import java.util.Locale;
import java.util.Map;

/**
 * Recognises binary content carried as text (data URLs, base64 blobs, signatures, encrypted reasoning) and replaces it
 * with a short placeholder naming its type and size, such as {@code [image/png base64, 48 KB]}. Such content means
 * nothing to a reader and can be most of a trace's bytes.
 */
final class BinaryText {

    /** A whole value this long made only of base64 characters is treated as binary. */
    static final int MIN_BLOB = 120;
    /** A base64 run this long inside prose is treated as binary. */
    static final int MIN_RUN = 200;
    /** Opaque fields (signatures, encrypted content) shorter than this are shown as they are. */
    private static final int MIN_OPAQUE = 16;

    /** Keys whose values are opaque tokens, whatever their alphabet, with the name their placeholder gets. */
    private static final Map<String, String> OPAQUE_KEYS = Map.ofEntries(
            Map.entry("signature", "signature"),
            Map.entry("thoughtsignature", "thought signature"),
            Map.entry("thought_signature", "thought signature"),
            Map.entry("encrypted_content", "encrypted reasoning"),
            Map.entry("encryptedcontent", "encrypted reasoning"),
            Map.entry("encrypted_reasoning", "encrypted reasoning"),
            Map.entry("redacted_thinking", "redacted thinking"));

    /** Keys that usually hold file contents; replaced when the value is base64-like and long. */
    private static final java.util.Set<String> DATA_KEYS = java.util.Set.of("data", "bytes", "b64_json", "base64",
            "blob", "image", "image_data", "file_data", "filedata", "audio", "audio_data", "result", "content", "image_url",
            "url", "file", "source");

    /** Magic prefixes of base64-encoded files, to name a blob's type when nothing else does. */
    private static final String[][] MAGIC = {
            {"iVBOR", "image/png"}, {"/9j/", "image/jpeg"}, {"R0lGOD", "image/gif"},
            {"JVBERi", "application/pdf"}, {"UEsDB", "application/zip"}, {"SUQz", "audio/mpeg"},
            {"T2dnUw", "audio/ogg"}, {"AAAAIGZ0eXA", "video/mp4"}, {"AAAAGGZ0eXA", "video/mp4"}, {"AAAAHGZ0eXA", "video/mp4"},
            {"PD94bWwg", "text/xml"}, {"PHN2Zy", "image/svg+xml"}, {"H4sI", "application/gzip"}};

    private BinaryText() {
    }

    /**
     * The placeholder for {@code value} stored under {@code key} when it is binary, else null. Checks only what can be
     * decided cheaply from the key, the prefix and one scan of the characters.
     */
    static String placeholder(String key, String value) {
        if (value == null || value.length() < MIN_OPAQUE) {
            return null;
        }
        if (key != null) {
            String opaque = OPAQUE_KEYS.get(key.toLowerCase(Locale.ROOT));
            if (opaque != null) {
                return "[" + opaque + ", " + Fmt.bytes(decodedSize(value.length())) + "]";
            }
        }
        String dataUrl = dataUrl(value);
        if (dataUrl != null) {
            return dataUrl;
        }
        boolean dataKey = key != null && DATA_KEYS.contains(key.toLowerCase(Locale.ROOT));
        if (value.length() >= (dataKey ? 64 : MIN_BLOB) && isBase64(value, 0, value.length(), true)) {
            return blob(null, value, 0, value.length());
        }
        return null;
    }

    /** {@code [image/png base64, 48 KB]} for a {@code data:…;base64,…} URL, else null. */
    static String dataUrl(String s) {
        if (!s.regionMatches(true, 0, "data:", 0, 5)) {
            return null;
        }
        int comma = s.indexOf(',', 5);
        if (comma < 0 || comma > 200) {
            return null;
        }
        String meta = s.substring(5, comma);
        boolean base64 = meta.toLowerCase(Locale.ROOT).endsWith(";base64");
        String mime = base64 ? meta.substring(0, meta.length() - 7) : meta;
        int semi = mime.indexOf(';');
        if (semi >= 0) {
            mime = mime.substring(0, semi);
        }
        if (mime.isBlank()) {
            mime = base64 ? sniff(s, comma + 1) : "data";
        }
        long size = base64 ? decodedSize(s.length() - comma - 1) : s.length() - comma - 1;
        return "[" + mime + (base64 ? " base64, " : " data URL, ") + Fmt.bytes(size) + "]";
    }

    /** A placeholder for the base64 characters in {@code s[from, to)}, typed by {@code mime} or by their magic prefix. */
    static String blob(String mime, CharSequence s, int from, int to) {
        String type = mime != null && !mime.isBlank() ? mime : sniff(s, from);
        return "[" + (type == null ? "base64" : type + " base64") + ", " + Fmt.bytes(decodedSize(to - from)) + "]";
    }

    /**
     * True when a value from a field that holds file data (an image's {@code data}, a blob's {@code content}) is base64.
     * Only its start is checked: the field says what it holds, and a multi-megabyte image need not be read through.
     */
    static boolean isBase64Data(String data) {
        int n = data.length();
        if (n < 64 || !isBase64(data, 0, Math.min(n, 512), true)) {
            return false;
        }
        for (int i = Math.max(512, n - 64); i < n; i++) { // and it ends like base64, not like prose after a blob
            char c = data.charAt(i);
            if (!isBase64Char(c) && c != '=' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /** A placeholder for base64 file data whose media type is known, e.g. from an Anthropic source block. */
    static String media(String mime, String data) {
        if (data == null) {
            return "[" + (mime == null ? "file" : mime) + "]";
        }
        String url = dataUrl(data);
        if (url != null) {
            return url;
        }
        return blob(mime, data, 0, data.length());
    }

    /** Decoded byte count of {@code chars} base64 characters. */
    static long decodedSize(long chars) {
        return chars * 3 / 4;
    }

    /** The media type a base64 blob starts like, or null. */
    static String sniff(CharSequence s, int from) {
        for (String[] m : MAGIC) {
            String magic = m[0];
            if (from + magic.length() <= s.length()) {
                boolean match = true;
                for (int i = 0; i < magic.length() && match; i++) {
                    match = s.charAt(from + i) == magic.charAt(i);
                }
                if (match) {
                    return m[1];
                }
            }
        }
        return null;
    }

    /**
     * True when {@code s[from, to)} is base64 (standard or URL-safe alphabet, optional padding, line breaks allowed when
     * {@code allowBreaks}) and mixes upper case, lower case and digits, which ordinary words and hex digests do not.
     */
    static boolean isBase64(CharSequence s, int from, int to, boolean allowBreaks) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (c >= 'a' && c <= 'z') {
                lower = true;
            } else if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '+' || c == '/' || c == '-' || c == '_') {
                continue;
            } else if (c == '=') {
                if (i < to - 3 && !allowBreaks) {
                    return false;
                }
            } else if (!(allowBreaks && (c == '\n' || c == '\r'))) {
                return false;
            }
        }
        return upper && lower && digit;
    }

    static boolean isBase64Char(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_';
    }

    /**
     * Start of the first base64 run of at least {@link #MIN_RUN} characters at or after {@code from}, or -1.
     * Skips ahead: a run that long starting anywhere in {@code [i, i + MIN_RUN)} must cover {@code i + MIN_RUN - 1},
     * so when that character cannot be base64 the whole window is passed over. Prose is checked about one word per
     * {@value #MIN_RUN} characters.
     */
    static int findRun(String s, int from) {
        int n = s.length();
        int i = from;
        while (i + MIN_RUN <= n) {
            int probe = i + MIN_RUN - 1;
            if (!isBase64Char(s.charAt(probe))) {
                i = probe + 1;
                continue;
            }
            int start = probe;
            while (start > i && isBase64Char(s.charAt(start - 1))) {
                start--;
            }
            int end = probe + 1;
            while (end < n && isBase64Char(s.charAt(end))) {
                end++;
            }
            if (end - start >= MIN_RUN && isBase64(s, start, end, false)) {
                return start;
            }
            i = end + 1;
        }
        return -1;
    }

    /**
     * {@code s} with every embedded data URL and every base64 run of at least {@link #MIN_RUN} characters replaced by
     * a placeholder; {@code s} itself when it holds none.
     */
    static String replaceRuns(String s) {
        int run = findRun(s, 0);
        if (run < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), run + 4096));
        int copied = 0;
        int n = s.length();
        while (run >= 0) {
            int end = run;
            while (end < n && isBase64Char(s.charAt(end))) {
                end++;
            }
            for (int pad = 0; pad < 2 && end < n && s.charAt(end) == '='; pad++) {
                end++;
            }
            int replaceFrom = run;
            String mime = null;
            int marker = run - ";base64,".length();
            if (marker >= copied && s.regionMatches(true, marker, ";base64,", 0, 8)) {
                int dataAt = s.lastIndexOf("data:", marker);
                if (dataAt >= copied && marker - dataAt <= 100) {
                    mime = s.substring(dataAt + 5, marker);
                    replaceFrom = dataAt;
                }
            }
            out.append(s, copied, replaceFrom).append(blob(mime, s, run, end));
            copied = end;
            run = findRun(s, end);
        }
        return out.append(s, copied, n).toString();
    }
}
