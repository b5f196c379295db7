package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GiantClusterSplitTest {

    private static final int DIM = SyntheticCorpus.DIM;

    /** Summaries around topic directions, with the topic each was drawn from. */
    private record Theme(Vectors data, int[] truth) {
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (v[j] / Math.sqrt(norm));
        }
        return v;
    }

    private static float[] gaussian(Random random, double sigma) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }

    /** A unit direction at cosine {@code cos} to the unit vector {@code base}. */
    private static float[] near(float[] base, double cos, Random random) {
        float[] u = gaussian(random, 1);
        double dot = 0;
        for (int j = 0; j < DIM; j++) {
            dot += u[j] * base[j];
        }
        for (int j = 0; j < DIM; j++) {
            u[j] -= (float) (dot * base[j]);
        }
        unit(u);
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) (cos * base[j] + Math.sqrt(1 - cos * cos) * u[j]);
        }
        return v;
    }

    /**
     * Two related causes (topic directions at cosine {@code related}: 1 makes them one cause) of 150 summaries each,
     * and two unrelated causes of 100 each; members at cosine about 0.8 with their topic.
     */
    private static Theme theme(double related, long seed) {
        Random random = new Random(seed);
        float[] a = unit(gaussian(random, 1));
        List<float[]> topics = List.of(a, near(a, related, random), unit(gaussian(random, 1)), unit(gaussian(random, 1)));
        int[] counts = {150, 150, 100, 100};
        List<float[]> rows = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        for (int t = 0; t < topics.size(); t++) {
            for (int i = 0; i < counts[t]; i++) {
                float[] v = gaussian(random, 0.5 / Math.sqrt(DIM));
                for (int j = 0; j < DIM; j++) {
                    v[j] += topics.get(t)[j];
                }
                rows.add(unit(v));
                truth.add(t);
            }
        }
        return new Theme(Vectors.of(rows), truth.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The two related causes in one cluster (60 % of the theme), the others in a cluster each. */
    private static int[] catchAll(int[] truth) {
        return Arrays.stream(truth).map(t -> t <= 1 ? 0 : t - 1).toArray();
    }

    private static int[] sizes(int[] labels) {
        int[] sizes = new int[Arrays.stream(labels).max().orElse(-1) + 1];
        for (int l : labels) {
            if (l >= 0) {
                sizes[l]++;
            }
        }
        return sizes;
    }

    @Test
    @DisplayName("a cluster of 60 % of the theme made of two causes is split along them")
    void splitsTwoCauses() {
        Theme t = theme(0.6, 1);

        GiantClusterSplit.Outcome o = GiantClusterSplit.apply(t.data(), catchAll(t.truth()), ClusteringConfig.DEFAULTS, Parallel.sequential());

        assertThat(o.splits()).isEqualTo(1);
        assertThat(AdjustedRandIndex.of(t.truth(), o.labels())).isGreaterThanOrEqualTo(0.95);
        assertThat(Arrays.stream(sizes(o.labels())).max().orElseThrow()).isLessThanOrEqualTo(t.truth().length / 2);
        assertThat(o.detail()).contains("1 catch-all cluster(s) split").contains("60 %");
    }

    @Test
    @DisplayName("a cluster of 60 % of the theme that is one cause stays whole")
    void keepsOneCause() {
        Theme t = theme(1.0, 2);
        int[] labels = catchAll(t.truth());

        GiantClusterSplit.Outcome o = GiantClusterSplit.apply(t.data(), labels, ClusteringConfig.DEFAULTS, Parallel.sequential());

        assertThat(o.splits()).isZero();
        assertThat(o.labels()).containsExactly(labels);
        assertThat(o.detail()).contains("one cause");
    }

    @Test
    @DisplayName("clusters of at most half the theme, halves below min_cluster_size and k_max are left alone")
    void limits() {
        Theme t = theme(0.6, 3);
        int[] fine = t.truth().clone();
        assertThat(GiantClusterSplit.apply(t.data(), fine, ClusteringConfig.DEFAULTS, Parallel.sequential()).labels()).containsExactly(fine);

        ClusteringConfig narrow = ClusteringConfig.fromMap(Map.of("k_max", 3));
        GiantClusterSplit.Outcome capped = GiantClusterSplit.apply(t.data(), catchAll(t.truth()), narrow, Parallel.sequential());
        assertThat(capped.splits()).isZero();
        assertThat(capped.detail()).contains("k_max");

        ClusteringConfig large = ClusteringConfig.fromMap(Map.of("min_cluster_size", 200));
        GiantClusterSplit.Outcome small = GiantClusterSplit.apply(t.data(), catchAll(t.truth()), large, Parallel.sequential());
        assertThat(small.splits()).isZero();
        assertThat(small.detail()).contains("min_cluster_size");
    }

    @Test
    @DisplayName("automatic k keeps two related causes together by silhouette; the full run splits the catch-all and finds all four")
    void throughTheRun() {
        Theme t = theme(0.6, 4);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < t.truth().length; i++) {
            users.add("user-" + i % 20);
        }

        KSelection.Choice k = KSelection.choose(t.data(), ClusteringConfig.DEFAULTS, Parallel.sequential());
        Clustering.Outcome run = Clustering.run(t.data(), users, ClusteringConfig.DEFAULTS, Parallel.sequential());

        assertThat(k.k()).as("the near tie goes to the smaller k: the related causes share a cluster").isEqualTo(3);
        assertThat(run.clusters()).isEqualTo(4);
        assertThat(AdjustedRandIndex.of(t.truth(), run.labels())).isGreaterThanOrEqualTo(0.9);
        assertThat(run.detail()).contains("catch-all cluster(s) split");

        ClusteringConfig fixed = ClusteringConfig.fromMap(Map.of("k", 3));
        assertThat(Clustering.run(t.data(), users, fixed, Parallel.sequential()).clusters()).as("a fixed k is left as asked").isEqualTo(3);
    }
}
