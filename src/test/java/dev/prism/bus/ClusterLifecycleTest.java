package dev.prism.bus;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Cluster lifecycle")
class ClusterLifecycleTest {

    private static long[] days(long... lastDays) {
        long[] d = new long[14];
        System.arraycopy(lastDays, 0, d, 14 - lastDays.length, lastDays.length);
        return d;
    }

    @Test
    @DisplayName("new: members only in the last day")
    void fresh() {
        assertThat(ClusterLifecycle.classify(days(0, 0, 6), 6, 0)).isEqualTo("new");
        assertThat(ClusterLifecycle.classify(days(0, 2, 6), 8, 0)).as("yesterday's members, inside the last 24 h").isEqualTo("new");
        assertThat(ClusterLifecycle.classify(days(3, 0, 6), 6, 0)).isNotEqualTo("new");
    }

    @Test
    @DisplayName("growing, fading and stable compare the last 24 hours with the 24 before, ignoring changes of one")
    void trend() {
        assertThat(ClusterLifecycle.classify(days(5, 10, 30), 30, 10)).isEqualTo("growing");
        assertThat(ClusterLifecycle.classify(days(5, 10, 6), 6, 10)).isEqualTo("fading");
        assertThat(ClusterLifecycle.classify(days(5, 10, 0), 0, 10)).isEqualTo("fading");
        assertThat(ClusterLifecycle.classify(days(5, 10, 11), 11, 10)).isEqualTo("stable");
        assertThat(ClusterLifecycle.classify(days(5, 1, 2), 2, 1)).as("1 → 2 is noise").isEqualTo("stable");
    }

    @Test
    @DisplayName("regressed: back after at least three quiet days, for at most two days")
    void regressed() {
        assertThat(ClusterLifecycle.classify(days(4, 0, 0, 0, 2), 2, 0)).isEqualTo("regressed");
        assertThat(ClusterLifecycle.classify(days(4, 0, 0, 0, 2, 0), 2, 0)).as("came back yesterday evening").isEqualTo("regressed");
        assertThat(ClusterLifecycle.classify(days(4, 0, 0, 2), 2, 0)).as("two quiet days are not enough").isEqualTo("growing");
        assertThat(ClusterLifecycle.classify(days(4, 0, 0, 0, 2, 2, 2), 2, 2)).as("back for three days").isEqualTo("stable");
        assertThat(ClusterLifecycle.regressed(days(4, 0, 0, 0, 0, 0, 2), 2, 5)).isTrue();
        assertThat(ClusterLifecycle.regressed(days(4, 0, 0, 0, 0, 2), 2, 5)).isFalse();
    }
}
