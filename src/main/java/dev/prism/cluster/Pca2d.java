package dev.prism.cluster;

import org.ojalgo.matrix.decomposition.Eigenvalue;
import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.R064Store;

/**
 * Two-dimensional coordinates for the cluster map: the first two principal components of the summaries' embeddings.
 *
 * <p>The covariance (d × d) is built from at most {@value #SAMPLE} points and decomposed with ojalgo; every point is
 * then projected, and later points can be placed with {@link Model#project(float[], int)} without a new fit. An
 * eigenvector is only defined up to its sign, which would mirror the map from one run to the next; each component is
 * therefore turned so that its largest coordinate (by absolute value; the first on ties) is positive, the convention
 * of scikit-learn's {@code svd_flip}. Pure; callers run it on worker threads.
 */
public final class Pca2d {

    public static final int SAMPLE = 5_000;

    /**
     * @param mean              the centre the components are measured from
     * @param first             unit vector of the largest variance
     * @param second            unit vector of the second largest, orthogonal to {@code first}
     * @param explainedVariance share of the total variance along each component
     */
    public record Model(float[] mean, float[] first, float[] second, double[] explainedVariance) {

        /** The point at row {@code offset / dim} of a flat array, as {x, y}. */
        public float[] project(float[] vector, int offset) {
            double x = 0;
            double y = 0;
            for (int j = 0; j < mean.length; j++) {
                double v = vector[offset + j] - mean[j];
                x += v * first[j];
                y += v * second[j];
            }
            return new float[]{(float) x, (float) y};
        }
    }

    /** Coordinates of every point, {x0, y0, x1, y1, …}, and the model that produced them. */
    public record Projection(float[] xy, Model model) {
    }

    private Pca2d() {
    }

    public static Projection fit(Vectors data, long seed) {
        Model model = model(data, seed);
        int n = data.size();
        int d = data.dim();
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float[] p = model.project(data.data(), i * d);
            xy[2 * i] = p[0];
            xy[2 * i + 1] = p[1];
        }
        return new Projection(xy, model);
    }

    public static Model model(Vectors data, long seed) {
        int d = data.dim();
        Vectors sample = data.subset(Silhouette.sample(data.size(), SAMPLE, seed));
        int m = sample.size();
        double[] mean = new double[d];
        float[] x = sample.data();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= m;
        }
        R064Store centred = R064Store.FACTORY.make(m, d);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) {
                centred.set(i, j, x[i * d + j] - mean[j]);
            }
        }
        MatrixStore<Double> covariance = centred.transpose().multiply(centred).multiply(1.0 / Math.max(1, m - 1));
        Eigenvalue<Double> eigen = Eigenvalue.R064.make(covariance, true);
        if (!eigen.decompose(covariance)) {
            throw new IllegalStateException("eigen decomposition of the covariance failed");
        }
        double[] values = new double[d];
        eigen.getEigenvalues(values, java.util.Optional.empty());
        MatrixStore<Double> vectors = eigen.getV();
        int a = -1;
        int b = -1;
        for (int c = 0; c < d; c++) {
            if (a < 0 || values[c] > values[a]) {
                b = a;
                a = c;
            } else if (b < 0 || values[c] > values[b]) {
                b = c;
            }
        }
        double total = 0;
        for (double v : values) {
            total += Math.max(0, v);
        }
        float[] meanF = new float[d];
        for (int j = 0; j < d; j++) {
            meanF[j] = (float) mean[j];
        }
        float[] first = column(vectors, a, d);
        float[] second = b < 0 ? new float[d] : column(vectors, b, d);
        double[] explained = total > 0
                ? new double[]{Math.max(0, values[a]) / total, b < 0 ? 0 : Math.max(0, values[b]) / total}
                : new double[]{0, 0};
        return new Model(meanF, first, second, explained);
    }

    /** Column c as a unit vector whose largest coordinate is positive. */
    private static float[] column(MatrixStore<Double> vectors, int c, int d) {
        double[] v = new double[d];
        double norm = 0;
        int largest = 0;
        for (int j = 0; j < d; j++) {
            v[j] = vectors.doubleValue(j, c);
            norm += v[j] * v[j];
            if (Math.abs(v[j]) > Math.abs(v[largest])) {
                largest = j;
            }
        }
        double scale = (v[largest] < 0 ? -1 : 1) / (norm > 0 ? Math.sqrt(norm) : 1);
        float[] out = new float[d];
        for (int j = 0; j < d; j++) {
            out[j] = (float) (v[j] * scale);
        }
        return out;
    }
}
