package dev.prism.theme;

/**
 * The case folding of icontains, identical in Java and SQL: ASCII A–Z plus every upper-case letter of Latin-1,
 * Latin Extended-A/B, Greek and Cyrillic mapped to its simple lower case, one character to one character. Nothing
 * else changes (e.g. {@code ß}, final sigma {@code ς} and letters of other scripts stay as they are).
 *
 * <p>Why not PostgreSQL's {@code lower()}/{@code ILIKE}: they fold according to the database's locale (a C-locale
 * database folds ASCII only, a UTF-8 one folds everything libc knows), so no Java code could match every
 * deployment. SQL applies this exact table with {@code translate()} instead, which no locale affects.
 */
final class CaseFold {

    /** Upper-case letters and, at the same positions, their lower case. Letters only: safe inside a SQL literal. */
    static final String UPPER;
    static final String LOWER;

    private static final char[] MAP = new char[0x0530];

    static {
        StringBuilder upper = new StringBuilder();
        StringBuilder lower = new StringBuilder();
        int[][] ranges = {{'A', 'Z'}, {0x00C0, 0x024F}, {0x0370, 0x03FF}, {0x0400, 0x052F}};
        for (int[] r : ranges) {
            for (char c = (char) r[0]; c <= r[1]; c++) {
                char l = Character.toLowerCase(c);
                if (l != c && Character.isLetter(c)) {
                    upper.append(c);
                    lower.append(l);
                    MAP[c] = l;
                }
            }
        }
        UPPER = upper.toString();
        LOWER = lower.toString();
    }

    private CaseFold() {
    }

    static String fold(String s) {
        char[] out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char l = c < MAP.length ? MAP[c] : 0;
            if (l != 0) {
                if (out == null) {
                    out = s.toCharArray();
                }
                out[i] = l;
            }
        }
        return out == null ? s : new String(out);
    }

    /** ASCII A–Z only: what {@code lower(x COLLATE "C")} does in PostgreSQL, much faster than {@link #sql}. */
    static String ascii(String s) {
        char[] out = s.toCharArray();
        for (int i = 0; i < out.length; i++) {
            if (out[i] >= 'A' && out[i] <= 'Z') {
                out[i] += 'a' - 'A';
            }
        }
        return new String(out);
    }

    /** The same folding of a SQL text expression. */
    static String sql(String textExpression) {
        return "translate(" + textExpression + ", '" + UPPER + "', '" + LOWER + "')";
    }
}
