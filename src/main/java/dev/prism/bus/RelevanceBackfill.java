package dev.prism.bus;

import java.util.Map;

/**
 * Score a stored trace version that streaming never scored (its process stopped between rendering and scoring, or the
 * format stage left it to the dispatch sweep in a burst), store the scores and reply {@link Scored}. Without them the
 * sweep would let the trace through every built-in pre-filter, which with a paid provider means calls the pre-filter
 * exists to save.
 */
public record RelevanceBackfill(String projectId, String traceId, int version) {

    /** @param scores empty when the trace has moved on to another version (that version is scored on its own path) */
    public record Scored(Map<String, Double> scores) {
    }
}
