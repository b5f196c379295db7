package dev.prism.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Labelled embeddings shaped like summary embeddings: topics are random directions on the unit sphere (in 384
 * dimensions nearly orthogonal to each other), a summary is its topic's direction plus Gaussian noise, normalised;
 * outliers are uniform on the sphere. The within-topic spread of 0.7 puts members at cosine similarity about 0.67,
 * which is what MiniLM gives for paraphrases of one problem.
 */
final class SyntheticCorpus {

    static final int DIM = 384;

    record Corpus(Vectors vectors, int[] truth, List<String> ids, List<String> users) {
        int size() {
            return truth.length;
        }

        /** Indices of points that belong to a topic (not outliers). */
        int[] topicPoints() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < truth.length; i++) {
                if (truth[i] >= 0) {
                    out.add(i);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private final float[][] topics;
    private final double spread;
    private final int dim;
    private int nextId;

    SyntheticCorpus(int topics, double spread, int dim, long seed) {
        Random random = new Random(seed);
        this.topics = new float[topics][];
        for (int t = 0; t < topics; t++) {
            this.topics[t] = unit(gaussian(random, dim, 1));
        }
        this.spread = spread;
        this.dim = dim;
    }

    SyntheticCorpus(int topics, long seed) {
        this(topics, 0.7, DIM, seed);
    }

    /** {@code perTopic} summaries of every topic and {@code outliers} unrelated ones, shuffled; 20 users. */
    Corpus sample(int perTopic, int outliers, long seed) {
        Random random = new Random(seed);
        List<float[]> rows = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        for (int t = 0; t < topics.length; t++) {
            for (int i = 0; i < perTopic; i++) {
                float[] v = gaussian(random, dim, spread / Math.sqrt(dim));
                for (int j = 0; j < dim; j++) {
                    v[j] += topics[t][j];
                }
                rows.add(unit(v));
                truth.add(t);
            }
        }
        for (int i = 0; i < outliers; i++) {
            rows.add(unit(gaussian(random, dim, 1)));
            truth.add(-1);
        }
        int n = rows.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        List<float[]> shuffled = new ArrayList<>();
        int[] labels = new int[n];
        List<String> ids = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            shuffled.add(rows.get(order[i]));
            labels[i] = truth.get(order[i]);
            ids.add("trace-" + nextId++);
            users.add("user-" + random.nextInt(20));
        }
        return new Corpus(Vectors.of(shuffled), labels, ids, users);
    }

    /** {@code a} followed by {@code b}, as when new summaries arrive. */
    static Corpus concat(Corpus a, Corpus b) {
        float[] data = new float[a.vectors().data().length + b.vectors().data().length];
        System.arraycopy(a.vectors().data(), 0, data, 0, a.vectors().data().length);
        System.arraycopy(b.vectors().data(), 0, data, a.vectors().data().length, b.vectors().data().length);
        int[] truth = new int[a.size() + b.size()];
        System.arraycopy(a.truth(), 0, truth, 0, a.size());
        System.arraycopy(b.truth(), 0, truth, a.size(), b.size());
        List<String> ids = new ArrayList<>(a.ids());
        ids.addAll(b.ids());
        List<String> users = new ArrayList<>(a.users());
        users.addAll(b.users());
        return new Corpus(new Vectors(data, a.vectors().dim()), truth, ids, users);
    }

    static int[] select(int[] labels, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = labels[rows[i]];
        }
        return out;
    }

    private static float[] gaussian(Random random, int dim, double sigma) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (v[j] / norm);
        }
        return v;
    }
}
