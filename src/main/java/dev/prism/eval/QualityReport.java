package dev.prism.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scores what Prism made of a labelled corpus, per theme: relevance precision and recall, the clusters against the true
 * categories (adjusted Rand index, normalised mutual information, counts, largest share) and whether a reader would
 * match each cluster's name to the category most of its members belong to. Pure: the caller collects Prism's answers
 * and supplies the name-to-description similarity.
 */
public final class QualityReport {

    /** What Prism said about one trace in one theme. */
    public record Analysis(boolean relevant, String title) {
    }

    /** One cluster as Prism named it, with every member trace. */
    public record Cluster(String id, String name, Set<String> members) {
    }

    /** Everything Prism produced for one theme. */
    public record ThemeResult(String theme, Set<String> sampled, Map<String, Analysis> analyses, List<Cluster> clusters,
                              Map<String, String> categoryDescriptions) {
    }

    /** Which of the descriptions a name is nearest to (the caller uses the local embedding model). */
    public interface NearestDescription {
        /** @return the key of {@code descriptions} whose text is nearest in meaning to {@code name} */
        String nearest(String name, Map<String, String> descriptions);
    }

    public record NamedCluster(String name, int size, String majorityCategory, double majorityShare, String nearestCategory,
                               boolean phraseShaped, boolean matches) {
    }

    /**
     * @param sampled        traces in the theme's sample (its sample rate over all the corpus's traces)
     * @param positives      sampled traces whose true category for the theme is not "none"
     * @param analysed       traces the theme analysed (its filters and sampling selected them)
     * @param markedRelevant traces Prism marked relevant
     * @param precision      share of the marked-relevant traces that truly belong to the theme (null when none marked)
     * @param recall         share of the sampled positives Prism marked relevant (null when there are none)
     * @param clusteredPoints marked-relevant traces with a true category, over which ARI and NMI are computed
     * @param categories     distinct true categories among them
     * @param largestShare   the largest cluster's members over all marked-relevant traces
     * @param otherShare     marked-relevant traces in no cluster ("Other")
     * @param namesMatched   share of clusters whose name a reader would match to their majority category
     * @param falsePositivesByTruth traces wrongly marked relevant, by what they truly are (their first label in another
     *                              theme, or "unlabelled"): where the theme confuses itself with its neighbours
     * @param missedByCategory sampled positives not marked relevant, by their true category
     */
    public record ThemeQuality(String theme, int sampled, int positives, int analysed, int markedRelevant, int truePositives,
                               Double precision, Double recall, int clusteredPoints, Double ari, Double nmi, int clusters,
                               int categories, Double largestShare, Double otherShare, Double namesMatched, List<NamedCluster> names,
                               Map<String, Integer> falsePositivesByTruth, Map<String, Integer> missedByCategory) {
    }

    private QualityReport() {
    }

    public static ThemeQuality score(ThemeResult result, Map<String, Map<String, String>> labels, NearestDescription nearest) {
        String theme = result.theme();
        int positives = 0;
        for (String traceId : result.sampled()) {
            if (!category(labels, traceId, theme).equals(CorpusGenerator.NONE)) {
                positives++;
            }
        }
        int marked = 0;
        int truePositives = 0;
        int truePositivesSampled = 0;
        Map<String, Integer> falsePositives = new java.util.TreeMap<>();
        for (Map.Entry<String, Analysis> e : result.analyses().entrySet()) {
            if (!e.getValue().relevant()) {
                continue;
            }
            marked++;
            if (!category(labels, e.getKey(), theme).equals(CorpusGenerator.NONE)) {
                truePositives++;
                if (result.sampled().contains(e.getKey())) {
                    truePositivesSampled++;
                }
            } else {
                falsePositives.merge(otherLabel(labels, e.getKey(), theme), 1, Integer::sum);
            }
        }
        Map<String, Integer> missed = new java.util.TreeMap<>();
        for (String traceId : result.sampled()) {
            String truth = category(labels, traceId, theme);
            if (!truth.equals(CorpusGenerator.NONE) && !isRelevant(result, traceId)) {
                missed.merge(truth, 1, Integer::sum);
            }
        }
        Map<String, String> clusterOf = new HashMap<>();
        for (Cluster c : result.clusters()) {
            c.members().forEach(m -> clusterOf.put(m, c.id()));
        }
        List<String> points = result.analyses().entrySet().stream()
                .filter(e -> e.getValue().relevant() && !category(labels, e.getKey(), theme).equals(CorpusGenerator.NONE))
                .map(Map.Entry::getKey).sorted().toList();
        int[] truth = new int[points.size()];
        int[] found = new int[points.size()];
        Map<String, Integer> categoryNumbers = new HashMap<>();
        Map<String, Integer> clusterNumbers = new HashMap<>();
        for (int i = 0; i < points.size(); i++) {
            truth[i] = categoryNumbers.computeIfAbsent(category(labels, points.get(i), theme), k -> categoryNumbers.size());
            String cluster = clusterOf.get(points.get(i));
            found[i] = cluster == null ? -1 : clusterNumbers.computeIfAbsent(cluster, k -> clusterNumbers.size());
        }
        Double ari = points.isEmpty() ? null : round(dev.prism.cluster.AdjustedRandIndex.of(truth, found));
        Double nmi = points.isEmpty() ? null : round(NormalizedMutualInformation.of(truth, found));

        int largest = result.clusters().stream().mapToInt(c -> (int) c.members().stream().filter(m -> isRelevant(result, m)).count()).max().orElse(0);
        long inClusters = result.clusters().stream().flatMap(c -> c.members().stream()).filter(m -> isRelevant(result, m)).distinct().count();

        List<NamedCluster> names = new ArrayList<>();
        for (Cluster c : result.clusters().stream().sorted(Comparator.comparingInt((Cluster x) -> -x.members().size())).toList()) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            c.members().forEach(m -> counts.merge(category(labels, m, theme), 1, Integer::sum));
            Map.Entry<String, Integer> majority = counts.entrySet().stream()
                    .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                    .orElse(Map.entry(CorpusGenerator.NONE, 0));
            String nearestCategory = c.name() == null || c.name().isBlank() ? null : nearest.nearest(c.name(), result.categoryDescriptions());
            boolean shaped = NameShape.isPhrase(c.name());
            boolean matches = shaped && majority.getKey().equals(nearestCategory);
            names.add(new NamedCluster(c.name(), c.members().size(), majority.getKey(),
                    c.members().isEmpty() ? 0 : round(majority.getValue() / (double) c.members().size()), nearestCategory, shaped, matches));
        }
        Double namesMatched = names.isEmpty() ? null : round(names.stream().filter(NamedCluster::matches).count() / (double) names.size());
        return new ThemeQuality(theme, result.sampled().size(), positives, result.analyses().size(), marked, truePositives,
                marked == 0 ? null : round(truePositives / (double) marked),
                positives == 0 ? null : round(truePositivesSampled / (double) positives),
                points.size(), ari, nmi, result.clusters().size(), categoryNumbers.size(),
                marked == 0 ? null : round(largest / (double) marked),
                marked == 0 ? null : round((marked - inClusters) / (double) marked),
                namesMatched, List.copyOf(names), falsePositives, missed);
    }

    /** The report as a person reads it: one table of figures, then every cluster name next to its majority category. */
    public static String render(List<ThemeQuality> themes, String heading) {
        StringBuilder out = new StringBuilder(heading).append("\n\n");
        out.append(String.format(Locale.ROOT, "%-20s %9s %9s %6s %6s %11s %9s %9s %9s%n",
                "theme", "precision", "recall", "ARI", "NMI", "clusters/cat", "largest", "other", "names ok"));
        for (ThemeQuality t : themes) {
            out.append(String.format(Locale.ROOT, "%-20s %9s %9s %6s %6s %11s %9s %9s %9s%n", t.theme(), pct(t.precision()), pct(t.recall()),
                    num(t.ari()), num(t.nmi()), t.clusters() + "/" + t.categories(), pct(t.largestShare()), pct(t.otherShare()), pct(t.namesMatched())));
        }
        out.append("\n(precision over the traces Prism marked relevant; recall over the theme's sampled traces that truly belong to it;\n"
                + " ARI/NMI over marked-relevant traces with a true category, \"Other\" counting as one cluster)\n");
        for (ThemeQuality t : themes) {
            out.append(String.format(Locale.ROOT, "%n%s: %d sampled, %d truly relevant among them, %d analysed, %d marked relevant (%d truly)%n",
                    t.theme(), t.sampled(), t.positives(), t.analysed(), t.markedRelevant(), t.truePositives()));
            if (!t.falsePositivesByTruth().isEmpty()) {
                out.append("  wrongly marked relevant, by what they are: ").append(t.falsePositivesByTruth()).append('\n');
            }
            if (!t.missedByCategory().isEmpty()) {
                out.append("  missed, by true category: ").append(t.missedByCategory()).append('\n');
            }
            if (t.names().isEmpty()) {
                out.append("  (no clusters)\n");
            }
            for (NamedCluster n : t.names()) {
                out.append(String.format(Locale.ROOT, "  [%s] %-60s size %3d  majority %-24s (%s)  nearest description: %s%s%n",
                        n.matches() ? "ok" : "--", quote(n.name()), n.size(), n.majorityCategory(), pct(n.majorityShare()),
                        n.nearestCategory(), n.phraseShaped() ? "" : "  [not a phrase]"));
            }
        }
        return out.toString();
    }

    private static boolean isRelevant(ThemeResult result, String traceId) {
        Analysis a = result.analyses().get(traceId);
        return a != null && a.relevant();
    }

    /** What a trace truly is in the other themes ("error_analysis=timeout"), or "unlabelled" when nothing. */
    private static String otherLabel(Map<String, Map<String, String>> labels, String traceId, String theme) {
        Map<String, String> byTheme = labels.getOrDefault(traceId, Map.of());
        return byTheme.entrySet().stream().filter(e -> !e.getKey().equals(theme) && !CorpusGenerator.NONE.equals(e.getValue()))
                .map(e -> e.getKey() + "=" + e.getValue()).findFirst().orElse("unlabelled");
    }

    private static String category(Map<String, Map<String, String>> labels, String traceId, String theme) {
        Map<String, String> byTheme = labels.get(traceId);
        if (byTheme == null) {
            return CorpusGenerator.NONE;
        }
        String category = byTheme.get(theme);
        return category == null || category.isBlank() ? CorpusGenerator.NONE : category;
    }

    private static String quote(String name) {
        return name == null ? "(unnamed)" : "\"" + name + "\"";
    }

    private static String pct(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String num(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
