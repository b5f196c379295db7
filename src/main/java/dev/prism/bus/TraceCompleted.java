package dev.prism.bus;

/** A trace version completed: no more events are expected for it. Carries the assembled trace so no stage reloads it. */
public record TraceCompleted(String projectId, String traceId, int version, AssembledTrace trace) {
}
