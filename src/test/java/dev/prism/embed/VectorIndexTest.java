package dev.prism.embed;

import dev.prism.common.VectorMath;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The in-memory vector index of a theme")
class VectorIndexTest {

    private static float[] unit(float... v) {
        return VectorMath.normalize(v);
    }

    @Test
    @DisplayName("finds the k nearest vectors by cosine, best first, and fewer when it holds fewer")
    void nearest() {
        VectorIndex index = new VectorIndex(3);
        index.add("east", 1, "h1", unit(1, 0, 0));
        index.add("north-east", 1, "h2", unit(1, 1, 0));
        index.add("north", 1, "h3", unit(0, 1, 0));
        index.add("west", 1, "h4", unit(-1, 0, 0));

        List<VectorIndex.Neighbour> two = index.nearest(unit(1, 0.1f, 0), 2);
        assertThat(two).extracting(VectorIndex.Neighbour::traceId).containsExactly("east", "north-east");
        assertThat(two.get(0).score()).isCloseTo(0.995, org.assertj.core.data.Offset.offset(0.001));
        assertThat(index.nearest(unit(1, 0, 0), 10)).extracting(VectorIndex.Neighbour::traceId)
                .containsExactly("east", "north-east", "north", "west");
        assertThat(new VectorIndex(3).nearest(unit(1, 0, 0), 5)).isEmpty();
    }

    @Test
    @DisplayName("keeps one vector per trace: a later version or another text replaces it, a replay or an older version does not")
    void onePerTrace() {
        VectorIndex index = new VectorIndex(2);
        assertThat(index.add("t", 2, "a", unit(1, 0))).isEqualTo(VectorIndex.Outcome.ADDED);
        assertThat(index.add("t", 2, "a", unit(0, 1))).isEqualTo(VectorIndex.Outcome.IGNORED);
        assertThat(index.add("t", 1, "b", unit(0, 1))).isEqualTo(VectorIndex.Outcome.IGNORED);
        assertThat(index.holds("t", 2, "a")).isTrue();
        assertThat(index.holds("t", 1, "zzz")).isTrue();
        assertThat(index.holds("t", 2, "b")).isFalse();
        assertThat(index.holds("t", 3, "a")).isFalse();
        assertThat(index.add("t", 3, "c", unit(0, 1))).isEqualTo(VectorIndex.Outcome.REPLACED);
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.snapshot()).singleElement().satisfies(e -> {
            assertThat(e.traceVersion()).isEqualTo(3);
            assertThat(e.vector()).containsExactly(0, 1);
        });
    }

    @Test
    @DisplayName("a snapshot lists every trace once with its version and is not changed by later additions")
    void snapshot() {
        VectorIndex index = new VectorIndex(8);
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            float[] v = new float[8];
            for (int d = 0; d < 8; d++) {
                v[d] = (float) random.nextGaussian();
            }
            index.add("trace-" + (i % 60), i / 60 + 1, "h" + i, VectorMath.normalize(v));
        }
        List<VectorIndex.Entry> snapshot = index.snapshot();
        assertThat(snapshot).hasSize(60);
        assertThat(snapshot.stream().filter(e -> e.traceVersion() == 2)).hasSize(40);
        index.add("late", 1, "x", unit(1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(snapshot).hasSize(60);
        assertThat(index.size()).isEqualTo(61);
    }

    @Test
    @DisplayName("exhaustive search agrees with sorting every score, on random data")
    void agreesWithBruteForce() {
        Random random = new Random(11);
        VectorIndex index = new VectorIndex(16);
        float[][] all = new float[500][];
        for (int i = 0; i < all.length; i++) {
            all[i] = new float[16];
            for (int d = 0; d < 16; d++) {
                all[i][d] = (float) random.nextGaussian();
            }
            index.add("t" + i, 1, "h", VectorMath.normalize(all[i]));
        }
        float[] q = new float[16];
        for (int d = 0; d < 16; d++) {
            q[d] = (float) random.nextGaussian();
        }
        VectorMath.normalize(q);
        List<String> expected = java.util.stream.IntStream.range(0, all.length).boxed()
                .sorted((a, b) -> Double.compare(VectorMath.dot(q, all[b]), VectorMath.dot(q, all[a]))).limit(7).map(i -> "t" + i).toList();
        assertThat(index.nearest(q, 7)).extracting(VectorIndex.Neighbour::traceId).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("refuses vectors of another dimension")
    void dimensions() {
        VectorIndex index = new VectorIndex(3);
        assertThatThrownBy(() -> index.add("t", 1, "h", new float[4])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.nearest(new float[2], 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("normalises to unit length, leaves zero alone, and hashes texts as SHA-256 hex")
    void vectors() {
        float[] v = VectorMath.normalize(new float[]{3, 4});
        assertThat(v).containsExactly(0.6f, 0.8f);
        assertThat(VectorMath.normalize(new float[]{0, 0})).containsExactly(0, 0);
        assertThat(VectorMath.dot(new float[]{1, 2, 3, 4, 5}, new float[]{5, 4, 3, 2, 1})).isEqualTo(35);
        assertThat(dev.prism.common.Hashing.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    @DisplayName("beyond its heap budget keeps vectors in mapped pages, with the same search results, snapshots and replacements")
    void mappedBeyondBudget() {
        Random random = new Random(11);
        VectorIndex heap = new VectorIndex(384);
        // Room for ten vectors on the heap; the other 990 go to the mapped pages.
        try (VectorMemory memory = new VectorMemory(10 * VectorMemory.heapBytes(new float[384]), null)) {
            VectorIndex mapped = new VectorIndex(384, memory);
            for (int i = 0; i < 1_000; i++) {
                float[] v = new float[384];
                for (int d = 0; d < v.length; d++) {
                    v[d] = (float) random.nextGaussian();
                }
                VectorMath.normalize(v);
                heap.add("t" + i, 1, "h" + i, v);
                mapped.add("t" + i, 1, "h" + i, v);
            }
            assertThat(memory.heapUsedBytes()).isLessThanOrEqualTo(10 * VectorMemory.heapBytes(new float[384]));
            assertThat(memory.mappedBytes()).isPositive();
            for (int q = 0; q < 5; q++) {
                float[] query = heap.snapshot().get(random.nextInt(1_000)).vector();
                assertThat(mapped.nearest(query, 7)).isEqualTo(heap.nearest(query, 7));
            }
            List<VectorIndex.Entry> a = heap.snapshot();
            List<VectorIndex.Entry> b = mapped.snapshot();
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).vector()).containsExactly(a.get(i).vector());
            }
            float[] replacement = unit(new float[384]);
            replacement[0] = 1;
            assertThat(mapped.add("t500", 2, "new", replacement)).isEqualTo(VectorIndex.Outcome.REPLACED);
            assertThat(mapped.nearest(replacement, 1).get(0).traceId()).isEqualTo("t500");
            assertThat(mapped.size()).isEqualTo(1_000);
        }
    }

    @Test
    @DisplayName("a trace whose later version has no vector leaves the index; the others stay findable, the version that counts is kept")
    void removeBefore() {
        VectorIndex index = new VectorIndex(2);
        index.add("a", 1, "ha", unit(1, 0));
        index.add("b", 1, "hb", unit(0, 1));
        index.add("c", 3, "hc", unit(1, 1));
        assertThat(index.removeBefore("c", 3)).as("the version that counts stays").isFalse();
        assertThat(index.removeBefore("missing", 2)).isFalse();
        assertThat(index.removeBefore("a", 2)).isTrue();
        assertThat(index.removeBefore("a", 2)).as("once").isFalse();
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.snapshot()).extracting(VectorIndex.Entry::traceId).containsExactlyInAnyOrder("b", "c");
        assertThat(index.nearest(unit(1, 0), 5)).extracting(VectorIndex.Neighbour::traceId).containsExactly("c", "b");
        assertThat(index.holds("a", 1, "ha")).isFalse();
        assertThat(index.add("a", 2, "ha2", unit(1, 0))).isEqualTo(VectorIndex.Outcome.ADDED);
        assertThat(index.nearest(unit(1, 0), 1).get(0).traceId()).isEqualTo("a");
        assertThat(index.removeBefore("b", 2)).isTrue();
        assertThat(index.snapshot()).extracting(VectorIndex.Entry::traceId).containsExactlyInAnyOrder("a", "c");
    }
}
