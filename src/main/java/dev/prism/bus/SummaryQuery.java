package dev.prism.bus;

import java.time.Instant;
import java.util.List;

/**
 * Stored summaries of a project, newest first. {@code themeId}, {@code relevant}, {@code since} and {@code traceId}
 * are optional (null). Replies {@link Summaries}.
 */
public record SummaryQuery(String projectId, String themeId, Boolean relevant, Instant since, String traceId, int limit) {

    public record Summaries(List<SummaryCreated> results) {
    }
}
