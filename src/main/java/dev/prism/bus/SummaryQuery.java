package dev.prism.bus;

import java.time.Instant;
import java.util.List;

/**
 * Stored summaries of a project, newest first. {@code themeId}, {@code relevant}, {@code since}, {@code traceId},
 * {@code severity} ("low", "medium", "high") and {@code before} (a {@link Summaries#nextCursor()} from the previous page) are optional (null). Only the summaries that
 * count (each trace's latest analysed version per theme) are listed unless {@code includeSuperseded}. Replies
 * {@link Summaries}.
 */
public record SummaryQuery(String projectId, String themeId, Boolean relevant, Instant since, String traceId, int limit, String before,
                           boolean includeSuperseded, String severity) {

    public SummaryQuery(String projectId, String themeId, Boolean relevant, Instant since, String traceId, int limit, String before,
                        boolean includeSuperseded) {
        this(projectId, themeId, relevant, since, traceId, limit, before, includeSuperseded, null);
    }

    public SummaryQuery(String projectId, String themeId, Boolean relevant, Instant since, String traceId, int limit) {
        this(projectId, themeId, relevant, since, traceId, limit, null);
    }

    public SummaryQuery(String projectId, String themeId, Boolean relevant, Instant since, String traceId, int limit, String before) {
        this(projectId, themeId, relevant, since, traceId, limit, before, false);
    }

    /** @param nextCursor where the next (older) page starts; null on the last page */
    public record Summaries(List<SummaryCreated> results, String nextCursor) {
    }
}
