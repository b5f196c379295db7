package dev.prism.cluster;

import dev.prism.cluster.SyntheticCorpus.Corpus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The quality bar: ARI ≥ 0.9 on labelled synthetic summaries, and ids that survive re-clustering. */
class ClusteringQualityTest {

    private static ExecutorService pool;
    private static Parallel parallel;
    /** 8 topics × 150 summaries + 120 outliers (9 %), 384 dimensions. */
    private static SyntheticCorpus generator;
    private static Corpus corpus;

    @BeforeAll
    static void setUp() {
        pool = Executors.newFixedThreadPool(2);
        parallel = Parallel.of(pool, 2);
        generator = new SyntheticCorpus(8, 7);
        corpus = generator.sample(150, 120, 11);
    }

    @AfterAll
    static void tearDown() {
        pool.shutdownNow();
    }

    @Test
    @DisplayName("k-means with automatic k separates the 8 topics with ARI ≥ 0.9 on the topic summaries")
    void kMeansAutoK() {
        ClusteringConfig config = ClusteringConfig.fromMap(Map.of("k_min", 2, "k_max", 20));
        KSelection.Choice choice = KSelection.choose(corpus.vectors(), config, parallel);
        KMeans.Result fit = KMeans.fit(corpus.vectors(), config.kMeansOptions(choice.k()), parallel);

        // Bare k-means has no notion of outliers and puts each somewhere (8 topic clusters, perhaps plus a grab bag of
        // outliers): the ARI is taken over the topic summaries.
        int[] rows = corpus.topicPoints();
        double ari = AdjustedRandIndex.of(SyntheticCorpus.select(corpus.truth(), rows), SyntheticCorpus.select(fit.assignments(), rows));
        assertThat(choice.k()).as(choice.reason() + " " + choice.silhouettes()).isBetween(8, 10);
        assertThat(ari).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    @DisplayName("a k-means clustering run with automatic k has ARI ≥ 0.9 over all summaries, outliers in Other")
    void kMeansRun() {
        Clustering.Outcome outcome = Clustering.run(corpus.vectors(), corpus.users(), ClusteringConfig.DEFAULTS, parallel);

        assertThat(outcome.clusters()).as(outcome.detail()).isEqualTo(8);
        assertThat(AdjustedRandIndex.of(corpus.truth(), outcome.labels())).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    @DisplayName("automatic k by expected size divides the number of summaries")
    void kBySize() {
        ClusteringConfig config = ClusteringConfig.fromMap(Map.of("auto_k", "size", "expected_cluster_size", 100));
        assertThat(KSelection.choose(corpus.vectors(), config, parallel).k()).isEqualTo(13);
    }

    @Test
    @DisplayName("HDBSCAN finds the topics and leaves the outliers out, ARI ≥ 0.9 over all summaries")
    void hdbscan() {
        Hdbscan.Result result = Hdbscan.fit(corpus.vectors(), Hdbscan.Options.of(5), parallel);

        assertThat(AdjustedRandIndex.of(corpus.truth(), result.labels())).isGreaterThanOrEqualTo(0.9);
        assertThat(result.clusters()).isEqualTo(8);
        long outliersKeptOut = 0;
        for (int i = 0; i < corpus.size(); i++) {
            outliersKeptOut += corpus.truth()[i] < 0 && result.labels()[i] < 0 ? 1 : 0;
        }
        assertThat(outliersKeptOut).isGreaterThanOrEqualTo(110);
        assertThat(result.sampled()).isFalse();
    }

    @Test
    @DisplayName("HDBSCAN beyond its point limit clusters a sample and attaches the rest, still ARI ≥ 0.9")
    void hdbscanSampled() {
        Hdbscan.Result result = Hdbscan.fit(corpus.vectors(), new Hdbscan.Options(5, 5, 600, 3), parallel);

        assertThat(result.sampled()).isTrue();
        assertThat(AdjustedRandIndex.of(corpus.truth(), result.labels())).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    @DisplayName("re-clustering the same summaries with another seed keeps at least 90 % of the cluster ids")
    void sameDataKeepsIds() {
        for (String method : List.of("kmeans", "hdbscan")) {
            ClusteringConfig config = ClusteringConfig.fromMap(Map.of("method", method, "k_max", 20));
            Clustering.Outcome first = Clustering.run(corpus.vectors(), corpus.users(), config, parallel);
            ClusterMatcher.Matching initial = ClusterMatcher.match(List.of(), currents(corpus, first), ids("a"));
            List<ClusterMatcher.Previous> previous = previous(corpus, first, initial);

            ClusteringConfig otherSeed = ClusteringConfig.fromMap(Map.of("method", method, "k_max", 20, "seed", 99));
            Clustering.Outcome again = Clustering.run(corpus.vectors(), corpus.users(), otherSeed, parallel);
            ClusterMatcher.Matching matching = ClusterMatcher.match(previous, currents(corpus, again), ids("b"));

            assertThat(kept(initial, matching)).as(method).isGreaterThanOrEqualTo(0.9);
            long renamed = matching.clusters().stream().filter(ClusterMatcher.Lineage::materialChange).count();
            assertThat(renamed).as(method + ": clusters to rename").isLessThanOrEqualTo(matching.clusters().size() / 10);
        }
    }

    @Test
    @DisplayName("re-clustering with 10 % more summaries keeps at least 90 % of the cluster ids")
    void moreDataKeepsIds() {
        Corpus more = SyntheticCorpus.concat(corpus, generator.sample(15, 12, 12));
        for (String method : List.of("kmeans", "hdbscan")) {
            ClusteringConfig config = ClusteringConfig.fromMap(Map.of("method", method, "k_max", 20));
            Clustering.Outcome first = Clustering.run(corpus.vectors(), corpus.users(), config, parallel);
            ClusterMatcher.Matching initial = ClusterMatcher.match(List.of(), currents(corpus, first), ids("a"));

            Clustering.Outcome grown = Clustering.run(more.vectors(), more.users(), config, parallel);
            ClusterMatcher.Matching matching = ClusterMatcher.match(previous(corpus, first, initial), currents(more, grown), ids("b"));

            assertThat(kept(initial, matching)).as(method).isGreaterThanOrEqualTo(0.9);
            long renamed = matching.clusters().stream().filter(ClusterMatcher.Lineage::materialChange).count();
            assertThat(renamed).as(method + ": clusters to rename").isLessThanOrEqualTo(matching.clusters().size() / 10);
        }
    }

    @Test
    @DisplayName("a clustering run gives the same result on 1, 2 and 3 threads")
    void deterministicAcrossThreads() {
        ExecutorService three = Executors.newFixedThreadPool(3);
        try {
            for (String method : List.of("kmeans", "hdbscan")) {
                ClusteringConfig config = ClusteringConfig.fromMap(Map.of("method", method, "k_max", 12));
                Clustering.Outcome one = Clustering.run(corpus.vectors(), corpus.users(), config, Parallel.sequential());
                Clustering.Outcome two = Clustering.run(corpus.vectors(), corpus.users(), config, parallel);
                Clustering.Outcome many = Clustering.run(corpus.vectors(), corpus.users(), config, Parallel.of(three, 3));
                assertThat(two.labels()).as(method).isEqualTo(one.labels());
                assertThat(many.labels()).as(method).isEqualTo(one.labels());
                for (int c = 0; c < one.clusters(); c++) {
                    assertThat(many.centroids().get(c)).isEqualTo(one.centroids().get(c));
                }
            }
        } finally {
            three.shutdownNow();
        }
    }

    private static List<ClusterMatcher.Current> currents(Corpus corpus, Clustering.Outcome outcome) {
        List<Set<String>> members = new ArrayList<>();
        for (int c = 0; c < outcome.clusters(); c++) {
            members.add(new HashSet<>());
        }
        for (int i = 0; i < corpus.size(); i++) {
            if (outcome.labels()[i] >= 0) {
                members.get(outcome.labels()[i]).add(corpus.ids().get(i));
            }
        }
        List<ClusterMatcher.Current> out = new ArrayList<>();
        for (int c = 0; c < outcome.clusters(); c++) {
            out.add(new ClusterMatcher.Current(outcome.centroids().get(c), members.get(c)));
        }
        return out;
    }

    private static List<ClusterMatcher.Previous> previous(Corpus corpus, Clustering.Outcome outcome, ClusterMatcher.Matching matching) {
        List<ClusterMatcher.Current> current = currents(corpus, outcome);
        List<ClusterMatcher.Previous> out = new ArrayList<>();
        for (int c = 0; c < current.size(); c++) {
            out.add(new ClusterMatcher.Previous(matching.idOf(c), current.get(c).centroid(), current.get(c).members()));
        }
        return out;
    }

    private static double kept(ClusterMatcher.Matching before, ClusterMatcher.Matching after) {
        Set<String> old = new HashSet<>();
        before.clusters().forEach(l -> old.add(l.id()));
        Map<String, Boolean> survives = new HashMap<>();
        for (String id : old) {
            survives.put(id, after.keptIds().contains(id));
        }
        return survives.values().stream().filter(b -> b).count() / (double) old.size();
    }

    private static java.util.function.Supplier<String> ids(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return () -> prefix + next.getAndIncrement();
    }
}
