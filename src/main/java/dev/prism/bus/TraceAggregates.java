package dev.prism.bus;

import java.util.List;

/**
 * Figures of a whole trace.
 *
 * @param latencySeconds the {@code $ai_trace} event's latency, else from the earliest start to the latest end
 *                       of its events; null when no event has a usable time
 * @param depth          levels of the span tree below the trace (0 for a trace with no spans or generations)
 * @param costEstimated  part of {@code costUsd} was computed by Prism from model and tokens, not sent by the client
 */
public record TraceAggregates(int eventCount, int depth, Double latencySeconds, long inputTokens, long outputTokens,
                              double costUsd, int errorCount, List<String> models, int distinctUsers, boolean costEstimated) {

    /** Figures whose cost is all the client's own. */
    public TraceAggregates(int eventCount, int depth, Double latencySeconds, long inputTokens, long outputTokens,
                           double costUsd, int errorCount, List<String> models, int distinctUsers) {
        this(eventCount, depth, latencySeconds, inputTokens, outputTokens, costUsd, errorCount, models, distinctUsers, false);
    }
}
