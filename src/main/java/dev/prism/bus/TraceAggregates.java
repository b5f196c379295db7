package dev.prism.bus;

import java.util.List;

/**
 * Figures of a whole trace.
 *
 * @param latencySeconds the {@code $ai_trace} event's latency, else from the earliest start to the latest end
 *                       of its events; null when no event has a usable time
 * @param depth          levels of the span tree below the trace (0 for a trace with no spans or generations)
 */
public record TraceAggregates(int eventCount, int depth, Double latencySeconds, long inputTokens, long outputTokens,
                              double costUsd, int errorCount, List<String> models, int distinctUsers) {
}
