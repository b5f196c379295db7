package dev.prism.cluster;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NearestCentroidTest {

    private static final List<float[]> CENTROIDS = List.of(new float[]{1, 0, 0}, new float[]{0, 0.5f, 0}, new float[]{0, 0, 2});

    @Test
    @DisplayName("a vector joins the nearest centroid by cosine, whatever the centroids' lengths")
    void nearest() {
        float[] v = {0.1f, 0.9f, 0.2f};
        assertThat(NearestCentroid.nearest(v, CENTROIDS, 0.5)).isEqualTo(1);
        assertThat(NearestCentroid.cosineDistance(v, CENTROIDS.get(1))).isCloseTo(1 - 0.9 / Math.sqrt(0.86), within(1e-6));
    }

    @Test
    @DisplayName("a vector farther than the maximum distance from every centroid stays unassigned")
    void tooFar() {
        float[] v = {0.6f, 0.6f, 0.5f};
        assertThat(NearestCentroid.nearest(v, CENTROIDS, 0.3)).isEqualTo(-1);
        assertThat(NearestCentroid.nearest(v, CENTROIDS, 0.5)).isEqualTo(0);
        assertThat(NearestCentroid.nearest(new float[3], CENTROIDS, 2)).as("zero vector").isEqualTo(-1);
        assertThat(NearestCentroid.nearest(v, List.of(), 2)).isEqualTo(-1);
    }

    @Test
    @DisplayName("ties go to the lower index")
    void ties() {
        assertThat(NearestCentroid.nearest(new float[]{1, 1, 0}, List.of(new float[]{0, 1, 0}, new float[]{1, 0, 0}), 1)).isZero();
    }
}
