package dev.prism.cluster;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrendsTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:30:00Z");

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    @DisplayName("counts per UTC hour and day end at the current partial bucket")
    void buckets() {
        long[] members = {at("2026-03-10T12:05:00Z"), at("2026-03-10T12:29:59Z"), at("2026-03-10T11:00:00Z"),
                at("2026-03-09T23:59:59Z"), at("2026-03-07T10:00:00Z"), at("2026-03-01T00:00:00Z")};
        Trends.Trend t = Trends.of(members, members, NOW, Duration.ofDays(1), 3, 4);

        assertThat(t.hourly()).extracting(Trends.Bucket::count).containsExactly(0L, 1L, 2L);
        assertThat(t.hourly().get(2).start()).isEqualTo(Instant.parse("2026-03-10T12:00:00Z"));
        assertThat(t.daily()).extracting(Trends.Bucket::count).containsExactly(1L, 0L, 1L, 3L);
        assertThat(t.daily().get(0).start()).isEqualTo(Instant.parse("2026-03-07T00:00:00Z"));
    }

    @Test
    @DisplayName("weekly buckets are spans of seven UTC days, the last one ending with today")
    void weeks() {
        // NOW is 2026-03-10T12:30Z: the last week is 03-04 to 03-10 (today), the one before 02-25 to 03-03.
        long[] members = {at("2026-03-10T12:05:00Z"), at("2026-03-04T00:00:00Z"), at("2026-03-03T23:59:59Z"),
                at("2026-02-25T00:00:00Z"), at("2026-02-24T23:00:00Z")};
        Trends.Trend t = Trends.of(members, members, NOW, Duration.ofDays(1), 1, 1, 2);

        assertThat(t.weekly()).extracting(Trends.Bucket::count).containsExactly(2L, 2L);
        assertThat(t.weekly().get(1).start()).isEqualTo(Instant.parse("2026-03-04T00:00:00Z"));
        assertThat(t.weekly().get(0).start()).isEqualTo(Instant.parse("2026-02-25T00:00:00Z"));
        assertThat(Trends.of(members, members, NOW, Duration.ofDays(1), 1, 1).weekly()).isEmpty();
    }

    @Test
    @DisplayName("growth compares the last period with the one before, and share is against the whole theme")
    void growthAndShare() {
        long[] members = {at("2026-03-10T10:00:00Z"), at("2026-03-10T11:00:00Z"), at("2026-03-10T12:00:00Z"),
                at("2026-03-09T20:00:00Z")};
        long[] theme = {at("2026-03-10T10:00:00Z"), at("2026-03-10T11:00:00Z"), at("2026-03-10T12:00:00Z"),
                at("2026-03-10T12:10:00Z"), at("2026-03-10T01:00:00Z"), at("2026-03-10T02:00:00Z"), at("2026-03-09T20:00:00Z")};
        Trends.Trend t = Trends.of(members, theme, NOW, Duration.ofHours(12), 1, 1);

        assertThat(t.current()).isEqualTo(3);
        assertThat(t.previous()).isEqualTo(1);
        assertThat(t.growth()).isEqualTo(2.0);
        assertThat(t.share()).isEqualTo(0.5);
    }

    @Test
    @DisplayName("a cluster with nothing in the previous period has no growth figure, and an empty theme no share")
    void edges() {
        Trends.Trend t = Trends.of(new long[]{at("2026-03-10T12:00:00Z")}, new long[0], NOW, Duration.ofHours(1), 1, 1);
        assertThat(t.growth()).isNull();
        assertThat(t.share()).isZero();
        assertThatThrownBy(() -> Trends.of(new long[0], new long[0], NOW, Duration.ZERO, 1, 1)).hasMessageContaining("period must be positive");
    }
}
