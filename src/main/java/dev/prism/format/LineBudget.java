package dev.prism.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Line numbers and the length budget. A trace too long for the budget keeps evenly spaced lines (so every part of it
 * stays represented) under a header that says what share is shown; line numbers are those of the full text, so the
 * gaps show where lines were left out.
 */
final class LineBudget {

    private LineBudget() {
    }

    static String apply(CharSequence text, TraceFormatter.Options options) {
        if (!options.lineNumbers() && (options.maxLength() <= 0 || text.length() <= options.maxLength())) {
            return text.toString();
        }
        List<String> lines = split(text);
        int width = Math.max(3, String.valueOf(lines.size()).length());
        List<String> shown = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            shown.add(options.lineNumbers() ? "L" + pad(i + 1, width) + ": " + lines.get(i) : lines.get(i));
        }
        int total = length(shown);
        if (options.maxLength() <= 0 || total <= options.maxLength()) {
            return join(shown, 0, 1);
        }
        // Keep every k-th line, growing k until the sample and its header fit.
        int budget = options.maxLength();
        int step = Math.max(2, (int) Math.ceil((double) total / budget));
        while (true) {
            int kept = (shown.size() + step - 1) / step;
            String header = "[showing " + kept + " of " + shown.size() + " lines (" + Math.round(100.0 * kept / shown.size())
                    + "%), evenly spaced, to fit " + TraceFormatter.thousands(budget) + " characters]";
            if (header.length() + 1 + length(shown, step) <= budget || kept <= 1) { // measure first, build once
                String result = header + "\n" + join(shown, 0, step);
                return result.length() <= budget ? result : result.substring(0, budget);
            }
            step = Math.max(step + 1, (int) (step * 1.2));
        }
    }

    private static List<String> split(CharSequence text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.subSequence(start, i).toString());
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.subSequence(start, text.length()).toString());
        }
        return lines;
    }

    private static int length(List<String> lines) {
        return length(lines, 1);
    }

    private static int length(List<String> lines, int step) {
        int n = 0;
        for (int i = 0; i < lines.size(); i += step) {
            n += lines.get(i).length() + 1;
        }
        return n;
    }

    private static String join(List<String> lines, int from, int step) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < lines.size(); i += step) {
            sb.append(lines.get(i)).append('\n');
        }
        return sb.toString();
    }

    private static String pad(int n, int width) {
        String s = String.valueOf(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
