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
}
