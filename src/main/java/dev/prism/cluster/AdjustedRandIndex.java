package dev.prism.cluster;

/**
 * Adjusted Rand index (Hubert and Arabie 1985): agreement of two labellings of the same points, 1 for identical
 * partitions (whatever the label numbers), about 0 for chance. Every label value, -1 included, is one group: a point
 * left "Other" by both labellings agrees. Pure.
 */
public final class AdjustedRandIndex {

    private AdjustedRandIndex() {
    }

    public static double of(int[] a, int[] b) {
        Contingency t = Contingency.of(a, b);
        int n = t.n();
        if (n < 2) {
            return 1;
        }
        double index = 0;
        for (int v : t.cells().values()) {
            index += pairs(v);
        }
        double sumRows = 0;
        for (int v : t.rows().values()) {
            sumRows += pairs(v);
        }
        double sumCols = 0;
        for (int v : t.cols().values()) {
            sumCols += pairs(v);
        }
        double expected = sumRows * sumCols / pairs(n);
        double max = (sumRows + sumCols) / 2;
        if (max == expected) {
            // Both labellings put everything in one group (or everything apart): they agree exactly.
            return 1;
        }
        return (index - expected) / (max - expected);
    }

    private static double pairs(long count) {
        return count * (count - 1) / 2.0;
    }
}
