package dev.prism.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * Adjusted Rand index (Hubert and Arabie 1985): agreement of two labellings of the same points, 1 for identical
 * partitions (whatever the label numbers), about 0 for chance. Every label value, -1 included, is one group: a point
 * left "Other" by both labellings agrees. Pure.
 */
public final class AdjustedRandIndex {

    private AdjustedRandIndex() {
    }

    public static double of(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " labels against " + b.length);
        }
        int n = a.length;
        if (n < 2) {
            return 1;
        }
        Map<Long, Integer> cells = new HashMap<>();
        Map<Integer, Integer> rows = new HashMap<>();
        Map<Integer, Integer> cols = new HashMap<>();
        for (int i = 0; i < n; i++) {
            cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1, Integer::sum);
            rows.merge(a[i], 1, Integer::sum);
            cols.merge(b[i], 1, Integer::sum);
        }
        double index = 0;
        for (int v : cells.values()) {
            index += pairs(v);
        }
        double sumRows = 0;
        for (int v : rows.values()) {
            sumRows += pairs(v);
        }
        double sumCols = 0;
        for (int v : cols.values()) {
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
