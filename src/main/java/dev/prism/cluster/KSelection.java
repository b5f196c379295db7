package dev.prism.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Chooses k for k-means when a theme says {@code "k": "auto"}.
 *
 * <p>{@code silhouette}: k-means for every k in {@code k_min…k_max} on a sample of at most {@value #SAMPLE} summaries,
 * scored by mean silhouette on that sample, as {@link Clustering} will use the result: summaries farther than
 * {@code max_distance} from their centroid are "Other" and score 0. That way a k that spends a centroid on a grab bag of
 * outliers is not rewarded for it, and a k that merges two topics into one loose cluster is penalised for the
 * members it loses. The smallest k whose score is within {@value #NEAR_TIE} of the best wins.
 * A larger k must be clearly better because near-ties flip between runs as summaries arrive (typically k versus k + 1,
 * where the extra cluster is a grab bag of outliers), and every flip retires and renames clusters. Clustering the sample rather
 * than all points keeps the cost independent of the theme's size (about 30 small k-means runs), and the sample is large
 * enough for clusters of a few dozen members to show. Identical summaries are kept with their multiplicity: the
 * canonical texts clustering embeds (one cause, one text) make a real problem a group of identical vectors, and counted
 * once each such group would weigh as much as a stray wording, pulling k down to 2; groups too small to be kept still
 * go to Other and score 0, so duplicated strays do not pull k up either. {@code size}: {@code n / expected_cluster_size}, for themes
 * whose owners know roughly how fine they want the grouping. Pure; callers run it on worker threads.
 */
public final class KSelection {

    public static final int SAMPLE = 2_000;
    public static final double NEAR_TIE = 0.01;
    /** k-means runs per k (best inertia kept): one unlucky start would otherwise bend the silhouette curve. */
    public static final int RESTARTS = 3;

    /**
     * @param silhouettes the score of every k tried (empty unless chosen by silhouette)
     */
    public record Choice(int k, String reason, SortedMap<Integer, Double> silhouettes) {
    }

    private KSelection() {
    }

    public static Choice choose(Vectors data, ClusteringConfig config, Parallel parallel) {
        int n = data.size();
        if (config.k() != null) {
            int k = Math.min(config.k(), n);
            return new Choice(k, "fixed k = " + config.k(), Collections.emptySortedMap());
        }
        if (config.autoK() == ClusteringConfig.AutoK.SIZE) {
            int k = clamp((int) Math.round((double) n / config.expectedClusterSize()), config.kMin(), config.kMax(), n);
            return new Choice(k, n + " summaries / expected size " + config.expectedClusterSize(), Collections.emptySortedMap());
        }
        int[] rows = Silhouette.sample(n, SAMPLE, config.seed());
        Vectors sample = data.subset(rows);
        int m = sample.size();
        int kMin = Math.max(2, config.kMin());
        int kMax = Math.min(config.kMax(), m - 1);
        if (kMax < kMin) {
            int k = clamp(config.kMin(), 1, config.kMax(), n);
            return new Choice(k, "too few summaries (" + n + ") to compare k", Collections.emptySortedMap());
        }
        float[] distances = Silhouette.distances(sample, parallel);
        SortedMap<Integer, Double> scores = new TreeMap<>();
        double top = Double.NEGATIVE_INFINITY;
        for (int k = kMin; k <= kMax; k++) {
            KMeans.Result fit = KMeans.fitBest(sample, config.kMeansOptions(k), RESTARTS, parallel);
            int[] labels = tooSmallToOther(Clustering.withinDistance(sample, fit, config.maxDistance()), k,
                    Math.max(2, (int) Math.ceil((double) config.minClusterSize() * m / n)));
            int kept = 0;
            for (int l : labels) {
                kept += l >= 0 ? 1 : 0;
            }
            // Scored as the run will use it: points beyond max_distance, and clusters too small to be kept, go to
            // Other and count as 0. Otherwise a fine k that splits each pattern by its wording scores best on few
            // summaries, and the minimum cluster size then dissolves every part.
            double score = Silhouette.score(distances, m, labels) * kept / m;
            scores.put(k, score);
            top = Math.max(top, score);
        }
        int best = kMin;
        for (Map.Entry<Integer, Double> e : scores.entrySet()) {
            if (e.getValue() >= top - NEAR_TIE) {
                best = e.getKey();
                break;
            }
        }
        return new Choice(best, String.format("silhouette %.3f (best %.3f) on %d of %d summaries", scores.get(best), top, m, n),
                Collections.unmodifiableSortedMap(scores));
    }

    /** Members of clusters with fewer than {@code minSize} points become Other (-1); the sample's share of the rule. */
    static int[] tooSmallToOther(int[] labels, int k, int minSize) {
        int[] sizes = new int[k];
        for (int l : labels) {
            if (l >= 0) {
                sizes[l]++;
            }
        }
        int[] out = labels.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] >= 0 && sizes[out[i]] < minSize) {
                out[i] = -1;
            }
        }
        return out;
    }

    private static int clamp(int k, int min, int max, int n) {
        return Math.max(1, Math.min(n, Math.max(min, Math.min(max, k))));
    }
}
