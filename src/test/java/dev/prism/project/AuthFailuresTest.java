package dev.prism.project;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Failed-authentication limiter")
class AuthFailuresTest {

    @Test
    @DisplayName("an address is refused once it reached the limit, until its minute is over; other addresses are not")
    void blocksUntilWindowEnds() {
        AuthFailures f = new AuthFailures(3, 100);
        long t = 1_000_000;
        for (int i = 0; i < 2; i++) {
            f.failed("10.0.0.1", t + i);
        }
        assertThat(f.retryAfterSeconds("10.0.0.1", t + 10)).isZero();
        f.failed("10.0.0.1", t + 20);
        assertThat(f.retryAfterSeconds("10.0.0.1", t + 1_000)).isEqualTo(59);
        assertThat(f.retryAfterSeconds("10.0.0.2", t + 1_000)).isZero();
        assertThat(f.retryAfterSeconds("10.0.0.1", t + 59_500)).isEqualTo(1);
        assertThat(f.retryAfterSeconds("10.0.0.1", t + 60_000)).isZero();
        f.failed("10.0.0.1", t + 60_001);
        assertThat(f.retryAfterSeconds("10.0.0.1", t + 60_002)).as("a new window starts from one failure").isZero();
    }

    @Test
    @DisplayName("a limit of 0 and an unknown client never block; memory is bounded by the number of tracked addresses")
    void offAndBounded() {
        AuthFailures off = new AuthFailures(0, 100);
        for (int i = 0; i < 1000; i++) {
            off.failed("a", i);
        }
        assertThat(off.retryAfterSeconds("a", 1000)).isZero();

        AuthFailures f = new AuthFailures(1, 50);
        f.failed(null, 0);
        assertThat(f.retryAfterSeconds(null, 1)).isZero();
        for (int i = 0; i < 10_000; i++) {
            f.failed("10.1." + (i / 256) + "." + (i % 256), 0);
        }
        assertThat(f.tracked()).isEqualTo(50);
        assertThat(f.retryAfterSeconds("10.1.39.15", 1)).as("the most recent addresses are kept").isPositive();
    }
}
