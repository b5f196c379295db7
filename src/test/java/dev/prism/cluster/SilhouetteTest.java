package dev.prism.cluster;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SilhouetteTest {

    private static final Vectors LINE = Vectors.of(List.of(new float[]{0}, new float[]{1}, new float[]{10}, new float[]{11}));

    @Test
    @DisplayName("scores by Rousseeuw's definition, computed by hand on four points on a line")
    void byHand() {
        float[] d = Silhouette.distances(LINE, Parallel.sequential());
        // Point 0: a = 1, b = (10 + 11) / 2 = 10.5, s = 9.5 / 10.5; point 1: a = 1, b = 9.5, s = 8.5 / 9.5; symmetric.
        double expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
        assertThat(Silhouette.score(d, 4, new int[]{0, 0, 1, 1})).isCloseTo(expected, within(1e-6));
        assertThat(Silhouette.score(d, 4, new int[]{0, 1, 0, 1})).isNegative();
        assertThat(Silhouette.score(d, 4, new int[]{0, 0, 0, 0})).as("one cluster").isZero();
    }

    @Test
    @DisplayName("samples are distinct, sorted, reproducible and the whole range when small")
    void sample() {
        int[] s = Silhouette.sample(10_000, 500, 9);
        assertThat(s).hasSize(500).isSorted().doesNotHaveDuplicates();
        assertThat(Silhouette.sample(10_000, 500, 9)).isEqualTo(s);
        assertThat(Silhouette.sample(10_000, 500, 10)).isNotEqualTo(s);
        assertThat(Silhouette.sample(3, 500, 9)).containsExactly(0, 1, 2);
    }
}
