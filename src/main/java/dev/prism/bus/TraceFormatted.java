package dev.prism.bus;

/**
 * A completed trace version rendered for analysis: at most {@code llm.maxTraceChars} characters (a longer trace is
 * sampled evenly by line, under a header saying what share is shown). What analysis stages read and prompts carry.
 * {@code versionEvents} as in {@link TraceCompleted}.
 */
public record TraceFormatted(String projectId, String traceId, int version, AssembledTrace trace, String text,
                             java.util.List<String> versionEvents) {

    public TraceFormatted(String projectId, String traceId, int version, AssembledTrace trace, String text) {
        this(projectId, traceId, version, trace, text, null);
    }
}
