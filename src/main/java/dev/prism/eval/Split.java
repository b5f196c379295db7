package dev.prism.eval;

import java.util.Locale;

/**
 * Which half of the phrase bank a phrasing belongs to. Others tune the analyzer on {@link #TUNE}; quality is measured
 * on {@link #EVAL}, so a tuned rule never sees the exact words it is measured on.
 */
public enum Split {
    TUNE, EVAL;

    /**
     * The split of a phrase id such as {@code export_spreadsheet-07}: odd numbers tune, even numbers evaluate. Taken
     * from the id rather than a hash so each category splits exactly in half and adding phrasings at the end never
     * moves an existing one to the other side.
     */
    public static Split of(String phraseId) {
        int dash = phraseId.lastIndexOf('-');
        if (dash < 0 || dash == phraseId.length() - 1) {
            throw new IllegalArgumentException("Phrase id '" + phraseId + "' does not end in -<number>");
        }
        try {
            return Integer.parseInt(phraseId.substring(dash + 1)) % 2 == 1 ? TUNE : EVAL;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Phrase id '" + phraseId + "' does not end in -<number>", e);
        }
    }

    public static Split parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tune" -> TUNE;
            case "eval" -> EVAL;
            default -> throw new IllegalArgumentException("Unknown split '" + name + "': use eval or tune");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
