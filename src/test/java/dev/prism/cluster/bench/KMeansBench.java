package dev.prism.cluster.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.prism.cluster.KMeans;
import dev.prism.cluster.Parallel;
import dev.prism.cluster.Vectors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.DistanceMeasure;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.slf4j.LoggerFactory;
import smile.clustering.BBDTree;
import smile.clustering.PartitionClustering;
import smile.math.MathEx;

/**
 * k-means on 20,000 × 384, k = 20 (DESIGN.md §7): Prism's {@link KMeans} against Smile 3.1.1 and Apache Commons Math
 * 3.6.1, in one run. Not a test: run it with {@code docs/bench-kmeans.sh}.
 *
 * <p>Method. Every implementation runs to convergence (no point changes cluster; at most 100 iterations) from k-means++
 * seeding with the same seed value. First one untimed pass records each one's iterations and final inertia (computed
 * the same way for all: sum of squared euclidean distances in double). Then JMH times each full run and, separately,
 * its seeding alone (median of 5 measured JMH iterations of 2 s after 4 warm-up ones of 3 s, one fork); time per iteration =
 * (full − seeding) / iterations. Each library seeds with its own random
 * generator, so their starts differ; to compare at an equal start, Prism also runs from exactly Smile's seeding
 * ({@code PartitionClustering.seed} with Smile's seed, as {@code KMeans.lloyd} does internally) and must reach Smile's
 * iterations and inertia.
 *
 * <p>Data: 20 themes of 3 sub-topics each (random directions on the unit sphere), summaries spread around their
 * sub-topic like paraphrases (cosine ≈ 0.67 to each other), Zipf-like topic sizes, 10 % outliers; L2-normalised.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class KMeansBench {

    static final int N = 20_000;
    static final int D = 384;
    static final int K = 20;
    static final int MAX_ITERATIONS = 100;
    static final long SEED = 42;

    private Vectors vectors;
    private double[][] rows;
    private List<DoublePoint> points;
    private float[] smileStart;
    private ExecutorService pool;
    private Parallel two;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void setUp() {
        quietSmile(null);
        vectors = data(SEED);
        rows = toRows(vectors);
        points = java.util.Arrays.stream(rows).map(DoublePoint::new).toList();
        smileStart = smileSeeding(rows);
        pool = Executors.newFixedThreadPool(2);
        two = Parallel.of(pool, 2);
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private static KMeans.Options options() {
        return KMeans.Options.of(K, SEED).withTolerance(0).withMaxIterations(MAX_ITERATIONS);
    }

    @Benchmark
    public KMeans.Result prism2Threads() {
        return KMeans.fit(vectors, options(), two);
    }

    @Benchmark
    public float[] prism2ThreadsSeeding() {
        return KMeans.seedCentroids(vectors, options(), two);
    }

    @Benchmark
    public KMeans.Result prism1Thread() {
        return KMeans.fit(vectors, options(), Parallel.sequential());
    }

    @Benchmark
    public float[] prism1ThreadSeeding() {
        return KMeans.seedCentroids(vectors, options(), Parallel.sequential());
    }

    /** Lloyd only (plus the copy into blocks and the first assignment), from Smile's seeding. */
    @Benchmark
    public KMeans.Result prism2ThreadsFromSmileSeeding() {
        return KMeans.fit(vectors, smileStart, options(), two);
    }

    @Benchmark
    public smile.clustering.KMeans smileLloyd() {
        MathEx.setSeed(SEED);
        return smile.clustering.KMeans.lloyd(rows, K, MAX_ITERATIONS, 0);
    }

    @Benchmark
    public double[] smileSeeding() {
        MathEx.setSeed(SEED);
        return PartitionClustering.seed(rows, new double[K][], new int[N], MathEx::squaredDistance);
    }

    @Benchmark
    public smile.clustering.KMeans smileBbdTree() {
        MathEx.setSeed(SEED);
        return smile.clustering.KMeans.fit(rows, K, MAX_ITERATIONS, 0);
    }

    @Benchmark
    public double[] smileBbdTreeSeeding() {
        MathEx.setSeed(SEED);
        new BBDTree(rows);
        return PartitionClustering.seed(rows, new double[K][], new int[N], MathEx::squaredDistance);
    }

    @Benchmark
    public List<CentroidCluster<DoublePoint>> commonsMath() {
        return new KMeansPlusPlusClusterer<DoublePoint>(K, MAX_ITERATIONS, new EuclideanDistance(), new JDKRandomGenerator((int) SEED))
                .cluster(points);
    }

    /** With no iterations Commons Math still seeds and assigns once, the same work Smile's seeding does. */
    @Benchmark
    public List<CentroidCluster<DoublePoint>> commonsMathSeeding() {
        return new KMeansPlusPlusClusterer<DoublePoint>(K, 0, new EuclideanDistance(), new JDKRandomGenerator((int) SEED))
                .cluster(points);
    }

    // ---------------------------------------------------------------------------------------------------------------

    static Vectors data(long seed) {
        Random random = new Random(seed);
        int themes = 20;
        int perTheme = 3;
        float[][] topics = new float[themes * perTheme][];
        for (int t = 0; t < themes; t++) {
            float[] theme = unit(gaussian(random, 1));
            for (int s = 0; s < perTheme; s++) {
                float[] sub = gaussian(random, 0.8 / Math.sqrt(D));
                for (int j = 0; j < D; j++) {
                    sub[j] += theme[j];
                }
                topics[t * perTheme + s] = unit(sub);
            }
        }
        double[] weights = new double[topics.length];
        double total = 0;
        for (int t = 0; t < topics.length; t++) {
            weights[t] = 1 / Math.pow(t + 1, 0.8);
            total += weights[t];
        }
        float[] flat = new float[N * D];
        for (int i = 0; i < N; i++) {
            float[] v;
            if (random.nextDouble() < 0.1) {
                v = unit(gaussian(random, 1));
            } else {
                double r = random.nextDouble() * total;
                int t = 0;
                while (t < topics.length - 1 && (r -= weights[t]) > 0) {
                    t++;
                }
                v = gaussian(random, 0.7 / Math.sqrt(D));
                for (int j = 0; j < D; j++) {
                    v[j] += topics[t][j];
                }
                v = unit(v);
            }
            System.arraycopy(v, 0, flat, i * D, D);
        }
        return new Vectors(flat, D);
    }

    private static float[] gaussian(Random random, double sigma) {
        float[] v = new float[D];
        for (int j = 0; j < D; j++) {
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

    static double[][] toRows(Vectors v) {
        double[][] out = new double[v.size()][v.dim()];
        for (int i = 0; i < v.size(); i++) {
            for (int j = 0; j < v.dim(); j++) {
                out[i][j] = v.data()[i * v.dim() + j];
            }
        }
        return out;
    }

    /** Smile's k-means++ start for SEED, as {@code KMeans.lloyd} computes it, as Prism's flat centroids. */
    static float[] smileSeeding(double[][] rows) {
        MathEx.setSeed(SEED);
        double[][] medoids = new double[K][];
        PartitionClustering.seed(rows, medoids, new int[rows.length], MathEx::squaredDistance);
        float[] flat = new float[K * D];
        for (int c = 0; c < K; c++) {
            for (int j = 0; j < D; j++) {
                flat[c * D + j] = (float) medoids[c][j];
            }
        }
        return flat;
    }

    /** Sum of squared euclidean distances in double, the same formula for every implementation. */
    static double inertia(double[][] rows, int[] labels, double[][] centroids) {
        double s = 0;
        for (int i = 0; i < rows.length; i++) {
            double[] c = centroids[labels[i]];
            for (int j = 0; j < rows[i].length; j++) {
                double diff = rows[i][j] - c[j];
                s += diff * diff;
            }
        }
        return s;
    }

    /** Smile logs every iteration at INFO; the counter turns those lines into an iteration count. */
    private static void quietSmile(AppenderBase<ILoggingEvent> counter) {
        Logger logger = (Logger) LoggerFactory.getLogger("smile.clustering.KMeans");
        logger.setAdditive(false);
        logger.setLevel(counter == null ? Level.WARN : Level.INFO);
        logger.detachAndStopAllAppenders();
        if (counter != null) {
            counter.setContext(logger.getLoggerContext());
            counter.start();
            logger.addAppender(counter);
        }
    }

    private static final class IterationCounter extends AppenderBase<ILoggingEvent> {
        int iterations;

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getFormattedMessage().startsWith("Distortion after") && !event.getFormattedMessage().contains("initialization")) {
                iterations++;
            }
        }
    }

    private static final class CountingDistance implements DistanceMeasure {
        private final EuclideanDistance inner = new EuclideanDistance();
        long calls;

        @Override
        public double compute(double[] a, double[] b) {
            calls++;
            return inner.compute(a, b);
        }
    }

    record Quality(int iterations, double inertia) {
    }

    /** One untimed run of each implementation: iterations and final inertia. */
    static Map<String, Quality> quality() {
        KMeansBench b = new KMeansBench();
        b.setUp();
        try {
            Map<String, Quality> out = new LinkedHashMap<>();
            KMeans.Result p2 = b.prism2Threads();
            out.put("prism", new Quality(p2.iterations(), inertia(b.rows, p2.assignments(), centroids(p2))));
            KMeans.Result p1 = b.prism1Thread();
            if (!java.util.Arrays.equals(p1.assignments(), p2.assignments())) {
                throw new IllegalStateException("1 and 2 threads disagree");
            }
            KMeans.Result fromSmile = b.prism2ThreadsFromSmileSeeding();
            out.put("prismFromSmileSeeding", new Quality(fromSmile.iterations(), inertia(b.rows, fromSmile.assignments(), centroids(fromSmile))));

            IterationCounter counter = new IterationCounter();
            quietSmile(counter);
            smile.clustering.KMeans lloyd = b.smileLloyd();
            out.put("smileLloyd", new Quality(counter.iterations, inertia(b.rows, lloyd.y, lloyd.centroids)));
            counter.iterations = 0;
            smile.clustering.KMeans bbd = b.smileBbdTree();
            out.put("smileBbdTree", new Quality(counter.iterations, inertia(b.rows, bbd.y, bbd.centroids)));
            quietSmile(null);

            CountingDistance seedOnly = new CountingDistance();
            new KMeansPlusPlusClusterer<DoublePoint>(K, 0, seedOnly, new JDKRandomGenerator((int) SEED)).cluster(b.points);
            CountingDistance full = new CountingDistance();
            List<CentroidCluster<DoublePoint>> cm = new KMeansPlusPlusClusterer<DoublePoint>(K, MAX_ITERATIONS, full,
                    new JDKRandomGenerator((int) SEED)).cluster(b.points);
            // Each Commons Math iteration measures every point against every centre once.
            int cmIterations = (int) ((full.calls - seedOnly.calls) / ((long) N * K));
            out.put("commonsMath", new Quality(cmIterations, commonsInertia(b.rows, b.points, cm)));
            return out;
        } finally {
            b.tearDown();
        }
    }

    private static double[][] centroids(KMeans.Result r) {
        double[][] c = new double[r.k()][r.dim()];
        for (int i = 0; i < r.k(); i++) {
            for (int j = 0; j < r.dim(); j++) {
                c[i][j] = r.centroids()[i * r.dim() + j];
            }
        }
        return c;
    }

    private static double commonsInertia(double[][] rows, List<DoublePoint> points, Collection<CentroidCluster<DoublePoint>> clusters) {
        Map<DoublePoint, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < points.size(); i++) {
            index.put(points.get(i), i);
        }
        int[] labels = new int[rows.length];
        double[][] centres = new double[clusters.size()][];
        int c = 0;
        for (CentroidCluster<DoublePoint> cluster : clusters) {
            centres[c] = cluster.getCenter().getPoint();
            for (DoublePoint p : cluster.getPoints()) {
                labels[index.get(p)] = c;
            }
            c++;
        }
        return inertia(rows, labels, centres);
    }

    /**
     * Round-robin timing without JMH: every round runs each benchmark method once, in turn, in this JVM. Slower drifts
     * in the load of a shared machine then hit every implementation alike, which JMH's one-benchmark-after-the-other
     * order cannot promise. Median per method, after {@code warmup} untimed rounds.
     */
    static Map<String, Double> interleaved(int warmup, int rounds) {
        KMeansBench b = new KMeansBench();
        b.setUp();
        try {
            Map<String, java.util.concurrent.Callable<Object>> methods = new LinkedHashMap<>();
            methods.put("prism2Threads", b::prism2Threads);
            methods.put("prism2ThreadsSeeding", b::prism2ThreadsSeeding);
            methods.put("prism1Thread", b::prism1Thread);
            methods.put("prism1ThreadSeeding", b::prism1ThreadSeeding);
            methods.put("prism2ThreadsFromSmileSeeding", b::prism2ThreadsFromSmileSeeding);
            methods.put("smileLloyd", b::smileLloyd);
            methods.put("smileSeeding", b::smileSeeding);
            methods.put("smileBbdTree", b::smileBbdTree);
            methods.put("smileBbdTreeSeeding", b::smileBbdTreeSeeding);
            methods.put("commonsMath", b::commonsMath);
            methods.put("commonsMathSeeding", b::commonsMathSeeding);
            Map<String, double[]> times = new LinkedHashMap<>();
            methods.keySet().forEach(name -> times.put(name, new double[rounds]));
            int sink = 0;
            for (int round = -warmup; round < rounds; round++) {
                for (Map.Entry<String, java.util.concurrent.Callable<Object>> m : methods.entrySet()) {
                    long start = System.nanoTime();
                    sink += System.identityHashCode(m.getValue().call());
                    if (round >= 0) {
                        times.get(m.getKey())[round] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            times.forEach((name, t) -> {
                double[] sorted = t.clone();
                java.util.Arrays.sort(sorted);
                medians.put(name, sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);
            });
            if (sink == 42) {
                System.out.print("");
            }
            return medians;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            b.tearDown();
        }
    }

    /**
     * {@code --quick}: one short JMH measurement each, to check that the benchmark runs. {@code --interleaved}: the
     * round-robin timing of {@link #interleaved} (5 warm-up rounds, 11 measured) instead of JMH.
     */
    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        boolean roundRobin = List.of(args).contains("--interleaved");
        System.out.printf("k-means benchmark: %,d × %d, k = %d, %d cores, %s %s%n", N, D, K,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        Map<String, Quality> quality = quality();
        quality.forEach((name, q) -> System.out.printf("  %-24s %3d iterations, inertia %.4f%n", name, q.iterations(), q.inertia()));

        Map<String, Double> ms = new LinkedHashMap<>();
        if (roundRobin) {
            ms = interleaved(quick ? 1 : 5, quick ? 1 : 11);
            System.out.println("Round-robin medians (ms): " + ms);
        } else {
            ChainedOptionsBuilder options = new OptionsBuilder().include(KMeansBench.class.getName() + "\\.");
            if (quick) {
                options.warmupIterations(1).measurementIterations(1).warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1));
            }
            for (RunResult r : new Runner(options.build()).run()) {
                String label = r.getParams().getBenchmark();
                // The median of the measured iterations: on a shared machine one disturbed iteration moves the mean a lot.
                ms.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult().getStatistics().getPercentile(50));
            }
        }

        double reference = quality.get("prism").inertia();
        List<String[]> table = new ArrayList<>();
        table.add(row("Prism KMeans, 2 threads", "prism", "prism2Threads", "prism2ThreadsSeeding", quality, ms, reference));
        table.add(row("Prism KMeans, 1 thread", "prism", "prism1Thread", "prism1ThreadSeeding", quality, ms, reference));
        table.add(row("Prism KMeans, 2 threads, from Smile's seeding", "prismFromSmileSeeding", "prism2ThreadsFromSmileSeeding", null, quality, ms, reference));
        table.add(row("Smile 3.1.1 KMeans.lloyd (parallel streams)", "smileLloyd", "smileLloyd", "smileSeeding", quality, ms, reference));
        table.add(row("Smile 3.1.1 KMeans.fit (BBD tree)", "smileBbdTree", "smileBbdTree", "smileBbdTreeSeeding", quality, ms, reference));
        table.add(row("Commons Math 3.6.1 KMeansPlusPlusClusterer", "commonsMath", "commonsMath", "commonsMathSeeding", quality, ms, reference));
        System.out.println();
        System.out.println("| implementation | iterations | total ms | seeding ms | ms / iteration | inertia | vs Prism |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (String[] r : table) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static String[] row(String label, String qualityKey, String full, String seeding, Map<String, Quality> quality,
                                Map<String, Double> ms, double reference) {
        Quality q = quality.get(qualityKey);
        Double total = ms.get(full);
        Double seed = seeding == null ? null : ms.get(seeding);
        // From given centroids there is no seeding; the first assignment and the copy into blocks are part of the total.
        double perIteration = total == null ? Double.NaN : (total - (seed == null ? 0 : seed)) / Math.max(1, q.iterations());
        return new String[]{label, String.valueOf(q.iterations()), fmt(total), seeding == null ? "—" : fmt(seed),
                String.format("%.1f", perIteration), String.format("%.2f", q.inertia()),
                String.format("%+.2f %%", 100 * (q.inertia() - reference) / reference)};
    }

    private static String fmt(Double v) {
        return v == null ? "?" : String.format("%.0f", v);
    }
}
