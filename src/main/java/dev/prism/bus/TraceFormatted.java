package dev.prism.bus;

/** A completed trace version rendered with the default options: what analysis stages read. */
public record TraceFormatted(String projectId, String traceId, int version, AssembledTrace trace, String text) {
}
