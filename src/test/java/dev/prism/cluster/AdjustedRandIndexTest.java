package dev.prism.cluster;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdjustedRandIndexTest {

    @Test
    @DisplayName("matches scikit-learn's documented values")
    void knownValues() {
        assertThat(AdjustedRandIndex.of(new int[]{0, 0, 1, 1}, new int[]{0, 0, 1, 2})).isCloseTo(4.0 / 7, within(1e-12));
        assertThat(AdjustedRandIndex.of(new int[]{0, 0, 1, 1}, new int[]{0, 1, 0, 1})).isCloseTo(-0.5, within(1e-12));
    }

    @Test
    @DisplayName("the same partition under other label numbers scores 1, -1 included as a label")
    void relabelled() {
        assertThat(AdjustedRandIndex.of(new int[]{0, 0, 1, 1, -1, 2}, new int[]{5, 5, -1, -1, 7, 0})).isEqualTo(1.0);
    }

    @Test
    @DisplayName("random labellings score about 0")
    void chance() {
        Random random = new Random(3);
        int[] a = new int[5_000];
        int[] b = new int[5_000];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextInt(8);
            b[i] = random.nextInt(8);
        }
        assertThat(AdjustedRandIndex.of(a, b)).isCloseTo(0, within(0.01));
        assertThatThrownBy(() -> AdjustedRandIndex.of(new int[2], new int[3])).hasMessageContaining("2 labels against 3");
    }
}
