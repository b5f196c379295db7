package dev.prism.cluster;

import dev.prism.common.VectorMath;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Silhouette coefficient on a sample: for each point, how much closer it is to its own cluster than to the nearest
 * other one, from -1 to 1, averaged. Exact silhouette needs every pairwise distance, so it is computed on a sample
 * whose distance matrix is built once and reused for every candidate clustering. Pure; callers run it on worker
 * threads.
 */
public final class Silhouette {

    private Silhouette() {
    }

    /** Up to {@code max} distinct indices of {@code [0, n)}, chosen by {@code seed}, in ascending order. */
    public static int[] sample(int n, int max, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        if (n <= max) {
            return all;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < max; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = Arrays.copyOf(all, max);
        Arrays.sort(out);
        return out;
    }

    /** Euclidean distances between all points, {@code m × m} row-major. Memory is 4 m² bytes: 16 MB for 2,000. */
    public static float[] distances(Vectors points, Parallel parallel) {
        int m = points.size();
        int d = points.dim();
        float[] x = points.data();
        float[] norms = new float[m];
        for (int i = 0; i < m; i++) {
            norms[i] = VectorMath.dot(x, i * d, x, i * d, d);
        }
        float[] out = new float[m * m];
        int rowsPerChunk = 16;
        parallel.forEach((m + rowsPerChunk - 1) / rowsPerChunk, ch -> {
            for (int i = ch * rowsPerChunk, end = Math.min(m, i + rowsPerChunk); i < end; i++) {
                for (int j = i + 1; j < m; j++) {
                    float sq = norms[i] + norms[j] - 2 * VectorMath.dot(x, i * d, x, j * d, d);
                    out[i * m + j] = (float) Math.sqrt(Math.max(0f, sq));
                }
            }
        });
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                out[i * m + j] = out[j * m + i];
            }
        }
        return out;
    }

    /**
     * Mean silhouette of {@code labels} (one per point of the matrix; negative labels are ignored, as outliers belong
     * to no cluster). Points alone in their cluster score 0, as in Rousseeuw's definition; fewer than two clusters
     * score 0.
     */
    public static double score(float[] distances, int m, int[] labels) {
        int k = 0;
        for (int l : labels) {
            k = Math.max(k, l + 1);
        }
        int[] sizes = new int[k];
        for (int l : labels) {
            if (l >= 0) {
                sizes[l]++;
            }
        }
        int nonEmpty = 0;
        for (int s : sizes) {
            nonEmpty += s > 0 ? 1 : 0;
        }
        if (nonEmpty < 2) {
            return 0;
        }
        double total = 0;
        int counted = 0;
        double[] sums = new double[k];
        for (int i = 0; i < m; i++) {
            int own = labels[i];
            if (own < 0) {
                continue;
            }
            counted++;
            if (sizes[own] == 1) {
                continue;
            }
            Arrays.fill(sums, 0);
            for (int j = 0, o = i * m; j < m; j++) {
                if (labels[j] >= 0) {
                    sums[labels[j]] += distances[o + j];
                }
            }
            double a = sums[own] / (sizes[own] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c != own && sizes[c] > 0) {
                    b = Math.min(b, sums[c] / sizes[c]);
                }
            }
            double denominator = Math.max(a, b);
            total += denominator > 0 ? (b - a) / denominator : 0;
        }
        return counted == 0 ? 0 : total / counted;
    }
}
