package dev.prism.bus;

import java.util.List;

/**
 * Messages between runs and analysis. {@link Enqueue} replies the number of analyses newly queued (the others already
 * exist: analysed, or queued by streaming dispatch); {@link StatsQuery} replies {@link Stats}; {@link AnalyzeNow}
 * replies {@link Analyzed} and stores nothing.
 */
public final class RunTasks {

    private RunTasks() {
    }

    public record TraceRef(String traceId, int version) {
    }

    /**
     * @param runId              the run queuing them, or null for theme dispatch's sweep
     * @param keepEarlierSummary a trace that has a summary (or a task) of an earlier version for the theme keeps it and
     *                           is not queued (its new version brought nothing the theme reads)
     */
    public record Enqueue(Long runId, String projectId, String themeId, int promptVersion, List<TraceRef> traces, boolean keepEarlierSummary) {

        public Enqueue(Long runId, String projectId, String themeId, int promptVersion, List<TraceRef> traces) {
            this(runId, projectId, themeId, promptVersion, traces, false);
        }
    }

    public record StatsQuery(List<Long> runIds) {
    }

    /** Per run: its analyses by state, with tokens and cost of the finished ones. */
    public record RunStats(long runId, long total, long done, long relevant, long dead, long inputTokens, long outputTokens,
                           double costUsd) {
    }

    public record Stats(List<RunStats> runs) {
    }

    public record AnalyzeNow(String projectId, String themeId, TraceRef trace) {
    }
}
