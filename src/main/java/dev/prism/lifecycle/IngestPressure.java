package dev.prism.lifecycle;

import java.util.HashMap;
import java.util.Map;

/**
 * Whether ingestion is busy, from its writers' reports: the share of recent time they spent with a write in flight.
 * A writer with room answers at once and is rarely busy; one that is the bottleneck (CPU or PostgreSQL taken by later
 * stages, or simply more traffic than the store takes) is busy nearly all the time. That share rises as soon as
 * background work competes with ingestion, which is what makes it the signal for that work to yield.
 *
 * <p>Pure and single-threaded: each verticle keeps its own and feeds it from its event loop.
 */
public final class IngestPressure {

    private record Report(long busyNanos, long windowNanos, int queued, long atNanos) {
    }

    private final double busyShare;
    private final Map<String, Report> latest = new HashMap<>();

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
        if (s >= busyShare) {
            return true;
        }
        for (Report r : latest.values()) {
            if (r.queued > 0 && s >= busyShare / 2) {
                return true;
            }
        }
        return false;
    }
}
