package dev.prism.bus;

import java.util.Set;

/**
 * Events were committed for these traces.
 *
 * @param rootSeen trace ids among them for which an {@code $ai_trace} event arrived
 */
public record EventsStored(String projectId, Set<String> traceIds, Set<String> rootSeen) {
}
