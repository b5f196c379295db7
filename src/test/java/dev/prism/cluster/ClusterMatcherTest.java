package dev.prism.cluster;

import dev.prism.cluster.ClusterMatcher.Current;
import dev.prism.cluster.ClusterMatcher.Event;
import dev.prism.cluster.ClusterMatcher.Lineage;
import dev.prism.cluster.ClusterMatcher.Matching;
import dev.prism.cluster.ClusterMatcher.Previous;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterMatcherTest {

    private static final float[] X = {1, 0, 0};
    private static final float[] Y = {0, 1, 0};
    private static final float[] Z = {0, 0, 1};

    /** Members "m{from}" … "m{to - 1}". */
    private static Set<String> members(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "m" + i).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Supplier<String> fresh() {
        AtomicInteger next = new AtomicInteger();
        return () -> "new-" + next.getAndIncrement();
    }

    @Test
    @DisplayName("the same clusters keep their ids in any order: SAME, no material change, nothing retired")
    void same() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 20)), new Previous("b", Y, members(20, 40)));
        Matching m = ClusterMatcher.match(before, List.of(new Current(Y, members(20, 40)), new Current(X, members(0, 20))), fresh());

        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("b", "a");
        assertThat(m.clusters()).extracting(Lineage::event).containsOnly(Event.SAME);
        assertThat(m.clusters()).noneMatch(Lineage::materialChange);
        assertThat(m.retired()).isEmpty();
    }

    @Test
    @DisplayName("growth with new summaries about the same thing is no material change, however large; members that left do not count")
    void growth() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 20)), new Previous("b", Y, members(100, 120)),
                new Previous("c", Z, members(200, 230)));
        // a grows tenfold (its first minutes), b by half, c has a third aged out and as many newcomers
        Matching m = ClusterMatcher.match(before, List.of(new Current(X, union(members(0, 20), members(1000, 1180))),
                new Current(Y, members(100, 130)), new Current(Z, members(210, 240))), fresh());

        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("a", "b", "c");
        assertThat(m.clusters()).extracting(Lineage::event).containsExactly(Event.GROWN, Event.GROWN, Event.SAME);
        assertThat(m.clusters()).extracting(Lineage::materialChange).containsExactly(false, false, false);
        assertThat(m.clusters().get(2).jaccard()).isEqualTo(0.5);
    }

    @Test
    @DisplayName("summaries moving between clusters, or a centroid that moved, is a material change; a few moving is not")
    void materialChanges() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 30)), new Previous("b", Y, members(100, 130)),
                new Previous("c", Z, members(200, 230)));
        float[] tilted = {0, 0.6f, 0.8f}; // cosine 0.8 with Z
        // a hands a third of its members to b (a keeps 67 %, a quarter of b's come from a); c points elsewhere now
        Matching m = ClusterMatcher.match(before, List.of(new Current(X, members(10, 30)),
                new Current(Y, union(members(100, 130), members(0, 10))), new Current(tilted, members(200, 230))), fresh());
        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("a", "b", "c");
        assertThat(m.clusters()).extracting(Lineage::materialChange).containsExactly(true, true, true);

        // three summaries changing sides (a keeps 90 %, 91 % of b's come from b) and a centroid barely moving are noise
        float[] nudged = {0, 0.2f, 0.98f}; // cosine 0.98 with Z
        Matching small = ClusterMatcher.match(before, List.of(new Current(X, members(3, 30)),
                new Current(Y, union(members(100, 130), members(0, 3))), new Current(nudged, members(200, 230))), fresh());
        assertThat(small.clusters()).extracting(Lineage::materialChange).containsExactly(false, false, false);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    @DisplayName("two clusters merging keep the larger one's id; the smaller retires into it")
    void merge() {
        List<Previous> before = List.of(new Previous("small", X, members(0, 10)), new Previous("large", Y, members(10, 40)));
        Matching m = ClusterMatcher.match(before, List.of(new Current(Y, members(0, 40))), fresh());

        Lineage merged = m.clusters().get(0);
        assertThat(merged.id()).isEqualTo("large");
        assertThat(merged.event()).isEqualTo(Event.MERGED);
        assertThat(merged.sources()).containsExactly("large", "small");
        assertThat(merged.materialChange()).isTrue();
        assertThat(m.retired()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("small");
            assertThat(r.event()).isEqualTo(Event.RETIRED);
            assertThat(r.into()).isEqualTo("large");
        });
    }

    @Test
    @DisplayName("a cluster splitting keeps its id on the larger part; the smaller gets a fresh id and names its source")
    void split() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 30)));
        Matching m = ClusterMatcher.match(before, List.of(new Current(Z, members(20, 30)), new Current(X, members(0, 20))), fresh());

        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("new-0", "a");
        assertThat(m.clusters()).extracting(Lineage::event).containsOnly(Event.SPLIT);
        assertThat(m.clusters()).allSatisfy(l -> assertThat(l.sources()).containsExactly("a"));
        assertThat(m.clusters()).extracting(Lineage::materialChange).containsExactly(true, true);
        assertThat(m.retired()).isEmpty();
    }

    @Test
    @DisplayName("unrelated new clusters are NEW with fresh ids in index order; vanished ones are RETIRED")
    void newAndRetired() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 10)), new Previous("gone", Y, members(50, 60)));
        Matching m = ClusterMatcher.match(before, List.of(new Current(Z, members(100, 110)), new Current(X, members(0, 10)),
                new Current(new float[]{-1, 0, 0}, members(200, 210))), fresh());

        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("new-0", "a", "new-1");
        assertThat(m.clusters()).extracting(Lineage::event).containsExactly(Event.NEW, Event.SAME, Event.NEW);
        assertThat(m.retired()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("gone");
            assertThat(r.into()).isNull();
        });
    }

    @Test
    @DisplayName("members that left or arrived do not weaken a match: only members present in both runs count")
    void onlySharedMembersCount() {
        // 30 of a's 40 members aged out; the 10 that remain all went to the new cluster, which has 30 newcomers.
        List<Previous> before = List.of(new Previous("a", X, members(0, 40)));
        Matching m = ClusterMatcher.match(before, List.of(new Current(X, members(30, 70))), fresh());

        assertThat(m.idOf(0)).isEqualTo("a");
        assertThat(m.clusters().get(0).materialChange()).as("the ones known to both stayed together, pointing the same way").isFalse();
    }

    @Test
    @DisplayName("with disjoint members, a cluster continues by centroid when it points the same way, and only then")
    void centroidFallback() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 20)), new Previous("b", Y, members(20, 40)));
        Matching m = ClusterMatcher.match(before, List.of(new Current(new float[]{0.95f, 0.1f, 0}, members(100, 121)),
                new Current(new float[]{0.5f, 0, 0.5f}, members(200, 220))), fresh());

        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("a", "new-0");
        assertThat(m.clusters().get(0).materialChange()).as("same topic, similar size").isFalse();
        assertThat(m.retired()).extracting(Lineage::id).containsExactly("b");
        assertThat(m.keptIds()).containsExactly("a");
    }

    @Test
    @DisplayName("a cluster that had ended comes back under its id (RETURNED) when a new cluster points its way; otherwise NEW")
    void endedClusterReturns() {
        List<Previous> before = List.of(new Previous("a", X, members(0, 20)));
        List<Previous> ended = List.of(new Previous("gone-z", Z, Set.of()), new Previous("gone-y", Y, Set.of()));
        Matching m = ClusterMatcher.match(before, ended, List.of(new Current(X, members(0, 20)),
                new Current(new float[]{0, 0.97f, 0.1f}, members(100, 110)), new Current(new float[]{-1, 0, 0}, members(200, 210))),
                fresh(), ClusterMatcher.Options.DEFAULTS);

        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("a", "gone-y", "new-0");
        assertThat(m.clusters()).extracting(Lineage::event).containsExactly(Event.SAME, Event.RETURNED, Event.NEW);
        Lineage back = m.clusters().get(1);
        assertThat(back.sources()).containsExactly("gone-y");
        assertThat(back.materialChange()).as("pointing the way it did: its name stays").isFalse();
        assertThat(back.previousSize()).isZero();
        assertThat(m.retired()).isEmpty();
        assertThat(m.keptIds()).containsExactlyInAnyOrder("a", "gone-y");
    }

    @Test
    @DisplayName("a comeback never takes what continues or splits off an active cluster, nor an id that is active, and one ended cluster returns once")
    void comebackOnlyForWhatIsNew() {
        // The split-off part of a points the way of an ended cluster: it stays a SPLIT with a fresh id.
        List<Previous> before = List.of(new Previous("a", X, members(0, 30)));
        List<Previous> ended = List.of(new Previous("gone-y", Y, Set.of()), new Previous("a", X, Set.of()));
        Matching m = ClusterMatcher.match(before, ended, List.of(new Current(X, members(0, 20)), new Current(Y, members(20, 30)),
                new Current(new float[]{0.05f, 1, 0}, members(300, 310)), new Current(new float[]{0, 1, 0.05f}, members(400, 405))),
                fresh(), ClusterMatcher.Options.DEFAULTS);

        assertThat(m.clusters()).extracting(Lineage::event).containsExactly(Event.SPLIT, Event.SPLIT, Event.RETURNED, Event.NEW);
        assertThat(m.clusters()).extracting(Lineage::id).containsExactly("a", "new-0", "gone-y", "new-1");
        assertThat(m.clusters()).extracting(Lineage::id).doesNotHaveDuplicates();
    }
}
