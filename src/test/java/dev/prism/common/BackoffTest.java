package dev.prism.common;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    private final Backoff backoff = new Backoff(500, 30_000, 60_000);

    @Test
    @DisplayName("doubles per failed attempt, jittered between half and all of the ceiling, capped")
    void exponential() {
        SplittableRandom random = new SplittableRandom(1);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int attempt = 1; attempt <= 12; attempt++) {
            long ceiling = Math.min(30_000, 500L << (attempt - 1));
            assertThat(backoff.ceilingMillis(attempt)).isEqualTo(ceiling);
            for (int i = 0; i < 200; i++) {
                long d = backoff.delayMillis(attempt, -1, random);
                assertThat(d).isBetween(ceiling / 2, ceiling);
                if (attempt == 1) {
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                }
            }
        }
        assertThat(max - min).as("jitter spreads the first retries").isGreaterThan(150);
        assertThat(backoff.delayMillis(10_000, -1, random)).as("no overflow on huge attempt counts").isBetween(15_000L, 30_000L);
        assertThat(backoff.delayMillis(0, -1, random)).as("attempt 0 counts as the first").isBetween(250L, 500L);
    }

    @Test
    @DisplayName("a Retry-After is taken as it is, up to its own cap")
    void retryAfter() {
        SplittableRandom random = new SplittableRandom(1);
        assertThat(backoff.delayMillis(3, 7_000, random)).isEqualTo(7_000);
        assertThat(backoff.delayMillis(1, 0, random)).isZero();
        assertThat(backoff.delayMillis(1, 3_600_000, random)).isEqualTo(60_000);
    }

    @Test
    @DisplayName("a base of 0 or a cap under the base is refused")
    void invalid() {
        assertThatThrownBy(() -> new Backoff(0, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(100, 10, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
