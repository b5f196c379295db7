package dev.prism.bus;

/** A trace with its events and span tree. */
public record TraceDetail(TraceSummary summary, AssembledTrace trace) {
}
