package dev.prism.bus;

/**
 * A completed trace version rendered for analysis: at most {@code llm.maxTraceChars} characters (a longer trace is
 * sampled evenly by line, under a header saying what share is shown). What analysis stages read and prompts carry.
 */
public record TraceFormatted(String projectId, String traceId, int version, AssembledTrace trace, String text) {
}
