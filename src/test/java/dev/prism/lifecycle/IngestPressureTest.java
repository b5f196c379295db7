package dev.prism.lifecycle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Ingestion pressure")
class IngestPressureTest {

    private static final long MS = 1_000_000L;

    @Test
    @DisplayName("no report means idle; the busy share is summed over instances and compared with the threshold")
    void share() {
        IngestPressure p = new IngestPressure(0.5);
        assertThat(p.busy(0)).isFalse();
        p.report("a", 450 * MS, 500 * MS, 0, 1_000 * MS);
        p.report("b", 100 * MS, 500 * MS, 0, 1_000 * MS);
        assertThat(p.share(1_000 * MS)).isEqualTo(0.55);
        assertThat(p.busy(1_000 * MS)).isTrue();
        p.report("a", 300 * MS, 500 * MS, 0, 1_500 * MS);
        assertThat(p.busy(1_500 * MS)).as("40 %% busy, but busy half a second ago").isTrue();
        p.report("a", 300 * MS, 500 * MS, 0, 2_100 * MS);
        p.report("b", 100 * MS, 500 * MS, 0, 2_100 * MS);
        assertThat(p.busy(2_100 * MS)).as("40 %% busy for more than a second").isFalse();
    }

    @Test
    @DisplayName("events queueing for the store count as busy at half the threshold")
    void queueing() {
        IngestPressure p = new IngestPressure(0.5);
        p.report("a", 150 * MS, 500 * MS, 0, 0);
        assertThat(p.busy(0)).isFalse();
        p.report("a", 150 * MS, 500 * MS, 800, 0);
        assertThat(p.busy(0)).isTrue();
    }

    @Test
    @DisplayName("an instance that stopped reporting (stopped, or no traffic) no longer counts after two windows")
    void stale() {
        IngestPressure p = new IngestPressure(0.5);
        p.report("a", 500 * MS, 500 * MS, 0, 0);
        assertThat(p.busy(1_000 * MS)).isTrue();
        assertThat(p.busy(2_000 * MS)).isFalse();
        assertThat(p.share(2_000 * MS)).isZero();
    }

    @Test
    @DisplayName("a busy time longer than its window (rounding between timers) counts as the whole window")
    void clamped() {
        IngestPressure p = new IngestPressure(0.9);
        p.report("a", 900 * MS, 500 * MS, 0, 0);
        p.report("b", 0, 500 * MS, 0, 0);
        assertThat(p.share(0)).isEqualTo(0.5);
    }
}
