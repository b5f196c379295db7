package dev.prism.bus;

import java.util.List;

/**
 * A trace put together from its events.
 *
 * @param root        the {@code $ai_trace} event, or null for a pseudo-trace built from its children only
 * @param nodes       top-level spans and generations, each with its subtree, in time order
 * @param annotations {@code $ai_metric} and {@code $ai_feedback} events about the trace
 * @param events      every event, in time order
 */
public record AssembledTrace(String traceId, String name, TraceEvent root, List<TraceNode> nodes, List<TraceEvent> annotations,
                             List<TraceEvent> events, TraceAggregates aggregates) {

    /**
     * Whether something failed and the trace still ended with an answer given after the failed work was tried again:
     * after a failed model call, a later generation with an output (the retry answered); after a failed tool or other
     * step, a tool called again (a later span that wraps nothing, or a generation calling a tool) and then a generation
     * with an output. A reply straight after a failed tool only reports the failure, and a wrapper that ends in error
     * after the last answer means the trace failed: neither is a recovery.
     */
    public boolean recoveredFromFailure() {
        int lastFailure = -1;
        boolean modelFailed = false;
        for (int i = 0; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            if (e.failed()) {
                lastFailure = i;
                modelFailed = e.event().equals("$ai_generation");
            }
        }
        if (lastFailure < 0) {
            return false;
        }
        // A span that others name as their parent is a wrapper (a chain, an agent): its ending says nothing was retried.
        java.util.Set<String> parents = new java.util.HashSet<>();
        for (TraceEvent e : events) {
            String parent = e.properties().path("$ai_parent_id").asText("");
            if (!parent.isEmpty()) {
                parents.add(parent);
            }
        }
        boolean retried = modelFailed;
        for (int i = lastFailure + 1; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            boolean generation = e.event().equals("$ai_generation");
            boolean step = e.event().equals("$ai_span") && !parents.contains(e.properties().path("$ai_span_id").asText(""));
            if (generation && e.callsTool() || step) {
                retried = true;
            } else if (generation && retried && e.hasOutput()) {
                return true;
            }
        }
        return false;
    }
}
