package dev.prism.export;

/**
 * Makes text from traces inert in Markdown: it reads as the same words in any CommonMark or GitHub renderer and can
 * open no link, image, HTML tag, emphasis, heading, list or table cell. Inline markup characters are backslash-escaped
 * wherever they stand (CommonMark lets any ASCII punctuation be escaped), block markers only where they would start a
 * block, and line breaks become spaces so a value stays inside its line, list item or table cell.
 */
public final class MarkdownText {

    private static final String INLINE = "\\`*_[]<>|~&";
    private static final String BLOCK_START = "#+-=>";
    private static final java.util.regex.Pattern BREAKS = java.util.regex.Pattern.compile("[\\r\\n\\u2028\\u2029\\u0085]+");
    private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("\\p{Cntrl}");
    private static final java.util.regex.Pattern LIST_NUMBER = java.util.regex.Pattern.compile("^(\\d{1,9})([.)])");

    private MarkdownText() {
    }

    public static String escape(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String flat = CONTROL.matcher(BREAKS.matcher(text).replaceAll(" ")).replaceAll(" ").strip();
        StringBuilder out = new StringBuilder(flat.length() + 16);
        for (int i = 0; i < flat.length(); i++) {
            char c = flat.charAt(i);
            if (INLINE.indexOf(c) >= 0 || (i == 0 && BLOCK_START.indexOf(c) >= 0)) {
                out.append('\\');
            }
            out.append(c);
        }
        // "1. text" or "1) text" would start an ordered list.
        return LIST_NUMBER.matcher(out).replaceFirst("$1\\\\$2");
    }
}
