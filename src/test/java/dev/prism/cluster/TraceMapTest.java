package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceMapTest {


    @Test
    @DisplayName("everything is kept when it fits the limit")
    void fits() {
        assertThat(TraceMap.sample(new String[]{"a", "b", ""}, 3)).containsExactly(0, 1, 2);
        assertThatThrownBy(() -> TraceMap.sample(new String[]{"a"}, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("above the limit: at most the limit, ascending and distinct, each group by its share, a tiny group kept")
    void stratified() {
        String[] g = new String[10_000];
        for (int i = 0; i < g.length; i++) {
            g[i] = i < 7_000 ? "big" : i < 9_997 ? "mid" : "tiny";
        }
        int[] picked = TraceMap.sample(g, 1_000);
        assertThat(picked.length).isLessThanOrEqualTo(1_000).isGreaterThanOrEqualTo(998);
        assertThat(picked).isSorted().doesNotHaveDuplicates();
        Map<String, Integer> counts = new HashMap<>();
        for (int i : picked) {
            counts.merge(g[i], 1, Integer::sum);
        }
        assertThat(counts.get("big")).isBetween(699, 700);
        assertThat(counts.get("mid")).isBetween(298, 300);
        assertThat(counts.get("tiny")).isEqualTo(1);
        // Spread over the group, not its first members.
        assertThat(Arrays.stream(picked).filter(i -> g[i].equals("big")).max().getAsInt()).isGreaterThan(6_900);
    }

    @Test
    @DisplayName("more groups than the limit: the limit still holds")
    void manyGroups() {
        String[] g = new String[50];
        for (int i = 0; i < g.length; i++) {
            g[i] = "g" + i;
        }
        assertThat(TraceMap.sample(g, 10)).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("points carry trace and cluster (null for Other), members without a vector are counted but not drawn")
    void points() {
        Random r = new Random(1);
        List<TraceMap.Member> members = new ArrayList<>();
        Map<String, float[]> vectors = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String id = "t" + i;
            members.add(new TraceMap.Member(id, i < 20 ? "c1" : i < 35 ? "c2" : null));
            if (i != 39) {
                float[] v = new float[8];
                for (int j = 0; j < 8; j++) {
                    v[j] = (float) r.nextGaussian() + (i < 20 ? 3 : 0);
                }
                vectors.put(id, v);
            }
        }
        TraceMap.Result all = TraceMap.of(members, vectors, 100, 42);
        assertThat(all.members()).isEqualTo(40);
        assertThat(all.placed()).isEqualTo(39);
        assertThat(all.sampled()).isFalse();
        assertThat(all.points()).hasSize(39).extracting(TraceMap.Point::clusterId).contains("c1", "c2", null);
        // The two groups lie apart along the first component.
        double c1 = all.points().stream().filter(p -> "c1".equals(p.clusterId())).mapToDouble(TraceMap.Point::x).average().orElseThrow();
        double c2 = all.points().stream().filter(p -> "c2".equals(p.clusterId())).mapToDouble(TraceMap.Point::x).average().orElseThrow();
        assertThat(Math.abs(c1 - c2)).isGreaterThan(2);

        TraceMap.Result some = TraceMap.of(members, vectors, 10, 42);
        assertThat(some.sampled()).isTrue();
        assertThat(some.points()).hasSizeLessThanOrEqualTo(10).extracting(TraceMap.Point::clusterId).contains("c1", "c2", null);
    }
}
