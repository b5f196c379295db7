package dev.prism.format;

/**
 * Writes whole lines into one growing buffer, each prefixed with the current indent. Renderers only ever add lines,
 * so the trace text is built once, left to right, without intermediate strings for nested levels.
 *
 * <p>Control characters other than tab are dropped on the way in: they come from terminals and binary junk, and would
 * break the line structure that line numbers and sampling rely on.
 */
final class TextOut {

    private final StringBuilder sb;
    private String indent = "";
    /** The indent without trailing spaces, for empty lines; computed when first needed, as most indents never see one. */
    private String blankIndent = "";
    private boolean blankIndentKnown = true;

    TextOut(StringBuilder sb) {
        this.sb = sb;
    }

    TextOut() {
        this(new StringBuilder(256));
    }

    String indent() {
        return indent;
    }

    /** Sets the indent and returns the previous one, for the caller to restore. */
    String indent(String next) {
        String old = indent;
        indent = next;
        blankIndentKnown = false;
        return old;
    }

    /** Indents further by {@code more}; returns the indent to restore. */
    String push(String more) {
        return indent(indent + more);
    }

    int length() {
        return sb.length();
    }

    StringBuilder buffer() {
        return sb;
    }

    /** Writes {@code text} as lines, each prefixed with the indent. */
    TextOut line(CharSequence text) {
        return hanging("", text, "");
    }

    /** An empty line (no trailing indent spaces). */
    TextOut blank() {
        sb.append(blankIndent()).append('\n');
        return this;
    }

    private String blankIndent() {
        if (!blankIndentKnown) {
            blankIndent = indent.stripTrailing();
            blankIndentKnown = true;
        }
        return blankIndent;
    }

    /**
     * Writes {@code lead + text}; when {@code text} spans several lines, the following ones are prefixed with the
     * indent plus {@code continuation}, so they hang under the first.
     */
    TextOut hanging(String lead, CharSequence text, String continuation) {
        return hanging(lead, text, 0, text.length(), continuation);
    }

    /**
     * Writes the lines of {@code text[from, to)}, each prefixed with the indent. The text must already be clean (written
     * by another {@code TextOut}), so lines are found with {@code indexOf} and copied whole.
     */
    TextOut cleanLines(StringBuilder text, int from, int to) {
        int limit = to > from && text.charAt(to - 1) == '\n' ? to - 1 : to;
        int start = from;
        while (true) {
            int end = text.indexOf("\n", start);
            if (end < 0 || end > limit) {
                end = limit;
            }
            sb.append(end == start ? blankIndent() : indent).append(text, start, end).append('\n');
            if (end >= limit) {
                return this;
            }
            start = end + 1;
        }
    }

    private TextOut hanging(String lead, CharSequence text, int from, int to, String continuation) {
        int limit = to > from && text.charAt(to - 1) == '\n' ? to - 1 : to; // a final newline ends the text, it adds no line
        int start = from;
        boolean first = true;
        while (true) {
            // One pass per line: find its end and copy it, leaving out control characters.
            int end = start;
            int run = start;
            boolean began = false;
            while (end < limit) {
                char c = text.charAt(end);
                if (c == '\n') {
                    break;
                }
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    if (end > run) {
                        if (!began) {
                            prefix(first, true, lead, continuation);
                            began = true;
                        }
                        sb.append(text, run, end);
                    }
                    run = end + 1;
                }
                end++;
            }
            if (!began) {
                prefix(first, end > run, lead, continuation);
            }
            sb.append(text, run, end).append('\n');
            first = false;
            if (end >= limit) {
                return this;
            }
            start = end + 1;
        }
    }

    /** A line's prefix: the indent and the lead (first line) or continuation; an empty line gets the bare indent. */
    private void prefix(boolean first, boolean hasText, String lead, String continuation) {
        if (first && !lead.isEmpty()) {
            sb.append(indent).append(lead);
        } else if (!hasText) {
            sb.append(blankIndent());
        } else {
            sb.append(indent).append(first ? lead : continuation);
        }
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
