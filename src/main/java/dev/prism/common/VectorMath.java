package dev.prism.common;

/**
 * The vector arithmetic every stage shares: embedding search, relevance, clustering and the quality benchmark score with
 * the same kernel, so one vector scores the same wherever it is compared.
 */
public final class VectorMath {

    private VectorMath() {
    }

    /**
     * Dot product of {@code len} floats. Four independent sums let the CPU overlap the additions instead of waiting for
     * each one; the order of the additions is fixed, so the result is the same on every run and thread.
     */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            s0 += a[aOff + j] * b[bOff + j];
            s1 += a[aOff + j + 1] * b[bOff + j + 1];
            s2 += a[aOff + j + 2] * b[bOff + j + 2];
            s3 += a[aOff + j + 3] * b[bOff + j + 3];
        }
        for (; j < len; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Dot product of two vectors of one dimension (the cosine, when both have unit length). */
    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension " + a.length + " against " + b.length);
        }
        return dot(a, 0, b, 0, a.length);
    }

    /** Scales {@code v} to unit length in place (a zero vector stays zero) and returns it. */
    public static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0 || Math.abs(sum - 1) < 1e-7) {
            return v;
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** Cosine similarity of vectors of any length; 0 when either is zero. */
    public static double cosine(float[] a, float[] b) {
        double na = Math.sqrt(dot(a, a));
        double nb = Math.sqrt(dot(b, b));
        return na == 0 || nb == 0 ? 0 : dot(a, b) / (na * nb);
    }
}
