package dev.prism.eval;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a cluster name reads as a phrase a person would write rather than a list of extracted terms. A heuristic,
 * kept strict and simple so the benchmark is reproducible: at most 2 commas, no term separators ({@code |}, {@code ;},
 * {@code /} between words), 2 to 12 words of which most are ordinary words (not numbers, codes or identifiers), and no
 * dangling connector at the end.
 */
public final class NameShape {

    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}'’-]*");
    private static final Set<String> DANGLING = Set.of("and", "or", "of", "the", "a", "an", "to", "for", "with", "in", "on", "by");

    private NameShape() {
    }

    public static boolean isPhrase(String name) {
        if (name == null || name.isBlank()) {
            return false;
        }
        String trimmed = name.strip();
        long commas = trimmed.chars().filter(c -> c == ',').count();
        if (commas > 2 || trimmed.contains("|") || trimmed.contains(";") || trimmed.matches(".*\\w\\s*/\\s*\\w.*\\w\\s*/\\s*\\w.*")) {
            return false;
        }
        String[] tokens = trimmed.split("\\s+");
        if (tokens.length < 2 || tokens.length > 12) {
            return false;
        }
        int words = 0;
        for (String token : tokens) {
            String bare = token.replaceAll("^[\\p{Punct}“”‘’]+|[\\p{Punct}“”‘’]+$", "");
            if (WORD.matcher(bare).matches() && !bare.contains("_") && !isCamelCase(bare)) {
                words++;
            }
        }
        if (words * 10 < tokens.length * 6) {
            return false;
        }
        String last = tokens[tokens.length - 1].replaceAll("\\p{Punct}+$", "").toLowerCase(Locale.ROOT);
        return !DANGLING.contains(last);
    }

    /** {@code RateLimitError}, {@code invalidGrant}: an identifier, not a word. */
    private static boolean isCamelCase(String token) {
        return token.matches(".*\\p{Ll}\\p{Lu}.*");
    }
}
