package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class Pca2dTest {

    /** Spread 10 along axis 3, 5 along axis 1, 0.1 elsewhere, in 12 dimensions. */
    private static List<float[]> rows(long seed) {
        Random random = new Random(seed);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            float[] v = new float[12];
            for (int j = 0; j < 12; j++) {
                v[j] = (float) (random.nextGaussian() * 0.1);
            }
            v[3] += (float) (random.nextGaussian() * 10);
            v[1] += (float) (random.nextGaussian() * 5);
            rows.add(v);
        }
        return rows;
    }

    @Test
    @DisplayName("the components follow the two directions of largest spread, in order")
    void components() {
        Pca2d.Model m = Pca2d.model(Vectors.of(rows(1)), 1);

        assertThat(Math.abs(m.first()[3])).isCloseTo(1f, within(0.01f));
        assertThat(Math.abs(m.second()[1])).isCloseTo(1f, within(0.01f));
        assertThat(m.explainedVariance()[0]).isGreaterThan(0.75);
        assertThat(m.explainedVariance()[1]).isBetween(0.15, 0.25);
    }

    @Test
    @DisplayName("signs follow the largest coordinate, so mirrored data gives the same axes and the map does not flip")
    void stableSigns() {
        List<float[]> rows = rows(2);
        Pca2d.Projection p = Pca2d.fit(Vectors.of(rows), 1);
        List<float[]> mirrored = new ArrayList<>();
        for (float[] r : rows) {
            float[] m = r.clone();
            for (int j = 0; j < m.length; j++) {
                m[j] = -m[j];
            }
            mirrored.add(m);
        }
        Collections.reverse(mirrored);
        Pca2d.Model again = Pca2d.model(Vectors.of(mirrored), 1);

        assertThat(p.model().first()[3]).isPositive();
        assertThat(p.model().second()[1]).isPositive();
        assertThat(again.first()[3]).isPositive();
        assertThat(again.second()[1]).isPositive();
        float[] xy = p.model().project(rows.get(0), 0);
        assertThat(p.xy()[0]).isEqualTo(xy[0]);
        assertThat(p.xy()[1]).isEqualTo(xy[1]);
        assertThat(xy[0]).isCloseTo(rows.get(0)[3], within(0.6f));
    }

    @Test
    @DisplayName("the same data gives the same coordinates")
    void deterministic() {
        Vectors v = Vectors.of(rows(3));
        assertThat(Pca2d.fit(v, 5).xy()).isEqualTo(Pca2d.fit(v, 5).xy());
    }
}
