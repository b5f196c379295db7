package dev.prism.cluster;

import dev.prism.common.VectorMath;
import java.util.ArrayList;
import java.util.List;

/**
 * One full clustering of a theme's summaries, as the configuration asks: k-means with a fixed or automatic k, or
 * HDBSCAN; then the minimum cluster rule, so that small or single-user clusters become "Other". This is the pure entry
 * point a verticle calls on a worker thread; matching the result to the previous run's ids is
 * {@link ClusterMatcher}'s job.
 *
 * <p>k-means puts every point in some cluster. Summaries farther than {@code max_distance} (cosine) from their
 * centroid go to "Other" instead: the same rule that keeps {@link NearestCentroid} from assigning them between runs,
 * so a full run and the streaming assignment agree. It also dissolves the grab-bag clusters k-means forms from
 * outliers (their members are far from their own mean), which otherwise come and go between runs and take names and
 * alerts with them. HDBSCAN has its own notion of outliers and is left as it is. With automatic k and with HDBSCAN, a
 * cluster holding more than half of the theme is split when its members are more than one cause
 * ({@link GiantClusterSplit}).
 */
public final class Clustering {

    /**
     * @param labels    cluster per summary, -1 for Other
     * @param centroids mean embedding of each cluster's members (not normalised; {@link NearestCentroid} does not
     *                  need it)
     * @param detail    how the clustering was chosen, for logs and the run record
     */
    public record Outcome(int[] labels, List<float[]> centroids, String detail) {
        public int clusters() {
            return centroids.size();
        }
    }

    private Clustering() {
    }

    /**
     * @param userIds one per summary (nullable entries), for the distinct-user rule
     */
    public static Outcome run(Vectors data, List<String> userIds, ClusteringConfig config, Parallel parallel) {
        if (data.size() != userIds.size()) {
            throw new IllegalArgumentException(data.size() + " vectors but " + userIds.size() + " user ids");
        }
        int[] raw;
        String detail;
        if (config.method() == ClusteringConfig.Method.HDBSCAN) {
            Hdbscan.Result r = Hdbscan.fit(data, Hdbscan.Options.from(config), parallel);
            raw = r.labels();
            detail = "hdbscan: " + r.clusters() + " clusters, " + r.outliers() + " outliers"
                    + (r.sampled() ? " (clustered a sample of " + Hdbscan.DEFAULT_MAX_POINTS + ")" : "");
        } else {
            KSelection.Choice choice = KSelection.choose(data, config, parallel);
            KMeans.Result r = KMeans.fitBest(data, config.kMeansOptions(choice.k()), KSelection.RESTARTS, parallel);
            raw = withinDistance(data, r, config.maxDistance());
            int far = 0;
            for (int l : raw) {
                far += l < 0 ? 1 : 0;
            }
            detail = "kmeans: k = " + choice.k() + " (" + choice.reason() + "), " + r.iterations() + " iterations, "
                    + far + " farther than " + config.maxDistance() + " from their centroid";
        }
        if (config.method() == ClusteringConfig.Method.HDBSCAN || config.k() == null) {
            // A fixed k is the owner's choice; automatic k and HDBSCAN may leave a catch-all that is several causes.
            GiantClusterSplit.Outcome guarded = GiantClusterSplit.apply(data, raw, config, parallel);
            raw = guarded.labels();
            detail += guarded.detail().isEmpty() ? "" : ", " + guarded.detail();
        }
        MinimumClusterRule.Outcome kept = MinimumClusterRule.apply(raw, userIds, config.minClusterSize(), config.minDistinctUsers());
        detail += ", " + kept.clusters() + " kept, " + kept.demoted().size() + " too small or too few users";
        return new Outcome(kept.labels(), means(data, kept.labels(), kept.clusters()), detail);
    }

    /** The k-means assignments, with -1 for points farther than {@code maxDistance} (cosine) from their centroid. */
    static int[] withinDistance(Vectors data, KMeans.Result r, double maxDistance) {
        int[] labels = r.assignments().clone();
        int d = data.dim();
        float[] centroidNorms = new float[r.k()];
        for (int c = 0; c < r.k(); c++) {
            centroidNorms[c] = (float) Math.sqrt(VectorMath.dot(r.centroids(), c * d, r.centroids(), c * d, d));
        }
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            double norms = Math.sqrt(VectorMath.dot(data.data(), i * d, data.data(), i * d, d)) * centroidNorms[c];
            double cosine = norms == 0 ? 0 : VectorMath.dot(data.data(), i * d, r.centroids(), c * d, d) / norms;
            if (1 - cosine > maxDistance) {
                labels[i] = -1;
            }
        }
        return labels;
    }

    static List<float[]> means(Vectors data, int[] labels, int k) {
        int d = data.dim();
        double[][] sums = new double[k][d];
        int[] sizes = new int[k];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l >= 0) {
                sizes[l]++;
                for (int j = 0; j < d; j++) {
                    sums[l][j] += data.data()[i * d + j];
                }
            }
        }
        List<float[]> out = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            float[] mean = new float[d];
            for (int j = 0; j < d; j++) {
                mean[j] = (float) (sums[c][j] / Math.max(1, sizes[c]));
            }
            out.add(mean);
        }
        return List.copyOf(out);
    }
}
