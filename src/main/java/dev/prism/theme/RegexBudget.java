package dev.prism.theme;

/**
 * A text that counts the characters a Java regex reads and stops it past a budget. Java's engine backtracks, so a
 * pattern like {@code (.*){20}b} can take time of a very high degree in the length of a property; PostgreSQL's engine
 * does not. Filters are evaluated on shared threads, so a runaway match must end with an error instead of stalling
 * them (answering "no match" instead would silently disagree with SQL).
 */
final class RegexBudget implements CharSequence {

    /** Generous: linear patterns read each character a handful of times. */
    static final long BASE = 2_000_000;
    static final long PER_CHAR = 1_000;

    /** The regex needed more work than any sensible pattern does on this value. */
    public static final class Exceeded extends IllegalStateException {
        Exceeded(int length) {
            super("regex filter gave up on a value of " + length + " characters: the pattern backtracks too much; "
                    + "simplify it (avoid nested or overlapping repetitions such as (.*){20} or (a|aa)*)");
        }
    }

    private final String text;
    private final long[] left;

    private RegexBudget(String text, long[] left) {
        this.text = text;
        this.left = left;
    }

    static CharSequence wrap(String text) {
        return new RegexBudget(text, new long[]{BASE + PER_CHAR * text.length()});
    }

    @Override
    public char charAt(int index) {
        if (--left[0] < 0) {
            throw new Exceeded(text.length());
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new RegexBudget(text.substring(start, end), left);
    }

    @Override
    public String toString() {
        return text;
    }
}
