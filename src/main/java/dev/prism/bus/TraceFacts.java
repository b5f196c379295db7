package dev.prism.bus;

import java.util.List;
import java.util.Map;

/**
 * Per-trace figures other features keep next to their own results (clustering: the minimum-users rule and cluster
 * metrics). Replies {@link Facts}; unknown traces are absent from it.
 */
public record TraceFacts(String projectId, List<String> traceIds) {

    public record Facts(Map<String, Fact> byTrace) {
    }

    /** @param distinctId the user of the trace's first event that names one, or null */
    public record Fact(String distinctId, Double latencySeconds, double costUsd, int errorCount) {
    }
}
