package dev.prism.bus;

import java.time.Instant;

/**
 * A trace version completed: no more events are expected for it. Carries the assembled trace so no stage reloads it.
 *
 * @param completedAt   as stored (microseconds); with the version it identifies this content even across a database reset
 * @param versionEvents for a later version, the distinct names of the events that arrived since the previous version
 *                      completed (what may change a theme's answer); null for a first version
 */
public record TraceCompleted(String projectId, String traceId, int version, Instant completedAt, AssembledTrace trace,
                             java.util.List<String> versionEvents) {

    public TraceCompleted(String projectId, String traceId, int version, Instant completedAt, AssembledTrace trace) {
        this(projectId, traceId, version, completedAt, trace, null);
    }
}
