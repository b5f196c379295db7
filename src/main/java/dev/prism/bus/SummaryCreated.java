package dev.prism.bus;

import java.time.Instant;

/** A theme's analysis of a trace version, stored: the {@code $ai_trace_summary} of DESIGN.md §3. */
public record SummaryCreated(String projectId, String themeId, String traceId, int traceVersion, int promptVersion,
                             boolean themeRelevant, String title, String summary, String severity, String model,
                             long inputTokens, long outputTokens, double costUsd, long latencyMillis, Instant createdAt) {
}
