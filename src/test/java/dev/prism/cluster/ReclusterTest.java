package dev.prism.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReclusterTest {

    private static final SyntheticCorpus.Corpus CORPUS = new SyntheticCorpus(4, 3).sample(40, 20, 4);

    private static List<Recluster.Item> items(SyntheticCorpus.Corpus c) {
        List<Recluster.Item> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            String topic = c.truth()[i] < 0 ? "misc " + i : "topic" + c.truth()[i] + " problem";
            out.add(new Recluster.Item(c.ids().get(i), 1, c.vectors().row(i), c.users().get(i), topic + " words " + (i % 7), topic));
        }
        return out;
    }

    private static Supplier<String> ids() {
        AtomicInteger n = new AtomicInteger();
        return () -> "c" + n.incrementAndGet();
    }

    private static List<Recluster.Known> known(List<Recluster.Item> items, Recluster.Plan plan, String title) {
        List<Recluster.Known> out = new ArrayList<>();
        for (Recluster.Planned p : plan.clusters()) {
            Set<String> members = new HashSet<>();
            for (int m : p.members()) {
                members.add(items.get(m).traceId());
            }
            out.add(new Recluster.Known(p.id(), p.centroid(), members, title, "kept description"));
        }
        return out;
    }

    @Test
    @DisplayName("a first run finds the topics, names every cluster from its members' texts and places it on the map")
    void firstRun() {
        List<Recluster.Item> items = items(CORPUS);
        Recluster.Plan plan = Recluster.plan(items, List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());

        assertThat(plan.clusters()).hasSize(4);
        assertThat(AdjustedRandIndex.of(CORPUS.truth(), plan.labels())).isGreaterThanOrEqualTo(0.9);
        assertThat(plan.lineageCounts()).containsEntry("NEW", 4);
        assertThat(plan.renamed()).isEqualTo(4);
        for (Recluster.Planned p : plan.clusters()) {
            assertThat(p.title()).containsPattern("(?i)topic\\d");
            assertThat(java.util.Arrays.stream(p.distances()).boxed().toList()).allSatisfy(d -> assertThat(d).isBetween(0.0, ClusteringConfig.DEFAULTS.maxDistance()));
        }
        assertThat(plan.clusters().stream().map(Recluster.Planned::x).distinct()).hasSize(4);
        assertThat(plan.outliers()).isEqualTo((int) java.util.Arrays.stream(plan.labels()).filter(l -> l < 0).count());
    }

    @Test
    @DisplayName("the same summaries again keep every id and every name, and nothing is renamed")
    void sameAgainKeepsNames() {
        List<Recluster.Item> items = items(CORPUS);
        Recluster.Plan first = Recluster.plan(items, List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());
        List<Recluster.Known> previous = known(items, first, "Named by hand");

        Recluster.Plan again = Recluster.plan(items, previous, ClusteringConfig.DEFAULTS, Parallel.sequential(), () -> "fresh");

        assertThat(again.clusters()).extracting(Recluster.Planned::id)
                .containsExactlyInAnyOrderElementsOf(first.clusters().stream().map(Recluster.Planned::id).toList());
        assertThat(again.renamed()).isZero();
        assertThat(again.clusters()).allSatisfy(p -> assertThat(p.title()).isEqualTo("Named by hand"));
        assertThat(again.retired()).isEmpty();
    }

    @Test
    @DisplayName("clusters made from the first ten summaries per topic keep their ids and names while the theme grows tenfold")
    void growingKeepsNames() {
        SyntheticCorpus topics = new SyntheticCorpus(4, 7);
        SyntheticCorpus.Corpus early = topics.sample(10, 0, 1);
        List<Recluster.Item> first = items(early);
        Recluster.Plan plan = Recluster.plan(first, List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());
        assertThat(plan.clusters()).hasSize(4);

        SyntheticCorpus.Corpus grown = SyntheticCorpus.concat(early, topics.sample(90, 20, 2));
        List<Recluster.Item> all = items(grown);
        Recluster.Plan later = Recluster.plan(all, known(first, plan, "Named early"), ClusteringConfig.DEFAULTS, Parallel.sequential(),
                () -> "fresh");

        assertThat(later.clusters()).extracting(Recluster.Planned::id)
                .containsExactlyInAnyOrderElementsOf(plan.clusters().stream().map(Recluster.Planned::id).toList());
        assertThat(later.lineageCounts()).containsEntry("GROWN", 4);
        assertThat(later.renamed()).isZero();
        assertThat(later.clusters()).allSatisfy(p -> assertThat(p.title()).isEqualTo("Named early"));
    }

    @Test
    @DisplayName("a topic that went away and came back takes its old cluster's id and name back (RETURNED), the others stay as they were")
    void endedTopicReturns() {
        SyntheticCorpus topics = new SyntheticCorpus(4, 11);
        SyntheticCorpus.Corpus early = topics.sample(20, 0, 1);
        List<Recluster.Item> all = items(early);
        Recluster.Plan first = Recluster.plan(all, List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());
        assertThat(first.clusters()).hasSize(4);
        int[] truth = early.truth();
        // Topic 0 goes away: its summaries are no longer clustered (left the theme), its cluster ends.
        List<Recluster.Item> without = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (truth[i] != 0) {
                without.add(all.get(i));
            }
        }
        Recluster.Plan second = Recluster.plan(without, known(all, first, "Named first"), ClusteringConfig.DEFAULTS, Parallel.sequential(),
                () -> "fresh-2");
        assertThat(second.retired()).singleElement().satisfies(r -> assertThat(r.into()).isNull());
        String endedId = second.retired().get(0).id();
        Recluster.Planned endedCluster = first.clusters().stream().filter(p -> p.id().equals(endedId)).findFirst().orElseThrow();
        List<Recluster.Known> ended = List.of(new Recluster.Known(endedId, endedCluster.centroid(), Set.of(), "Named first", "kept description"));

        // New summaries of topic 0 arrive (new traces): without the ended cluster they would be a NEW cluster.
        SyntheticCorpus.Corpus comeback = topics.sample(15, 0, 3);
        List<Recluster.Item> back = new ArrayList<>(without);
        List<Recluster.Item> fresh = items(comeback);
        for (int i = 0; i < fresh.size(); i++) {
            if (comeback.truth()[i] == 0) {
                Recluster.Item it = fresh.get(i);
                back.add(new Recluster.Item("back-" + it.traceId(), 1, it.vector(), it.userId(), it.text(), it.title()));
            }
        }
        List<Recluster.Known> afterSecond = known(without, second, "Named first");
        Recluster.Plan third = Recluster.plan(back, afterSecond, ended, ClusteringConfig.DEFAULTS, Parallel.sequential(), () -> "fresh-3");
        assertThat(third.clusters()).extracting(Recluster.Planned::id).contains(endedId).doesNotContain("fresh-3");
        Recluster.Planned returned = third.clusters().stream().filter(p -> p.id().equals(endedId)).findFirst().orElseThrow();
        assertThat(returned.lineage().event()).isEqualTo(ClusterMatcher.Event.RETURNED);
        assertThat(returned.title()).isEqualTo("Named first");
        assertThat(returned.renamed()).isFalse();
        assertThat(third.lineageCounts()).containsEntry("RETURNED", 1).doesNotContainKey("NEW");

        Recluster.Plan withoutMemory = Recluster.plan(back, afterSecond, ClusteringConfig.DEFAULTS, Parallel.sequential(), () -> "fresh-3");
        assertThat(withoutMemory.clusters()).extracting(Recluster.Planned::id).contains("fresh-3").doesNotContain(endedId);
    }

    @Test
    @DisplayName("offline names are the members' shared title, never a list of terms")
    void readableNames() {
        List<Recluster.Item> items = items(CORPUS);
        Recluster.Plan plan = Recluster.plan(items, List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());

        assertThat(plan.clusters()).extracting(Recluster.Planned::title)
                .containsExactlyInAnyOrder("Topic0 problem", "Topic1 problem", "Topic2 problem", "Topic3 problem");
        assertThat(plan.clusters()).allSatisfy(p -> assertThat(p.description()).contains("Distinctive terms: "));
    }

    @Test
    @DisplayName("with no summaries left every previous cluster retires; with fewer than the minimum size all go to Other")
    void emptyAndTiny() {
        List<Recluster.Item> items = items(CORPUS);
        Recluster.Plan first = Recluster.plan(items, List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());
        Recluster.Plan none = Recluster.plan(List.of(), known(items, first, "t"), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());
        assertThat(none.retired()).hasSize(4);
        assertThat(none.lineageCounts()).containsEntry("RETIRED", 4);

        Recluster.Plan tiny = Recluster.plan(items.subList(0, 3), List.of(), ClusteringConfig.DEFAULTS, Parallel.sequential(), ids());
        assertThat(tiny.clusters()).isEmpty();
        assertThat(tiny.labels()).containsOnly(-1);
        assertThat(tiny.outliers()).isEqualTo(3);
    }

    @Test
    @DisplayName("k selection counts identical summaries: three causes of a dozen identical texts each are three clusters, duplicated strays are not")
    void duplicatesCounted() {
        List<float[]> rows = new java.util.ArrayList<>();
        float[][] causes = {{1, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, {0, 0, 1, 0, 0, 0}};
        for (float[] cause : causes) {
            for (int i = 0; i < 12; i++) {
                rows.add(cause.clone());
            }
        }
        float[][] strays = {{0, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 1}};
        for (float[] stray : strays) {
            rows.add(stray.clone());
            rows.add(stray.clone());
        }
        KSelection.Choice choice = KSelection.choose(Vectors.of(rows), ClusteringConfig.DEFAULTS, Parallel.sequential());
        assertThat(choice.k()).as(choice.reason()).isEqualTo(3);
    }
}
