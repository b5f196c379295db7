package dev.prism.embed;

import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryScan;
import java.time.Instant;

/**
 * Where the embed sweep goes on from: strictly after a (completion time, id) position, from the start after each start
 * of the server; rewound to before the oldest text left to it. Used on the writer's event loop only.
 */
final class SweepCursor {

    /**
     * How far before a text's publication time the sweep rewinds to find it again: its row's completion time is taken
     * by the database before the verticle stamps the event, and the two clocks may differ a little.
     */
    static final long REWIND_MILLIS = 60_000;

    private Instant afterTime = SummaryScan.START;
    private long afterId;

    SummaryScan next(Instant until, int limit) {
        return new SummaryScan(afterTime, afterId, until, limit);
    }

    /** The text was left to the sweep: the next one starts from before it. */
    void rewind(SummaryCreated s) {
        Instant at = s.createdAt() == null ? SummaryScan.START : s.createdAt().minusMillis(REWIND_MILLIS);
        if (at.isBefore(afterTime)) {
            afterTime = at.isBefore(SummaryScan.START) ? SummaryScan.START : at;
            afterId = 0;
        }
    }

    /** Whether a deferral moved the position back before where {@code scan} started. */
    boolean rewoundBefore(SummaryScan scan) {
        return afterTime.isBefore(scan.afterTime()) || afterTime.equals(scan.afterTime()) && afterId < scan.afterId();
    }

    void advance(SummaryScan.Entry e) {
        afterTime = e.summary().createdAt();
        afterId = e.id();
    }
}
