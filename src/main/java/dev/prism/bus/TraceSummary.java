package dev.prism.bus;

import java.time.Instant;

/** A trace as listed: identity, state and aggregates, without events. */
public record TraceSummary(String traceId, int version, String status, String name, Instant firstSeen, Instant lastSeen,
                           Instant completedAt, TraceAggregates aggregates) {
}
