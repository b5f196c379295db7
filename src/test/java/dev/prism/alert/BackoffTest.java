package dev.prism.alert;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Delivery backoff")
class BackoffTest {

    private static final Duration BASE = Duration.ofSeconds(2);
    private static final Duration CAP = Duration.ofHours(1);

    @Test
    @DisplayName("doubles per attempt within ±20 % jitter, capped at the maximum")
    void exponential() {
        SplittableRandom random = new SplittableRandom(1);
        for (int attempt = 1; attempt <= 5; attempt++) {
            long expected = 2000L << (attempt - 1);
            for (int i = 0; i < 50; i++) {
                long d = Backoff.delay(attempt, BASE, CAP, null, random).toMillis();
                assertThat(d).isBetween((long) (expected * 0.8), (long) (expected * 1.2));
            }
        }
        assertThat(Backoff.delay(40, BASE, CAP, null, random)).isLessThanOrEqualTo(CAP);
    }

    @Test
    @DisplayName("a Retry-After is taken as it is, up to the cap")
    void retryAfter() {
        SplittableRandom random = new SplittableRandom(1);
        assertThat(Backoff.delay(3, BASE, CAP, Duration.ofSeconds(1), random)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.delay(1, BASE, CAP, Duration.ofSeconds(30), random)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Backoff.delay(1, BASE, CAP, Duration.ofDays(7), random)).isEqualTo(CAP);
    }
}
