package dev.prism.alert;

/**
 * Escaping text from trace data for Linear's and GitHub's markdown: every CommonMark control character gets a
 * backslash (no emphasis, links, images, headings, lists, tables, raw HTML or hidden comments can be made from it), and
 * a zero-width space after {@code @} keeps {@code @team} or {@code @user} from notifying anyone. Pure.
 */
final class Markdown {

    private static final String CONTROL = "\\`*_{}[]()#+-.!|<>~&=\"'";

    private Markdown() {
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (CONTROL.indexOf(c) >= 0) {
                out.append('\\').append(c);
            } else if (c == '@') {
                out.append("@\u200B");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A link to a dashboard page, or "" when the URL is absent or not a plain http(s) URL. */
    static String link(String label, String url) {
        if (url == null || !url.matches("https?://[^\\s<>()\\[\\]`\"']+")) {
            return "";
        }
        return "[" + label + "](" + url + ")";
    }
}
