package dev.prism.cluster;

import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class KMeansTest {

    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    /** Not normalised and not a multiple of the block size, so padding and the |c|² term are exercised. */
    private static Vectors randomData(int n, int d, long seed) {
        Random random = new Random(seed);
        float[] data = new float[n * d];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Vectors(data, d);
    }

    @Test
    @DisplayName("assignments, centroids and inertia are bit-identical on 1, 2, 3 and 4 threads")
    void deterministicAcrossThreads() {
        Vectors data = randomData(1_500, 37, 1);
        KMeans.Options options = KMeans.Options.of(7, 5).withTolerance(0);
        KMeans.Result one = KMeans.fit(data, options, Parallel.sequential());
        for (int threads = 2; threads <= 4; threads++) {
            KMeans.Result many = KMeans.fit(data, options, Parallel.of(pool, threads));
            assertThat(many.assignments()).as("%d threads", threads).isEqualTo(one.assignments());
            assertThat(many.centroids()).as("%d threads", threads).isEqualTo(one.centroids());
            assertThat(many.inertia()).isEqualTo(one.inertia());
            assertThat(many.iterations()).isEqualTo(one.iterations());
        }
    }

    @Test
    @DisplayName("every point ends at its nearest centroid by exact euclidean distance")
    void assignmentsAreNearest() {
        Vectors data = randomData(700, 50, 2);
        KMeans.Result r = KMeans.fit(data, KMeans.Options.of(9, 1).withTolerance(0), Parallel.of(pool, 2));
        int d = data.dim();
        for (int i = 0; i < data.size(); i++) {
            double own = Vectors.squaredDistance(data.data(), i * d, r.centroids(), r.assignments()[i] * d, d);
            for (int c = 0; c < r.k(); c++) {
                double other = Vectors.squaredDistance(data.data(), i * d, r.centroids(), c * d, d);
                assertThat(own).as("point %d, centroid %d", i, c).isLessThanOrEqualTo(other + 1e-3);
            }
        }
    }

    @Test
    @DisplayName("at convergence every centroid is the mean of its members and the inertia is their squared distance")
    void convergedCentroidsAreMeans() {
        Vectors data = randomData(600, 16, 3);
        KMeans.Result r = KMeans.fit(data, KMeans.Options.of(5, 9).withTolerance(0), Parallel.sequential());

        assertThat(r.converged()).isTrue();
        int d = data.dim();
        double inertia = 0;
        for (int c = 0; c < r.k(); c++) {
            double[] mean = new double[d];
            int size = 0;
            for (int i = 0; i < data.size(); i++) {
                if (r.assignments()[i] == c) {
                    size++;
                    for (int j = 0; j < d; j++) {
                        mean[j] += data.data()[i * d + j];
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                assertThat(r.centroids()[c * d + j]).isCloseTo((float) (mean[j] / size), within(1e-5f));
            }
        }
        for (int i = 0; i < data.size(); i++) {
            inertia += Vectors.squaredDistance(data.data(), i * d, r.centroids(), r.assignments()[i] * d, d);
        }
        assertThat(r.inertia()).isCloseTo(inertia, within(1e-6 * inertia));
        assertThat(r.sizes()).hasSize(5).doesNotContain(0);
    }

    @Test
    @DisplayName("starting from converged centroids stops after one iteration with the same clustering")
    void warmStart() {
        Vectors data = randomData(800, 24, 4);
        KMeans.Options options = KMeans.Options.of(6, 2).withTolerance(0);
        KMeans.Result cold = KMeans.fit(data, options, Parallel.sequential());
        KMeans.Result warm = KMeans.fit(data, cold.centroids(), options, Parallel.sequential());

        assertThat(warm.iterations()).isEqualTo(1);
        assertThat(warm.assignments()).isEqualTo(cold.assignments());
        assertThat(warm.inertia()).isCloseTo(cold.inertia(), within(1e-9 * cold.inertia()));
    }

    @Test
    @DisplayName("a tolerance stops earlier than waiting for no change, and the cap stops unconverged runs")
    void stoppingRules() {
        Vectors data = randomData(3_000, 8, 5);
        KMeans.Result exact = KMeans.fit(data, KMeans.Options.of(12, 3).withTolerance(0), Parallel.sequential());
        KMeans.Result loose = KMeans.fit(data, KMeans.Options.of(12, 3).withTolerance(1e-2), Parallel.sequential());
        KMeans.Result capped = KMeans.fit(data, KMeans.Options.of(12, 3).withTolerance(0).withMaxIterations(2), Parallel.sequential());

        assertThat(loose.iterations()).isLessThan(exact.iterations());
        assertThat(loose.inertia()).isGreaterThanOrEqualTo(exact.inertia() * 0.999);
        assertThat(capped.iterations()).isEqualTo(2);
        assertThat(capped.converged()).isFalse();
    }

    @Test
    @DisplayName("more distinct centres than distinct points: no failure, every point sits on a centroid")
    void fewerDistinctPointsThanK() {
        float[][] rows = {{1, 0}, {1, 0}, {0, 1}, {0, 1}, {0, 1}, {-1, 0}};
        KMeans.Result r = KMeans.fit(Vectors.of(List.of(rows)), KMeans.Options.of(5, 1), Parallel.sequential());

        assertThat(r.inertia()).isZero();
        assertThat(r.assignments()[0]).isEqualTo(r.assignments()[1]);
        assertThat(r.assignments()[2]).isEqualTo(r.assignments()[4]);
    }

    @Test
    @DisplayName("k = 1 gives the mean; k larger than the data is refused")
    void edges() {
        Vectors data = Vectors.of(List.of(new float[]{0, 0}, new float[]{2, 4}));
        KMeans.Result r = KMeans.fit(data, KMeans.Options.of(1, 1), Parallel.sequential());

        assertThat(r.centroid(0)).containsExactly(1f, 2f);
        assertThat(r.inertia()).isCloseTo(10.0, within(1e-9));
        assertThatThrownBy(() -> KMeans.fit(data, KMeans.Options.of(3, 1), Parallel.sequential()))
                .hasMessageContaining("k = 3 is more than the 2 points");
        assertThatThrownBy(() -> KMeans.Options.of(0, 1)).hasMessageContaining("k must be at least 1");
    }

    @Test
    @DisplayName("restarts never end worse than the first run, which is the single-run result")
    void restarts() {
        Vectors data = randomData(1_000, 10, 6);
        KMeans.Options options = KMeans.Options.of(15, 21);
        KMeans.Result single = KMeans.fit(data, options, Parallel.sequential());
        KMeans.Result best = KMeans.fitBest(data, options, 4, Parallel.sequential());

        assertThat(best.inertia()).isLessThanOrEqualTo(single.inertia());
        assertThat(KMeans.fitBest(data, options, 1, Parallel.sequential()).assignments()).isEqualTo(single.assignments());
    }

    @Test
    @DisplayName("greedy seeding starts lower than classic k-means++ on average")
    void greedySeeding() {
        Vectors data = randomData(2_000, 12, 7);
        double greedy = 0;
        double classic = 0;
        for (long seed = 0; seed < 5; seed++) {
            KMeans.Options o = KMeans.Options.of(20, seed).withMaxIterations(0);
            greedy += KMeans.fit(data, o, Parallel.sequential()).inertia();
            classic += KMeans.fit(data, o.withSeedTrials(1), Parallel.sequential()).inertia();
        }
        assertThat(greedy).isLessThan(classic);
    }
}
