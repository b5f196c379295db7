package dev.prism.eval;

import dev.prism.cluster.Contingency;

import java.util.Map;

/**
 * Normalised mutual information of two labellings of the same points: the information they share over the mean of
 * their entropies (the arithmetic normalisation scikit-learn uses by default), 1 for identical partitions whatever the
 * label numbers, 0 for independent ones. Every label value, -1 ("Other") included, is one group. Unlike the adjusted
 * Rand index it is not corrected for chance, so many small clusters score higher than they deserve; the report shows
 * both. Pure.
 */
public final class NormalizedMutualInformation {

    private NormalizedMutualInformation() {
    }

    public static double of(int[] a, int[] b) {
        Contingency t = Contingency.of(a, b);
        int n = t.n();
        if (n == 0) {
            return 1;
        }
        Map<Integer, Integer> rows = t.rows();
        Map<Integer, Integer> cols = t.cols();
        double entropyA = entropy(rows, n);
        double entropyB = entropy(cols, n);
        if (entropyA == 0 && entropyB == 0) {
            return 1; // one group each: the partitions are the same
        }
        double mutual = 0;
        for (Map.Entry<Long, Integer> cell : t.cells().entrySet()) {
            int row = Contingency.row(cell.getKey());
            int col = Contingency.col(cell.getKey());
            double joint = cell.getValue() / (double) n;
            mutual += joint * Math.log(joint / ((rows.get(row) / (double) n) * (cols.get(col) / (double) n)));
        }
        double normalised = mutual / ((entropyA + entropyB) / 2);
        return Math.max(0, Math.min(1, normalised)); // rounding can stray a hair outside [0, 1]
    }

    private static double entropy(Map<Integer, Integer> counts, int n) {
        double h = 0;
        for (int c : counts.values()) {
            double p = c / (double) n;
            h -= p * Math.log(p);
        }
        return h;
    }
}
