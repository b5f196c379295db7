package dev.prism.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * The contingency table of two labellings of the same points, which every partition-agreement measure (adjusted Rand
 * index, mutual information) counts from. Every label value, -1 ("Other") included, is one group. Pure.
 *
 * @param cells points per (label in a, label in b), keyed by {@link #cell(int, int)}
 * @param rows  points per label in a
 * @param cols  points per label in b
 * @param n     points
 */
public record Contingency(Map<Long, Integer> cells, Map<Integer, Integer> rows, Map<Integer, Integer> cols, int n) {

    public static Contingency of(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " labels against " + b.length);
        }
        Map<Long, Integer> cells = new HashMap<>();
        Map<Integer, Integer> rows = new HashMap<>();
        Map<Integer, Integer> cols = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            cells.merge(cell(a[i], b[i]), 1, Integer::sum);
            rows.merge(a[i], 1, Integer::sum);
            cols.merge(b[i], 1, Integer::sum);
        }
        return new Contingency(cells, rows, cols, a.length);
    }

    public static long cell(int row, int col) {
        return ((long) row << 32) ^ (col & 0xffffffffL);
    }

    public static int row(long cell) {
        return (int) (cell >> 32);
    }

    public static int col(long cell) {
        return (int) cell;
    }
}
