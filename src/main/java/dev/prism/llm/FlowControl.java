package dev.prism.llm;

import java.util.function.LongSupplier;

/**
 * Admission control for one provider: at most {@code maxConcurrent} calls in flight, requests and tokens per minute
 * as token buckets (a full minute's budget may be spent at once, then it refills continuously), a pause for the whole
 * provider when it answers Retry-After, and a circuit breaker that stops calling after repeated failures and lets one
 * probe through after a cool-down. Pure and single-threaded (one verticle owns it); time comes from a clock.
 */
public final class FlowControl {

    public record Limits(int maxConcurrent, int requestsPerMinute, long tokensPerMinute, int breakerFailures, long breakerOpenMillis) {
    }

    /** 0: the call may start now and is counted; otherwise how long to wait before asking again. */
    public static final long GO = 0;

    private final Limits limits;
    private final LongSupplier clock;
    private double requestTokens;
    private double tokenTokens;
    private long lastRefill;
    private int inFlight;
    private long pausedUntil;
    private int consecutiveFailures;
    private long openUntil = -1;
    private boolean probing;

    public FlowControl(Limits limits, LongSupplier clockMillis) {
        this.limits = limits;
        this.clock = clockMillis;
        this.requestTokens = limits.requestsPerMinute();
        this.tokenTokens = limits.tokensPerMinute();
        this.lastRefill = clockMillis.getAsLong();
    }

    /** Asks to start a call estimated at {@code tokens}; {@link #GO} admits it, any other value is a wait in ms. */
    public long tryAcquire(long tokens) {
        long now = clock.getAsLong();
        refill(now);
        if (now < pausedUntil) {
            return pausedUntil - now;
        }
        if (openUntil >= 0) {
            if (now < openUntil) {
                return openUntil - now;
            }
            if (probing) {
                return Math.max(1, limits.breakerOpenMillis() / 10); // one probe at a time while half-open
            }
        }
        if (inFlight >= limits.maxConcurrent()) {
            return 10; // a slot frees when a call completes; the caller also retries on release
        }
        long cost = Math.min(tokens, limits.tokensPerMinute()); // a call larger than the budget still runs, alone
        if (requestTokens < 1) {
            return millisUntil(1 - requestTokens, limits.requestsPerMinute());
        }
        if (tokenTokens < cost) {
            return millisUntil(cost - tokenTokens, limits.tokensPerMinute());
        }
        requestTokens -= 1;
        tokenTokens -= cost;
        inFlight++;
        if (openUntil >= 0) {
            probing = true;
        }
        return GO;
    }

    /**
     * Reports a finished call. {@code actualTokens} corrects the estimate; {@code retryAfterMillis} > 0 pauses the
     * provider that long.
     */
    public void release(long estimatedTokens, long actualTokens, boolean success, long retryAfterMillis) {
        long now = clock.getAsLong();
        inFlight = Math.max(0, inFlight - 1);
        tokenTokens -= Math.max(0, actualTokens - Math.min(estimatedTokens, limits.tokensPerMinute()));
        if (retryAfterMillis > 0) {
            pausedUntil = Math.max(pausedUntil, now + retryAfterMillis);
        }
        if (success) {
            consecutiveFailures = 0;
            openUntil = -1;
            probing = false;
        } else {
            consecutiveFailures++;
            if (probing || consecutiveFailures >= limits.breakerFailures()) {
                openUntil = now + limits.breakerOpenMillis();
                probing = false;
            }
        }
    }

    public boolean circuitOpen() {
        return openUntil >= 0 && clock.getAsLong() < openUntil;
    }

    public int inFlight() {
        return inFlight;
    }

    private void refill(long now) {
        long elapsed = now - lastRefill;
        if (elapsed <= 0) {
            return;
        }
        requestTokens = Math.min(limits.requestsPerMinute(), requestTokens + elapsed * limits.requestsPerMinute() / 60_000.0);
        tokenTokens = Math.min(limits.tokensPerMinute(), tokenTokens + elapsed * limits.tokensPerMinute() / 60_000.0);
        lastRefill = now;
    }

    private static long millisUntil(double missing, double perMinute) {
        return Math.max(1, (long) Math.ceil(missing * 60_000.0 / perMinute));
    }
}
