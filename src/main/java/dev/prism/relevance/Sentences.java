package dev.prism.relevance;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits what a user or the assistant wrote into sentences, the unit the relevance model scores: one request or one
 * complaint usually fills one sentence, and a long turn would blur it into its neighbours. Pure.
 */
public final class Sentences {

    /** A sentence ends at . ! ? (or their CJK forms) followed by a space, at a line break, or at " - " between clauses. */
    private static final Pattern BOUNDARY = Pattern.compile("(?<=[.!?。！？])\\s+|\\n+|\\s+[-–—]\\s+|(?<=[;:])\\s+(?=\\p{Lu})");
    /** Longer sentences are cut: the model reads 128 tokens at most, and the start carries the intent. */
    static final int MAX_CHARS = 280;
    static final int MIN_CHARS = 3;

    private Sentences() {
    }

    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String part : BOUNDARY.split(text.strip())) {
            String s = part.strip();
            if (s.length() < MIN_CHARS || s.chars().noneMatch(Character::isLetter)) {
                continue;
            }
            out.add(s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s);
        }
        return out;
    }

    /** The distinct sentences of several turns, in order, at most {@code max} (the first ones: the ask comes early). */
    public static List<String> of(List<String> turns, int max) {
        Set<String> seen = new LinkedHashSet<>();
        for (String turn : turns) {
            for (String s : split(turn)) {
                if (seen.size() >= max) {
                    return List.copyOf(seen);
                }
                seen.add(s);
            }
        }
        return List.copyOf(seen);
    }
}
