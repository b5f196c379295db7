package dev.prism.common;

import java.util.random.RandomGenerator;

/**
 * When to try a failed call again, for every caller that retries (LLM analyses, embedding requests, alert deliveries):
 * exponential from {@code baseMillis}, doubling per failed attempt up to {@code capMillis}, with "equal jitter" (a
 * uniform wait between half and all of that ceiling) so calls that failed together do not come back together. A
 * server's {@code Retry-After} is taken as it is, up to {@code retryAfterCapMillis}: one asking for a week does not hold
 * the work that long. Pure.
 */
public record Backoff(long baseMillis, long capMillis, long retryAfterCapMillis) {

    public Backoff {
        if (baseMillis < 1 || capMillis < baseMillis || retryAfterCapMillis < 0) {
            throw new IllegalArgumentException("backoff needs 1 <= base <= cap and a Retry-After cap >= 0, got " + baseMillis + ", "
                    + capMillis + ", " + retryAfterCapMillis);
        }
    }

    /**
     * @param failedAttempt    the attempt that just failed, from 1
     * @param retryAfterMillis what the server asked for, or negative when it did not say
     */
    public long delayMillis(int failedAttempt, long retryAfterMillis, RandomGenerator random) {
        if (retryAfterMillis >= 0) {
            return Math.min(retryAfterCapMillis, retryAfterMillis);
        }
        long ceiling = ceilingMillis(failedAttempt);
        return ceiling / 2 + (long) (random.nextDouble() * (ceiling - ceiling / 2 + 1));
    }

    /** The longest wait after this failed attempt: {@code base × 2^(attempt − 1)}, capped. */
    public long ceilingMillis(int failedAttempt) {
        int doublings = Math.min(40, Math.max(0, failedAttempt - 1));
        long ceiling = baseMillis;
        for (int i = 0; i < doublings && ceiling < capMillis; i++) {
            ceiling *= 2;
        }
        return Math.min(capMillis, ceiling);
    }
}
