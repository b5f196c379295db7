package dev.prism.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words and word pairs of a summary, for naming clusters. Words are lower-cased runs of letters and digits that may
 * contain inner {@code - _ . '} ("gpt-4o", "api.stripe.com", "don't"); a possessive 's is dropped; English stop words,
 * words that say nothing about any trace ("user", "assistant", "trace") and numbers shorter than three digits are
 * dropped ("404" and "503" stay: status codes name problems). Pairs are two kept words that stood next to each other
 * in one phrase; punctuation between them, or a dropped word, ends the phrase, so "failed. Payment" is no pair. Pure.
 */
public final class Terms {

    /** One word or pair: {@code key} is lower case with one space in pairs; {@code surface} is as written. */
    public record Term(String key, String surface) {
        public boolean isPair() {
            return key.indexOf(' ') >= 0;
        }
    }

    private static final Pattern PHRASE_BREAK = Pattern.compile("[.!?;:,()\\[\\]{}\"“”«»|/\\\\]+(?=\\s|$)|[()\\[\\]{}\"“”«»|]|\\s[-–—]+\\s|\\n");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}](?:[\\p{L}\\p{N}'’_.-]*[\\p{L}\\p{N}])?");

    static final Set<String> STOP_WORDS = Set.of(
            "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren't",
            "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
            "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during",
            "each", "either", "else", "etc", "even", "ever", "every", "few", "for", "from", "further", "get", "gets",
            "got", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "her", "here", "hers", "herself",
            "him", "himself", "his", "how", "however", "i", "i'm", "if", "in", "into", "is", "isn't", "it", "it's", "its",
            "itself", "just", "least", "less", "let", "like", "made", "make", "many", "may", "me", "might", "more",
            "most", "much", "must", "my", "myself", "no", "nor", "not", "now", "of", "off", "often", "on", "once",
            "one", "only", "or", "other", "others", "our", "ours", "ourselves", "out", "over", "own", "per", "rather",
            "same", "several", "she", "should", "shouldn't", "since", "so", "some", "still", "such", "than", "that",
            "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they",
            "this", "those", "though", "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very",
            "via", "was", "wasn't", "we", "were", "weren't", "what", "when", "where", "whether", "which", "while", "who",
            "whom", "whose", "why", "will", "with", "within", "without", "won't", "would", "wouldn't", "yet", "you",
            "your", "yours", "yourself", "yourselves",
            // Words every summary of an LLM trace uses: they never tell one cluster from another.
            "user", "users", "user's", "assistant", "assistant's", "trace", "traces", "summary", "conversation",
            "asked", "asks", "ask", "request", "requested", "response", "responded", "responds", "model", "llm");

    private Terms() {
    }

    /** The distinct words and pairs of one text, in order of first appearance. */
    public static List<Term> of(String text) {
        List<Term> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String phrase : PHRASE_BREAK.split(text)) {
            Matcher m = WORD.matcher(phrase);
            String prevKey = null;
            String prevSurface = null;
            int prevEnd = -1;
            while (m.find()) {
                String surface = m.group();
                if (surface.endsWith("'s") || surface.endsWith("’s")) {
                    surface = surface.substring(0, surface.length() - 2);
                }
                String key = surface.toLowerCase(Locale.ROOT).replace('’', '\'');
                boolean adjacent = prevKey != null && phrase.substring(prevEnd, m.start()).isBlank();
                if (!keep(key)) {
                    prevKey = null;
                    continue;
                }
                if (seen.add(key)) {
                    out.add(new Term(key, surface));
                }
                if (adjacent) {
                    String pairKey = prevKey + " " + key;
                    if (seen.add(pairKey)) {
                        out.add(new Term(pairKey, prevSurface + " " + surface));
                    }
                }
                prevKey = key;
                prevSurface = surface;
                prevEnd = m.end();
            }
        }
        return out;
    }

    static boolean keep(String key) {
        if (key.length() < 2 || STOP_WORDS.contains(key)) {
            return false;
        }
        boolean digitsOnly = true;
        for (int i = 0; i < key.length(); i++) {
            if (!Character.isDigit(key.charAt(i)) && key.charAt(i) != '.') {
                digitsOnly = false;
                break;
            }
        }
        return !digitsOnly || key.length() >= 3 && key.indexOf('.') < 0;
    }
}
