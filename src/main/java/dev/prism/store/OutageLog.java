package dev.prism.store;

import org.slf4j.Logger;

/**
 * The log of one background loop (a sweep, a claim loop) that runs every few hundred milliseconds: while PostgreSQL
 * is away every round fails the same way, so the outage is logged once when it starts and once when the loop works
 * again, not once per round. Failures that are not an outage are logged every time, as before.
 *
 * <p>Not thread-safe: used from its verticle's event loop only.
 */
public final class OutageLog {

    private final Logger log;
    private final String what;
    private long failedRounds;
    private long since;

    /** @param what the loop, as the start of a sentence ("Trace sweep") */
    public OutageLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    public void failed(Throwable e) {
        if (!StoreErrors.unavailable(e)) {
            log.warn("{} failed: {}", what, e.toString());
            return;
        }
        if (failedRounds++ == 0) {
            since = System.nanoTime();
            log.warn("{} paused: PostgreSQL is unavailable ({}); retrying until it answers", what, e.toString());
        } else {
            log.debug("{} still waiting for PostgreSQL: {}", what, e.toString());
        }
    }

    public void succeeded() {
        if (failedRounds > 0) {
            log.info("{} resumed: PostgreSQL answers again after {} s ({} rounds failed)", what,
                    (System.nanoTime() - since) / 1_000_000_000L, failedRounds);
            failedRounds = 0;
        }
    }

    /** Whether the last round failed for an outage. */
    public boolean inOutage() {
        return failedRounds > 0;
    }
}
