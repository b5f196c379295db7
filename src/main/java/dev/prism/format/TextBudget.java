package dev.prism.format;

/**
 * The last step of rendering: optional line numbers ({@code L001: …}, wider when the text has 1,000 lines or more) and
 * a character budget. A text over budget keeps its header and an evenly spaced sample of its other lines, under a
 * note saying what share of the lines is shown; line numbers, when on, still refer to the full text so a reader (or
 * an LLM citing lines) can tell where the gaps are.
 */
final class TextBudget {

    /** Lines at the top always kept when sampling (up to the first blank line): the trace's header. */
    static final int HEADER_LINES = 6;

    private TextBudget() {
    }

    /** {@code text} (lines ending in {@code \n}) numbered and/or shrunk to {@code maxLength} characters (0 = no limit). */
    static String apply(String text, boolean lineNumbers, int maxLength) {
        if (!lineNumbers && (maxLength <= 0 || text.length() <= maxLength)) {
            return text;
        }
        Lines lines = Lines.of(text);
        int width = Math.max(3, digits(lines.count));
        long full = 0;
        for (int i = 0; i < lines.count; i++) {
            full += cost(lines.length(i), lineNumbers, width);
        }
        if (maxLength <= 0 || full <= maxLength) {
            StringBuilder sb = new StringBuilder((int) Math.min(full, Integer.MAX_VALUE - 16));
            for (int i = 0; i < lines.count; i++) {
                appendLine(sb, text, lines.start[i], lines.end[i], i + 1, lineNumbers, width);
            }
            return sb.toString();
        }
        return sample(text, lines, lineNumbers, width, maxLength);
    }

    private static String sample(String text, Lines lines, boolean lineNumbers, int width, int maxLength) {
        int n = lines.count;
        // A single line longer than a quarter of the budget would crowd out the sample: such lines are cut.
        int lineCap = Math.max(60, maxLength / 4);
        String[] cutLines = new String[n];
        int[] cost = new int[n];
        for (int i = 0; i < n; i++) {
            int len = lines.length(i);
            if (len > lineCap) {
                cutLines[i] = ValueText.cut(text.substring(lines.start[i], lines.end[i]).replace('\n', ' '), lineCap);
                len = cutLines[i].length();
            }
            cost[i] = cost(len, lineNumbers, width);
        }
        int head = 0;
        long headCost = 0;
        while (head < Math.min(HEADER_LINES, n) && lines.length(head) > 0) {
            headCost += cost[head];
            head++;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            int rest = n - head;
            int lo = 0;
            int hi = rest;
            int best = -1;
            while (lo <= hi) {
                int k = (lo + hi) >>> 1;
                long total = headCost + note(k + head, n, maxLength, lineNumbers, width).length() + 1L + pickedCost(cost, head, rest, k);
                if (total <= maxLength) {
                    best = k;
                    lo = k + 1;
                } else {
                    hi = k - 1;
                }
            }
            if (best >= 0) {
                return build(text, lines, cutLines, head, best, maxLength, lineNumbers, width);
            }
            head = 0; // not even the header fits: sample from the top instead
            headCost = 0;
        }
        String note = note(0, n, maxLength, lineNumbers, width);
        return note.length() <= maxLength ? note : note.substring(0, maxLength);
    }

    private static String build(String text, Lines lines, String[] cutLines, int head, int k, int maxLength, boolean lineNumbers, int width) {
        int n = lines.count;
        int rest = n - head;
        StringBuilder sb = new StringBuilder(maxLength);
        sb.append(note(k + head, n, maxLength, lineNumbers, width)).append('\n');
        for (int i = 0; i < head; i++) {
            append(sb, text, lines, cutLines, i, lineNumbers, width);
        }
        for (int j = 0; j < k; j++) {
            append(sb, text, lines, cutLines, head + pick(j, rest, k), lineNumbers, width);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String text, Lines lines, String[] cutLines, int i, boolean lineNumbers, int width) {
        if (cutLines[i] != null) {
            appendLine(sb, cutLines[i], 0, cutLines[i].length(), i + 1, lineNumbers, width);
        } else {
            appendLine(sb, text, lines.start[i], lines.end[i], i + 1, lineNumbers, width);
        }
    }

    /** Characters of {@code k} lines picked evenly from the {@code rest} lines after {@code head}. */
    private static long pickedCost(int[] cost, int head, int rest, int k) {
        long sum = 0;
        for (int j = 0; j < k; j++) {
            sum += cost[head + pick(j, rest, k)];
        }
        return sum;
    }

    /** The j-th of k lines spread evenly over {@code rest}: the middle of the j-th equal stretch. */
    private static int pick(int j, int rest, int k) {
        return (int) ((2L * j + 1) * rest / (2L * k));
    }

    /** The note above a sample; numbered like a line 0 so every line of a numbered text starts with {@code L}. */
    private static String note(int shown, int total, int maxLength, boolean lineNumbers, int width) {
        double share = total == 0 ? 100 : shown * 100.0 / total;
        String note = "[showing " + Fmt.count(shown) + " of " + Fmt.count(total) + " lines (" + Fmt.fixed(share, share < 10 ? 1 : 0)
                + "%), sampled evenly to fit " + Fmt.count(maxLength) + " characters]";
        return lineNumbers ? "L" + "0".repeat(width) + ": " + note : note;
    }

    private static int cost(int length, boolean lineNumbers, int width) {
        return length + 1 + (lineNumbers ? (length == 0 ? width + 2 : width + 3) : 0);
    }

    private static void appendLine(StringBuilder sb, String src, int from, int to, int number, boolean lineNumbers, int width) {
        if (lineNumbers) {
            sb.append('L');
            String digits = Integer.toString(number);
            for (int i = digits.length(); i < width; i++) {
                sb.append('0');
            }
            sb.append(digits).append(from == to ? ":" : ": ");
        }
        sb.append(src, from, to).append('\n');
    }

    private static int digits(int n) {
        return Integer.toString(Math.max(1, n)).length();
    }

    /** Line boundaries of a text; a final newline ends the last line rather than starting a new one. */
    private static final class Lines {
        int[] start;
        int[] end;
        int count;

        static Lines of(String text) {
            Lines l = new Lines();
            int capacity = 16;
            l.start = new int[capacity];
            l.end = new int[capacity];
            int n = text.length();
            int s = 0;
            while (s < n) {
                int e = text.indexOf('\n', s);
                if (e < 0) {
                    e = n;
                }
                if (l.count == l.start.length) {
                    l.start = java.util.Arrays.copyOf(l.start, l.count * 2);
                    l.end = java.util.Arrays.copyOf(l.end, l.count * 2);
                }
                l.start[l.count] = s;
                l.end[l.count] = e;
                l.count++;
                s = e + 1;
            }
            return l;
        }

        int length(int i) {
            return end[i] - start[i];
        }
    }
}
