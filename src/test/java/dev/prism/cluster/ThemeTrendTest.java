package dev.prism.cluster;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThemeTrendTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:30:00Z");

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    @DisplayName("relevant summaries per bucket, and the clusters of the last run before each bucket ended (0 before the first)")
    void relevantAndClusters() {
        long[] members = {at("2026-03-10T12:05:00Z"), at("2026-03-10T11:10:00Z"), at("2026-03-10T11:20:00Z"), at("2026-03-09T08:00:00Z")};
        long[] runs = {at("2026-03-09T09:00:00Z"), at("2026-03-10T11:30:00Z"), at("2026-03-10T11:45:00Z")};
        int[] clusters = {2, 4, 5};

        ThemeTrend.Series s = ThemeTrend.of(members, runs, clusters, NOW, 3, 3, 1);

        assertThat(s.hourly()).extracting(ThemeTrend.Point::relevant).containsExactly(0L, 2L, 1L);
        // 10:00 bucket: the run of the day before (2); 11:00: the last run in it (5); 12:00 carries 5 on.
        assertThat(s.hourly()).extracting(ThemeTrend.Point::clusters).containsExactly(2, 5, 5);
        assertThat(s.daily()).extracting(ThemeTrend.Point::relevant).containsExactly(0L, 1L, 3L);
        assertThat(s.daily()).extracting(ThemeTrend.Point::clusters).containsExactly(0, 2, 5);
        assertThat(s.daily().get(2).start()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
        assertThat(s.weekly()).extracting(ThemeTrend.Point::relevant).containsExactly(4L);
    }

    @Test
    @DisplayName("a theme never clustered has 0 clusters everywhere; run times and counts must pair up")
    void neverClustered() {
        ThemeTrend.Series s = ThemeTrend.of(new long[]{at("2026-03-10T12:00:00Z")}, new long[0], new int[0], NOW, 2, 2, 2);
        assertThat(s.daily()).extracting(ThemeTrend.Point::clusters).containsOnly(0);
        assertThat(s.hourly()).extracting(ThemeTrend.Point::relevant).containsExactly(0L, 1L);
        assertThatThrownBy(() -> ThemeTrend.of(new long[0], new long[1], new int[0], NOW, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
