package dev.prism.lifecycle;

import java.util.HashMap;
import java.util.Map;

/**
 * Whether ingestion is busy, from its instances' reports: the share of recent time they had a request in hand. An
 * instance with room answers each request quickly and is idle most of the time; one that is the bottleneck (CPU or
 * PostgreSQL taken by later stages, or simply more traffic than it takes) always has requests waiting. That share rises
 * as soon as background work competes with ingestion, which is what makes it the signal for that work to yield.
 *
 * <p>Pure and single-threaded: each verticle keeps its own and feeds it from its event loop.
 */
public final class IngestPressure {

    private record Report(long busyNanos, long windowNanos, int queued, long atNanos) {
    }

    /** Once busy, busy for at least this long: one quiet window (a GC pause, a slow client) does not open the gates. */
    static final long HOLD_NANOS = 1_000_000_000L;

    private final double busyShare;
    private final Map<String, Report> latest = new HashMap<>();
    private long lastBusy = Long.MIN_VALUE / 2;

    /** @param busyShare share of time (0–1) above which ingestion counts as busy */
    public IngestPressure(double busyShare) {
        this.busyShare = busyShare;
    }

    public void report(String source, long busyNanos, long windowNanos, int queued, long nowNanos) {
        latest.put(source, new Report(busyNanos, windowNanos, queued, nowNanos));
    }

    /**
     * Busy share over the writers that reported within the last two windows; writers that went quiet stop
     * reporting and no longer count (a stopped server, or no traffic at all).
     */
    public double share(long nowNanos) {
        long busy = 0;
        long window = 0;
        latest.values().removeIf(r -> nowNanos - r.atNanos > 2 * Math.max(r.windowNanos, 100_000_000L) + 500_000_000L);
        for (Report r : latest.values()) {
            busy += Math.min(r.busyNanos, r.windowNanos);
            window += r.windowNanos;
        }
        return window == 0 ? 0 : (double) busy / window;
    }

    /** Busy: the writers were busy more than the threshold, or events are queueing for the store. */
    public boolean busy(long nowNanos) {
        double s = share(nowNanos);
        boolean busy = s >= busyShare;
        for (Report r : latest.values()) {
            busy |= r.queued > 0 && s >= busyShare / 2;
        }
        if (busy) {
            lastBusy = nowNanos;
        }
        return busy || (!latest.isEmpty() && nowNanos - lastBusy < HOLD_NANOS);
    }
}
