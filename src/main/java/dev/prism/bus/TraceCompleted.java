package dev.prism.bus;

import java.time.Instant;

/**
 * A trace version completed: no more events are expected for it. Carries the assembled trace so no stage reloads it.
 *
 * @param completedAt as stored (microseconds); with the version it identifies this content even across a database reset
 */
public record TraceCompleted(String projectId, String traceId, int version, Instant completedAt, AssembledTrace trace) {
}
