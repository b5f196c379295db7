package dev.prism.alert;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: exponential from {@code base} (doubling per attempt, capped), with ±20 % jitter
 * so deliveries that failed together do not come back together. A destination's {@code Retry-After} is taken as it is
 * (capped too: a server asking for a week does not hold the row that long). Pure.
 */
public final class Backoff {

    static final double JITTER = 0.2;

    private Backoff() {
    }

    /** @param attempt the attempt that just failed, from 1 */
    public static Duration delay(int attempt, Duration base, Duration cap, Duration retryAfter, RandomGenerator random) {
        double exponential = base.toMillis() * Math.pow(2, Math.min(30, Math.max(0, attempt - 1)));
        double jittered = Math.min(cap.toMillis(), exponential) * (1 - JITTER + 2 * JITTER * random.nextDouble());
        long millis = retryAfter != null && !retryAfter.isNegative() ? retryAfter.toMillis() : (long) jittered;
        return Duration.ofMillis(Math.max(0, Math.min(cap.toMillis(), millis)));
    }
}
