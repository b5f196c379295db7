package dev.prism.eval;

import java.util.Random;
import org.apache.commons.math3.util.FastMath;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class NormalizedMutualInformationTest {

    @Test
    @DisplayName("Identical partitions score 1 whatever the label numbers, -1 included")
    void identical() {
        assertThat(NormalizedMutualInformation.of(new int[]{0, 0, 1, 1, 2, 2}, new int[]{5, 5, -1, -1, 9, 9})).isEqualTo(1.0, within(1e-12));
    }

    @Test
    @DisplayName("Independent partitions score 0")
    void independent() {
        assertThat(NormalizedMutualInformation.of(new int[]{0, 0, 1, 1}, new int[]{0, 1, 0, 1})).isEqualTo(0.0, within(1e-12));
    }

    @Test
    @DisplayName("Gives the arithmetic-mean NMI of a worked example")
    void knownValue() {
        // MI = ln 3 - (2/3) ln 2 = 0.5493; H(a) = ln 2, H(b) = ln 3; 0.5493 / ((0.6931 + 1.0986) / 2) = 0.515803742979...
        assertThat(NormalizedMutualInformation.of(new int[]{0, 0, 0, 1, 1, 1}, new int[]{0, 0, 1, 1, 2, 2}))
                .isEqualTo(0.5158037429793889, within(1e-9));
    }

    @Test
    @DisplayName("Symmetric, within [0, 1], and equal to MI over the mean entropy computed another way")
    void symmetricAndBounded() {
        Random random = new Random(3);
        for (int round = 0; round < 50; round++) {
            int n = 5 + random.nextInt(60);
            int[] a = new int[n];
            int[] b = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = random.nextInt(4);
                b[i] = random.nextInt(3) - 1;
            }
            double ab = NormalizedMutualInformation.of(a, b);
            assertThat(ab).isBetween(0.0, 1.0).isEqualTo(NormalizedMutualInformation.of(b, a), within(1e-12));
            assertThat(ab).isEqualTo(reference(a, b), within(1e-9));
        }
    }

    @Test
    @DisplayName("One group against one group is a perfect match; one group against several shares nothing")
    void degenerate() {
        assertThat(NormalizedMutualInformation.of(new int[]{1, 1, 1}, new int[]{4, 4, 4})).isEqualTo(1.0);
        assertThat(NormalizedMutualInformation.of(new int[]{1, 1, 1, 1}, new int[]{0, 0, 1, 1})).isEqualTo(0.0, within(1e-12));
        assertThatThrownBy(() -> NormalizedMutualInformation.of(new int[]{1}, new int[]{1, 2})).isInstanceOf(IllegalArgumentException.class);
    }

    /** The textbook formula over a dense contingency table, with log base 2 (NMI does not depend on the base). */
    private static double reference(int[] a, int[] b) {
        int n = a.length;
        int[][] table = new int[8][8];
        int[] rows = new int[8];
        int[] cols = new int[8];
        for (int i = 0; i < n; i++) {
            table[a[i] + 2][b[i] + 2]++;
            rows[a[i] + 2]++;
            cols[b[i] + 2]++;
        }
        double mi = 0;
        double ha = 0;
        double hb = 0;
        for (int r = 0; r < 8; r++) {
            if (rows[r] > 0) {
                ha -= rows[r] / (double) n * FastMath.log(2, rows[r] / (double) n);
            }
            if (cols[r] > 0) {
                hb -= cols[r] / (double) n * FastMath.log(2, cols[r] / (double) n);
            }
            for (int c = 0; c < 8; c++) {
                if (table[r][c] > 0) {
                    double p = table[r][c] / (double) n;
                    mi += p * FastMath.log(2, p / (rows[r] / (double) n * (cols[c] / (double) n)));
                }
            }
        }
        if (ha == 0 && hb == 0) {
            return 1;
        }
        return Math.max(0, mi / ((ha + hb) / 2));
    }
}
