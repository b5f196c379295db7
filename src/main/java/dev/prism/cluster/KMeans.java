package dev.prism.cluster;

import dev.prism.common.VectorMath;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Euclidean k-means: greedy k-means++ seeding, then Lloyd iterations, with the distance kernel split over cores.
 *
 * <p>Embeddings are L2-normalised, but the mean of unit vectors is shorter than 1, so "nearest centroid" is not simply
 * "largest dot product": the kernel ranks centroids by {@code |c|² - 2 x·c} (the {@code |x|²} term is the same for
 * every centroid). That keeps the result identical to textbook k-means (and to Smile and Commons Math, which the
 * benchmark compares against) for one extra addition per centroid.
 *
 * <p>Speed comes from the layout, not from tricks in the arithmetic: points are copied once into blocks of
 * {@value #BLOCK} points stored dimension by dimension, each dimension of a block in its own small array, so the
 * innermost loop adds {@code c[j] * x[j]} to {@value #BLOCK} running dot products at once, for four centroids per pass
 * over the block's row. That loop has no dependency between its iterations, so the JIT turns it into SIMD
 * instructions; a per-pair dot product is one long chain of dependent additions that it may not reorder. (Separate
 * arrays indexed from 0 matter on Java 17: its auto-vectoriser gives up when two arrays in one loop are read at
 * different variable offsets.) Measured on 20,000 × 384, k = 20: about 10 ms per assignment pass on one core, against
 * about 50 ms for the per-pair loop. Every dot product still sums its terms in dimension order, so results depend neither
 * on the block size nor on the thread count.
 *
 * <p>Determinism: the seed fixes the seeding; work is split into chunks of fixed size whose partial results are
 * combined in chunk order; centroids are summed per cluster in point order. The same data, options and seed give
 * bit-identical results with 1 or 16 threads. Pure; callers run it on worker threads.
 */
public final class KMeans {

    /**
     * Points per transposed block, also the unit of parallel work. Long enough that the vector loop dominates its
     * start-up cost, short enough that k × 256 partial sums stay in L1/L2 for the k this project uses (measured best
     * of 64–512 for k from 5 to 100).
     */
    static final int BLOCK = 256;
    private static final int CHUNK = BLOCK;

    /**
     * @param k              number of clusters, at least 1 and at most the number of points
     * @param maxIterations  Lloyd iterations after seeding (one iteration = new centroids, then reassignment)
     * @param tolerance      stop when an iteration lowers the inertia by less than this share of it; 0 runs until no
     *                       point changes cluster (or {@code maxIterations})
     * @param seed           fixes the seeding, hence the whole result
     * @param seedTrials     candidates tried per new centre in greedy k-means++ (1 = classic k-means++); more trials
     *                       give better starts, which matters more here than a few saved distance passes
     */
    public record Options(int k, int maxIterations, double tolerance, long seed, int seedTrials) {
        public Options {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1, got " + k);
            }
            if (maxIterations < 0) {
                throw new IllegalArgumentException("maxIterations must not be negative, got " + maxIterations);
            }
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be a number >= 0, got " + tolerance);
            }
            if (seedTrials < 1) {
                throw new IllegalArgumentException("seedTrials must be at least 1, got " + seedTrials);
            }
        }

        /** 100 iterations, relative tolerance 1e-4, 2 + ln k seeding trials (the choice of scikit-learn). */
        public static Options of(int k, long seed) {
            return new Options(k, 100, 1e-4, seed, 2 + (int) Math.log(k));
        }

        public Options withMaxIterations(int maxIterations) {
            return new Options(k, maxIterations, tolerance, seed, seedTrials);
        }

        public Options withTolerance(double tolerance) {
            return new Options(k, maxIterations, tolerance, seed, seedTrials);
        }

        public Options withSeedTrials(int seedTrials) {
            return new Options(k, maxIterations, tolerance, seed, seedTrials);
        }
    }

    /**
     * @param assignments cluster index per point
     * @param centroids   k rows of {@code dim} floats, row-major; each is the mean of its members unless the run stopped
     *                    at {@code maxIterations}, where the assignments are still the nearest centroid for each point
     * @param inertia     sum of squared euclidean distances of points to their centroids, computed in double
     * @param iterations  Lloyd iterations run after seeding
     * @param converged   stopped because nothing (or too little, see tolerance) changed, not at the iteration cap
     */
    public record Result(int[] assignments, float[] centroids, int k, int dim, double inertia, int iterations, boolean converged) {

        public float[] centroid(int c) {
            return Arrays.copyOfRange(centroids, c * dim, (c + 1) * dim);
        }

        public Vectors centroidVectors() {
            return new Vectors(centroids, dim);
        }

        public int[] sizes() {
            int[] sizes = new int[k];
            for (int a : assignments) {
                sizes[a]++;
            }
            return sizes;
        }
    }

    private KMeans() {
    }

    /** Seeds with greedy k-means++ and runs Lloyd iterations. */
    public static Result fit(Vectors data, Options options, Parallel parallel) {
        Work w = new Work(data, options.k(), parallel);
        w.seed(options.seed(), options.seedTrials());
        return w.lloyd(options);
    }

    /**
     * The best of {@code restarts} runs (lowest inertia; the earliest on ties), seeded {@code seed}, {@code seed + 1}, …
     * k-means only finds a local optimum, and on data with outliers k-means++ likes to start at outliers; a few
     * restarts make both the clustering and the choice of k far less dependent on the seed.
     */
    public static Result fitBest(Vectors data, Options options, int restarts, Parallel parallel) {
        Result best = null;
        for (int r = 0; r < Math.max(1, restarts); r++) {
            Options o = new Options(options.k(), options.maxIterations(), options.tolerance(), options.seed() + r, options.seedTrials());
            Result result = fit(data, o, parallel);
            if (best == null || result.inertia() < best.inertia()) {
                best = result;
            }
        }
        return best;
    }

    /**
     * Runs Lloyd iterations from the given centroids (k rows, row-major) instead of seeding: a warm start from the
     * previous run's centroids, or the same start as another implementation when comparing.
     */
    public static Result fit(Vectors data, float[] initialCentroids, Options options, Parallel parallel) {
        if (initialCentroids.length != options.k() * data.dim()) {
            throw new IllegalArgumentException("expected " + options.k() + " centroids of dimension " + data.dim()
                    + ", got " + initialCentroids.length + " floats");
        }
        Work w = new Work(data, options.k(), parallel);
        System.arraycopy(initialCentroids, 0, w.centroids, 0, initialCentroids.length);
        w.centroidsChanged();
        w.assign();
        return w.lloyd(options);
    }

    /** The greedy k-means++ starting centroids alone (k rows, row-major), for comparisons that need the same start. */
    public static float[] seedCentroids(Vectors data, Options options, Parallel parallel) {
        Work w = new Work(data, options.k(), parallel);
        w.seed(options.seed(), options.seedTrials());
        return w.centroids.clone();
    }

    /** Sum of squared euclidean distances of each point to the centroid it is assigned to, in double. */
    public static double inertia(Vectors data, int[] assignments, float[] centroids, Parallel parallel) {
        int n = data.size();
        int d = data.dim();
        int chunks = (n + CHUNK - 1) / CHUNK;
        double[] partial = new double[chunks];
        parallel.forEach(chunks, ch -> {
            double s = 0;
            for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                s += Vectors.squaredDistance(data.data(), i * d, centroids, assignments[i] * d, d);
            }
            partial[ch] = s;
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    /** The state of one run; not shared between runs. */
    private static final class Work {
        final float[] x;
        final int n;
        final int d;
        final int k;
        final Parallel parallel;
        final float[] xx;
        /** Points in blocks of BLOCK, one array per block and dimension: xt[block * d + j][i]; the last block is zero-padded. */
        final float[][] xt;
        final float[] centroids;
        /** Centroids dimension-major, ct[j * k + c], so the kernel reads the k values for dimension j in one line. */
        final float[] ct;
        final float[] cc;
        final int[] labels;
        /** Squared distance of each point to its assigned centroid, from the kernel (float precision). */
        final float[] dist;
        final int chunks;
        final double[] chunkInertia;
        final int[] chunkChanges;

        Work(Vectors data, int k, Parallel parallel) {
            this.x = data.data();
            this.n = data.size();
            this.d = data.dim();
            this.k = k;
            this.parallel = parallel;
            if (k > n) {
                throw new IllegalArgumentException("k = " + k + " is more than the " + n + " points");
            }
            int blocks = (n + BLOCK - 1) / BLOCK;
            this.chunks = blocks;
            this.xx = new float[n];
            this.xt = new float[blocks * d][BLOCK];
            this.centroids = new float[k * d];
            this.ct = new float[d * k];
            this.cc = new float[k];
            this.labels = new int[n];
            this.dist = new float[n];
            this.chunkInertia = new double[chunks];
            this.chunkChanges = new int[chunks];
            parallel.forEach(chunks, ch -> {
                for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                    int col = i - ch * CHUNK;
                    int xo = i * d;
                    xx[i] = VectorMath.dot(x, xo, x, xo, d);
                    for (int j = 0; j < d; j++) {
                        xt[ch * d + j][col] = x[xo + j];
                    }
                }
            });
        }

        void centroidsChanged() {
            for (int c = 0; c < k; c++) {
                cc[c] = VectorMath.dot(centroids, c * d, centroids, c * d, d);
                for (int j = 0; j < d; j++) {
                    ct[j * k + c] = centroids[c * d + j];
                }
            }
        }

        /** Assigns every point to its nearest centroid; returns how many points changed cluster. */
        int assign() {
            parallel.forEach(chunks, this::assignChunk);
            int changes = 0;
            for (int c : chunkChanges) {
                changes += c;
            }
            return changes;
        }

        private void assignChunk(int b) {
            float[][] acc = new float[k][BLOCK];
            dotBlock(b, ct, k, acc);
            int changes = 0;
            double inertia = 0;
            for (int i = 0, p = b * BLOCK; i < BLOCK && p < n; i++, p++) {
                int best = 0;
                float bestScore = cc[0] - 2 * acc[0][i];
                for (int c = 1; c < k; c++) {
                    float score = cc[c] - 2 * acc[c][i];
                    if (score < bestScore) {
                        bestScore = score;
                        best = c;
                    }
                }
                if (labels[p] != best) {
                    changes++;
                    labels[p] = best;
                }
                float dd = Math.max(0f, xx[p] + bestScore);
                dist[p] = dd;
                inertia += dd;
            }
            chunkChanges[b] = changes;
            chunkInertia[b] = inertia;
        }

        /**
         * acc[c][i] = dot(point i of block b, centre c), each summed in dimension order, for the {@code k} centres
         * stored dimension-major in {@code ct}. Four centres share one read of the point row, which halves the memory
         * operations per multiply-add.
         */
        private void dotBlock(int b, float[] ct, int k, float[][] acc) {
            for (int j = 0; j < d; j++) {
                float[] xr = xt[b * d + j];
                int co = j * k;
                int c = 0;
                for (; c + 3 < k; c += 4) {
                    float s0 = ct[co + c];
                    float s1 = ct[co + c + 1];
                    float s2 = ct[co + c + 2];
                    float s3 = ct[co + c + 3];
                    float[] a0 = acc[c];
                    float[] a1 = acc[c + 1];
                    float[] a2 = acc[c + 2];
                    float[] a3 = acc[c + 3];
                    for (int i = 0; i < BLOCK; i++) {
                        float v = xr[i];
                        a0[i] += s0 * v;
                        a1[i] += s1 * v;
                        a2[i] += s2 * v;
                        a3[i] += s3 * v;
                    }
                }
                for (; c < k; c++) {
                    float s = ct[co + c];
                    float[] a = acc[c];
                    for (int i = 0; i < BLOCK; i++) {
                        a[i] += s * xr[i];
                    }
                }
            }
        }

        double kernelInertia() {
            double total = 0;
            for (double v : chunkInertia) {
                total += v;
            }
            return total;
        }

        /** Greedy k-means++: each new centre is the best of {@code trials} candidates drawn with probability ∝ D². */
        void seed(long seed, int trials) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] candidateDist = new float[trials * n];
            double[] prefix = new double[n];
            boolean[] chosen = new boolean[n];
            int first = random.nextInt(n);
            setCentroid(0, first);
            chosen[first] = true;
            distancesTo(new int[]{first}, candidateDist);
            System.arraycopy(candidateDist, 0, dist, 0, n);
            Arrays.fill(labels, 0);
            int[] candidates = new int[trials];
            for (int c = 1; c < k; c++) {
                double total = 0;
                for (int i = 0; i < n; i++) {
                    total += dist[i];
                    prefix[i] = total;
                }
                for (int t = 0; t < trials; t++) {
                    candidates[t] = total > 0 ? sample(prefix, random.nextDouble() * total) : firstNotChosen(chosen);
                }
                distancesTo(candidates, candidateDist);
                int bestTrial = 0;
                double bestPotential = Double.POSITIVE_INFINITY;
                for (int t = 0; t < trials; t++) {
                    double potential = 0;
                    for (int i = 0, o = t * n; i < n; i++) {
                        potential += Math.min(dist[i], candidateDist[o + i]);
                    }
                    if (potential < bestPotential) {
                        bestPotential = potential;
                        bestTrial = t;
                    }
                }
                int pick = candidates[bestTrial];
                chosen[pick] = true;
                setCentroid(c, pick);
                for (int i = 0, o = bestTrial * n; i < n; i++) {
                    if (candidateDist[o + i] < dist[i]) {
                        dist[i] = candidateDist[o + i];
                        labels[i] = c;
                    }
                }
            }
            centroidsChanged();
        }

        private static int sample(double[] prefix, double r) {
            int lo = 0;
            int hi = prefix.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (prefix[mid] > r) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        /** Only when every point already coincides with a centre (fewer distinct points than k). */
        private static int firstNotChosen(boolean[] chosen) {
            for (int i = 0; i < chosen.length; i++) {
                if (!chosen[i]) {
                    return i;
                }
            }
            return 0;
        }

        private void setCentroid(int c, int point) {
            System.arraycopy(x, point * d, centroids, c * d, d);
        }

        /** out[t * n + i] = squared distance of point i to point candidates[t]. */
        private void distancesTo(int[] candidates, float[] out) {
            int t = candidates.length;
            float[] candT = new float[d * t];
            for (int c = 0; c < t; c++) {
                for (int j = 0; j < d; j++) {
                    candT[j * t + c] = x[candidates[c] * d + j];
                }
            }
            parallel.forEach(chunks, b -> {
                float[][] acc = new float[t][BLOCK];
                dotBlock(b, candT, t, acc);
                for (int i = 0, p = b * BLOCK; i < BLOCK && p < n; i++, p++) {
                    for (int c = 0; c < t; c++) {
                        int q = candidates[c];
                        out[c * n + p] = p == q ? 0f : Math.max(0f, xx[p] + xx[q] - 2 * acc[c][i]);
                    }
                }
            });
        }

        /** Centroids become the means of their members; a cluster left empty restarts at the worst-served point. */
        void update() {
            int[] start = new int[k + 1];
            for (int l : labels) {
                start[l + 1]++;
            }
            for (int c = 0; c < k; c++) {
                start[c + 1] += start[c];
            }
            int[] members = new int[n];
            int[] fill = Arrays.copyOf(start, k);
            for (int i = 0; i < n; i++) {
                members[fill[labels[i]]++] = i;
            }
            parallel.forEach(k, c -> {
                int from = start[c];
                int to = start[c + 1];
                if (from == to) {
                    return;
                }
                double[] sum = new double[d];
                for (int m = from; m < to; m++) {
                    int xo = members[m] * d;
                    for (int j = 0; j < d; j++) {
                        sum[j] += x[xo + j];
                    }
                }
                double size = to - from;
                for (int j = 0; j < d; j++) {
                    centroids[c * d + j] = (float) (sum[j] / size);
                }
            });
            boolean[] taken = null;
            for (int c = 0; c < k; c++) {
                if (start[c] == start[c + 1]) {
                    if (taken == null) {
                        taken = new boolean[n];
                    }
                    int worst = -1;
                    for (int i = 0; i < n; i++) {
                        if (!taken[i] && (worst < 0 || dist[i] > dist[worst])) {
                            worst = i;
                        }
                    }
                    taken[worst] = true;
                    setCentroid(c, worst);
                }
            }
            centroidsChanged();
        }

        Result lloyd(Options options) {
            double inertia = kernelInertia();
            int iterations = 0;
            boolean converged = false;
            while (iterations < options.maxIterations()) {
                update();
                int changes = assign();
                iterations++;
                double next = kernelInertia();
                if (changes == 0) {
                    converged = true;
                    break;
                }
                boolean small = options.tolerance() > 0 && inertia - next <= options.tolerance() * next;
                inertia = next;
                if (small) {
                    converged = true;
                    break;
                }
            }
            double exact = inertia(new Vectors(x, d), labels, centroids, parallel);
            return new Result(labels.clone(), centroids.clone(), k, d, exact, iterations, converged);
        }
    }
}
