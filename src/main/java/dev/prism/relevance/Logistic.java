package dev.prism.relevance;

/**
 * A logistic-regression head: {@code p = sigmoid(w · x + b)}, trained by full-batch gradient descent with L2
 * regularisation and class weights (positives are rare). Small and exact enough for a few thousand examples of a few
 * hundred features; no library in the build offers a plain, deterministic one. Pure.
 */
public record Logistic(double[] weights, double bias) {

    public double probability(float[] x) {
        double z = bias;
        for (int i = 0; i < weights.length; i++) {
            z += weights[i] * x[i];
        }
        return sigmoid(z);
    }

    public double probability(double[] x) {
        double z = bias;
        for (int i = 0; i < weights.length; i++) {
            z += weights[i] * x[i];
        }
        return sigmoid(z);
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /**
     * @param x      examples, all of the same length
     * @param y      labels
     * @param l2     regularisation strength (on weights, not the bias)
     * @param epochs full-batch steps (Adam)
     */
    public static Logistic train(double[][] x, boolean[] y, double l2, int epochs) {
        int n = x.length;
        int d = n == 0 ? 0 : x[0].length;
        int positives = 0;
        for (boolean b : y) {
            positives += b ? 1 : 0;
        }
        if (positives == 0 || positives == n) {
            throw new IllegalArgumentException("training needs both classes (" + positives + " positives of " + n + ")");
        }
        // Balanced: each class weighs half of the loss.
        double wPos = n / (2.0 * positives);
        double wNeg = n / (2.0 * (n - positives));
        double[] w = new double[d + 1];
        double[] m = new double[d + 1];
        double[] v = new double[d + 1];
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.999;
        double[] g = new double[d + 1];
        for (int t = 1; t <= epochs; t++) {
            java.util.Arrays.fill(g, 0);
            for (int i = 0; i < n; i++) {
                double z = w[d];
                double[] xi = x[i];
                for (int j = 0; j < d; j++) {
                    z += w[j] * xi[j];
                }
                double err = (sigmoid(z) - (y[i] ? 1 : 0)) * (y[i] ? wPos : wNeg) / n;
                for (int j = 0; j < d; j++) {
                    g[j] += err * xi[j];
                }
                g[d] += err;
            }
            for (int j = 0; j < d; j++) {
                g[j] += l2 * w[j];
            }
            for (int j = 0; j <= d; j++) {
                m[j] = b1 * m[j] + (1 - b1) * g[j];
                v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
                double mh = m[j] / (1 - Math.pow(b1, t));
                double vh = v[j] / (1 - Math.pow(b2, t));
                w[j] -= lr * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
        return new Logistic(java.util.Arrays.copyOf(w, d), w[d]);
    }
}
