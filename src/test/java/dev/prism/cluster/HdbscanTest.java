package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HdbscanTest {

    /** Two tight groups of 12 around x and y, a looser group of 8 around z, and 4 points alone. */
    private static List<float[]> points(long seed) {
        Random random = new Random(seed);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rows.add(around(random, 1, 0, 0, 0.05));
        }
        for (int i = 0; i < 12; i++) {
            rows.add(around(random, 0, 1, 0, 0.05));
        }
        for (int i = 0; i < 8; i++) {
            rows.add(around(random, 0, 0, 1, 0.1));
        }
        rows.add(new float[]{-1, 0, 0, 0});
        rows.add(new float[]{0, -1, 0, 0});
        rows.add(new float[]{0, 0, -1, 0});
        rows.add(new float[]{0, 0, 0, 1});
        return rows;
    }

    private static float[] around(Random random, float x, float y, float z, double noise) {
        float[] v = {x + (float) (random.nextGaussian() * noise), y + (float) (random.nextGaussian() * noise),
                z + (float) (random.nextGaussian() * noise), (float) (random.nextGaussian() * noise)};
        return v;
    }

    @Test
    @DisplayName("finds the three groups and leaves the lone points out")
    void groupsAndOutliers() {
        Hdbscan.Result r = Hdbscan.fit(Vectors.of(points(1)), Hdbscan.Options.of(5), Parallel.sequential());

        int[] truth = new int[36];
        for (int i = 0; i < 36; i++) {
            truth[i] = i < 12 ? 0 : i < 24 ? 1 : i < 32 ? 2 : -1;
        }
        assertThat(r.clusters()).isEqualTo(3);
        assertThat(r.labels()).startsWith(0).endsWith(-1, -1, -1, -1);
        assertThat(AdjustedRandIndex.of(truth, r.labels())).isEqualTo(1.0);
        assertThat(r.outliers()).isEqualTo(4);
    }

    @Test
    @DisplayName("a group smaller than min_cluster_size is not a cluster of its own")
    void minClusterSize() {
        Hdbscan.Result r = Hdbscan.fit(Vectors.of(points(2)), Hdbscan.Options.of(10), Parallel.sequential());

        // The 8 points around z fall out of whichever cluster they joined last (as in the hdbscan library, points that
        // fall out of a selected cluster belong to it); they never form a cluster of their own.
        assertThat(r.clusters()).isEqualTo(2);
        assertThat(java.util.Arrays.copyOfRange(r.labels(), 0, 12)).containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(r.labels(), 12, 24)).containsOnly(1);
        assertThat(java.util.Arrays.copyOfRange(r.labels(), 32, 36)).containsOnly(-1);
    }

    @Test
    @DisplayName("the partition does not depend on input order or thread count; clusters are numbered by first point")
    void deterministic() {
        List<float[]> rows = points(3);
        Hdbscan.Result base = Hdbscan.fit(Vectors.of(rows), Hdbscan.Options.of(5), Parallel.sequential());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(4));
        List<float[]> shuffled = order.stream().map(rows::get).toList();
        Hdbscan.Result other = Hdbscan.fit(Vectors.of(shuffled), Hdbscan.Options.of(5),
                Parallel.of(java.util.concurrent.ForkJoinPool.commonPool(), 2));

        int[] back = new int[rows.size()];
        for (int i = 0; i < order.size(); i++) {
            back[order.get(i)] = other.labels()[i];
        }
        assertThat(AdjustedRandIndex.of(base.labels(), back)).isEqualTo(1.0);
        assertThat(other.labels()[0]).isZero();
    }

    @Test
    @DisplayName("identical summaries form a cluster instead of breaking the arithmetic")
    void duplicates() {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(new float[]{1, 0, 0});
        }
        for (int i = 0; i < 6; i++) {
            rows.add(new float[]{0, 1, 0});
        }
        rows.add(new float[]{0, 0, 1});
        Hdbscan.Result r = Hdbscan.fit(Vectors.of(rows), Hdbscan.Options.of(5), Parallel.sequential());

        assertThat(r.labels()).containsExactly(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, -1);
    }

    @Test
    @DisplayName("fewer points than min_cluster_size are all outliers")
    void tooFew() {
        Hdbscan.Result r = Hdbscan.fit(Vectors.of(List.of(new float[]{1, 0}, new float[]{1, 0.1f})), Hdbscan.Options.of(5), Parallel.sequential());
        assertThat(r.labels()).containsExactly(-1, -1);
        assertThat(r.clusters()).isZero();
        assertThatThrownBy(() -> Hdbscan.Options.of(1)).hasMessageContaining("minClusterSize must be at least 2");
    }
}
