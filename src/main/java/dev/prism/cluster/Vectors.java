package dev.prism.cluster;

import java.util.List;

/**
 * {@code size()} vectors of one dimension in one row-major array: one allocation instead of one per vector, and rows
 * that sit next to each other in memory, which is what the distance kernels stream through. The array is shared, not
 * copied; callers must not change it while a computation runs.
 */
public record Vectors(float[] data, int dim) {

    public Vectors {
        if (dim <= 0) {
            throw new IllegalArgumentException("dim must be positive, got " + dim);
        }
        if (data.length % dim != 0) {
            throw new IllegalArgumentException("data length " + data.length + " is not a multiple of dim " + dim);
        }
    }

    /** Copies the rows; all must have the same length. */
    public static Vectors of(List<float[]> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no vectors");
        }
        int dim = rows.get(0).length;
        float[] flat = new float[rows.size() * dim];
        for (int i = 0; i < rows.size(); i++) {
            float[] row = rows.get(i);
            if (row.length != dim) {
                throw new IllegalArgumentException("vector " + i + " has dimension " + row.length + ", expected " + dim);
            }
            System.arraycopy(row, 0, flat, i * dim, dim);
        }
        return new Vectors(flat, dim);
    }

    public int size() {
        return data.length / dim;
    }

    /** A copy of row {@code i}. */
    public float[] row(int i) {
        float[] out = new float[dim];
        System.arraycopy(data, i * dim, out, 0, dim);
        return out;
    }

    /** The given rows, in the given order, as a new set. */
    public Vectors subset(int[] rows) {
        float[] out = new float[rows.length * dim];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(data, rows[i] * dim, out, i * dim, dim);
        }
        return new Vectors(out, dim);
    }

    /** Squared euclidean distance in double, for figures that are reported rather than compared in a hot loop. */
    public static double squaredDistance(float[] a, int aOff, float[] b, int bOff, int len) {
        double s = 0;
        for (int j = 0; j < len; j++) {
            double diff = (double) a[aOff + j] - b[bOff + j];
            s += diff * diff;
        }
        return s;
    }

    /** A copy with every row scaled to length 1; zero rows stay zero. */
    public Vectors normalised() {
        float[] out = data.clone();
        for (int i = 0, n = size(); i < n; i++) {
            normaliseInPlace(out, i * dim, dim);
        }
        return new Vectors(out, dim);
    }

    static void normaliseInPlace(float[] a, int off, int len) {
        double norm = Math.sqrt(dev.prism.common.VectorMath.dot(a, off, a, off, len));
        if (norm > 0) {
            for (int j = 0; j < len; j++) {
                a[off + j] = (float) (a[off + j] / norm);
            }
        }
    }
}
