package dev.prism.bus;

import java.util.List;

/**
 * A span, generation or embedding in a trace's tree.
 *
 * @param id       the event's span (or generation) id, or a synthetic {@code event:<uuid>} when it has none
 * @param parentId the parent as sent, which may name the trace, an unknown span (an orphan) or be absent
 * @param depth    1 for nodes directly under the trace
 */
public record TraceNode(String id, String parentId, int depth, TraceEvent event, List<TraceNode> children) {
}
