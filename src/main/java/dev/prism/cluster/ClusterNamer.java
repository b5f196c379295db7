package dev.prism.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Offline cluster names, without an LLM: a title of at most {@value #MAX_TITLE_WORDS} words from the cluster's most
 * distinctive terms ({@link CtfIdf}) and a short description. Word pairs read better than lone words ("payment
 * timeout" against "payment", "timeout"), so a pair is used in place of its word when it scores at least half as
 * well; no word appears twice in a title. The LLM namer ({@link ContrastivePrompt}) replaces these names when a
 * provider is configured. Pure.
 */
public final class ClusterNamer {

    public static final int MAX_TITLE_WORDS = 10;
    private static final int TITLE_TERMS = 4;
    private static final int CANDIDATES = 30;

    /**
     * @param terms the distinctive terms, best first, as shown in the description
     */
    public record Name(String title, String description, List<String> terms) {
    }

    private ClusterNamer() {
    }

    /**
     * Names every cluster against the others. Each cluster's texts are its members' title and summary; include the
     * "Other" group as a cluster too when it exists, as contrast, and ignore its name.
     */
    public static List<Name> name(List<List<String>> clusters) {
        List<List<CtfIdf.Scored>> top = CtfIdf.top(clusters, CANDIDATES);
        List<Name> names = new ArrayList<>();
        for (int c = 0; c < clusters.size(); c++) {
            names.add(name(clusters.get(c), top.get(c)));
        }
        return names;
    }

    private static Name name(List<String> texts, List<CtfIdf.Scored> candidates) {
        List<String> chosen = new ArrayList<>();
        Set<String> usedWords = new HashSet<>();
        int words = 0;
        for (CtfIdf.Scored term : candidates) {
            if (chosen.size() == TITLE_TERMS) {
                break;
            }
            CtfIdf.Scored pick = term;
            if (!term.isPair()) {
                for (CtfIdf.Scored pair : candidates) {
                    if (pair.isPair() && pair.score() >= 0.5 * term.score()
                            && List.of(pair.key().split(" ")).contains(term.key())) {
                        pick = pair;
                        break;
                    }
                }
            }
            String[] pickWords = pick.key().split(" ");
            boolean overlaps = false;
            for (String w : pickWords) {
                overlaps |= usedWords.contains(w);
            }
            if (overlaps || words + pickWords.length > MAX_TITLE_WORDS) {
                continue;
            }
            usedWords.addAll(List.of(pickWords));
            words += pickWords.length;
            chosen.add(pick.surface());
        }
        List<String> shown = distinct(candidates, 6);
        if (chosen.isEmpty()) {
            return new Name("Unnamed cluster", texts.size() + " summaries without distinctive words.", List.of());
        }
        String title = capitalise(String.join(", ", chosen));
        String description = texts.size() + " summaries. Distinctive terms: " + String.join(", ", shown) + "."
                + representative(texts, candidates).map(t -> " Typical: \"" + t + "\"").orElse("");
        return new Name(title, description, shown);
    }

    /** The best terms, leaving out words already shown within a pair and pairs whose words are both shown. */
    private static List<String> distinct(List<CtfIdf.Scored> candidates, int limit) {
        List<String> out = new ArrayList<>();
        Set<String> words = new HashSet<>();
        for (CtfIdf.Scored term : candidates) {
            if (out.size() == limit) {
                break;
            }
            List<String> parts = List.of(term.key().split(" "));
            if (words.containsAll(parts)) {
                continue;
            }
            words.addAll(parts);
            out.add(term.surface());
        }
        return out;
    }

    /** The member text that contains the most of the top terms (by score), cut to 200 characters. */
    private static java.util.Optional<String> representative(List<String> texts, List<CtfIdf.Scored> candidates) {
        String best = null;
        double bestScore = 0;
        for (String text : texts) {
            Set<String> keys = new HashSet<>();
            for (Terms.Term t : Terms.of(text)) {
                keys.add(t.key());
            }
            double score = 0;
            for (CtfIdf.Scored s : candidates.subList(0, Math.min(10, candidates.size()))) {
                score += keys.contains(s.key()) ? s.score() : 0;
            }
            if (score > bestScore || score == bestScore && best != null && text.length() < best.length()) {
                best = text;
                bestScore = score;
            }
        }
        if (best == null) {
            return java.util.Optional.empty();
        }
        String flat = best.replaceAll("\\s+", " ").strip();
        return java.util.Optional.of(flat.length() <= 200 ? flat : flat.substring(0, 199) + "…");
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}
