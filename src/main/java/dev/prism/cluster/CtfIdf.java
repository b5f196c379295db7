package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Class-based TF-IDF (Grootendorst's c-TF-IDF, as in BERTopic): which words and word pairs set one cluster's texts
 * apart from the other clusters'. For term t and cluster c:
 *
 * <pre>score(t, c) = share of c's texts that contain t × log(1 + A / f(t))</pre>
 *
 * where f(t) is how many texts of all clusters contain t and A the average number of term occurrences per cluster.
 * Counting texts that contain a term, rather than occurrences, keeps one long summary that repeats a word from
 * speaking for the whole cluster; the share keeps large clusters from outscoring small ones. Pure.
 */
public final class CtfIdf {

    /**
     * @param key       lower-case word or pair ("payment timeout")
     * @param surface   the most frequent spelling in the cluster ("Stripe API")
     * @param documents texts of the cluster that contain it
     */
    public record Scored(String key, String surface, double score, int documents) {
        public boolean isPair() {
            return key.indexOf(' ') >= 0;
        }
    }

    private CtfIdf() {
    }

    /**
     * The {@code limit} best terms of every cluster, best first (ties: pairs first, then by key). A term must occur in at least two of a
     * cluster's texts (one if the cluster has a single text), so one odd summary cannot name a cluster.
     */
    public static List<List<Scored>> top(List<List<String>> clusters, int limit) {
        int k = clusters.size();
        List<Map<String, Integer>> df = new ArrayList<>();
        List<Map<String, Map<String, Integer>>> spellings = new ArrayList<>();
        Map<String, Integer> total = new HashMap<>();
        long occurrences = 0;
        for (List<String> texts : clusters) {
            Map<String, Integer> counts = new HashMap<>();
            Map<String, Map<String, Integer>> forms = new HashMap<>();
            for (String text : texts) {
                for (Terms.Term t : Terms.of(text)) {
                    counts.merge(t.key(), 1, Integer::sum);
                    forms.computeIfAbsent(t.key(), x -> new HashMap<>()).merge(t.surface(), 1, Integer::sum);
                    total.merge(t.key(), 1, Integer::sum);
                    occurrences++;
                }
            }
            df.add(counts);
            spellings.add(forms);
        }
        double average = k == 0 ? 0 : (double) occurrences / k;
        List<List<Scored>> out = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            int texts = clusters.get(c).size();
            int minDocs = Math.min(2, texts);
            List<Scored> scored = new ArrayList<>();
            for (Map.Entry<String, Integer> e : df.get(c).entrySet()) {
                if (e.getValue() < minDocs) {
                    continue;
                }
                double tf = (double) e.getValue() / texts;
                double idf = Math.log(1 + average / total.get(e.getKey()));
                scored.add(new Scored(e.getKey(), spelling(spellings.get(c).get(e.getKey())), tf * idf, e.getValue()));
            }
            // On equal scores a pair comes first: "shipping options" says more than "delivery".
            scored.sort(Comparator.comparingDouble(Scored::score).reversed()
                    .thenComparing(s -> !s.isPair()).thenComparing(Scored::key));
            out.add(List.copyOf(scored.subList(0, Math.min(limit, scored.size()))));
        }
        return out;
    }

    /** Most frequent spelling; on ties the one that sorts first, so the result does not depend on hash order. */
    private static String spelling(Map<String, Integer> forms) {
        return forms.entrySet().stream()
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(e -> -e.getValue()).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey).orElse("");
    }
}
