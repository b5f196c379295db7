package dev.prism.cluster;

import dev.prism.common.VectorMath;
import java.util.List;

/**
 * Streaming assignment between re-clusterings: a new summary joins the cluster whose centroid is nearest by cosine
 * distance, unless even that one is farther than {@code maxDistance}; then it stays unassigned until the next full
 * run decides whether it starts something new. Centroids need not be normalised (k-means means are shorter than 1).
 * Pure.
 */
public final class NearestCentroid {

    private NearestCentroid() {
    }

    /** Index of the nearest centroid within {@code maxDistance}, or -1; ties go to the lower index. */
    public static int nearest(float[] vector, List<float[]> centroids, double maxDistance) {
        double vNorm = Math.sqrt(VectorMath.dot(vector, 0, vector, 0, vector.length));
        if (vNorm == 0) {
            return -1;
        }
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.size(); c++) {
            double distance = cosineDistance(vector, vNorm, centroids.get(c));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = c;
            }
        }
        return best >= 0 && bestDistance <= maxDistance ? best : -1;
    }

    /** 1 - cos(a, b); 1 when either vector is zero. */
    public static double cosineDistance(float[] a, float[] b) {
        return cosineDistance(a, Math.sqrt(VectorMath.dot(a, 0, a, 0, a.length)), b);
    }

    private static double cosineDistance(float[] a, double aNorm, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension " + a.length + " against " + b.length);
        }
        double bNorm = Math.sqrt(VectorMath.dot(b, 0, b, 0, b.length));
        if (aNorm == 0 || bNorm == 0) {
            return 1;
        }
        return 1 - VectorMath.dot(a, 0, b, 0, a.length) / (aNorm * bNorm);
    }
}
