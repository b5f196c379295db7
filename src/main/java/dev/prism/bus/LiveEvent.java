package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Something WebSocket clients should see live, published by any feature on {@code prism.live.event}; the live hub
 * forwards it as {@code {"type", "project", "theme", "data"}} to the clients subscribed to that project and theme.
 *
 * @param type      the message type clients receive, e.g. {@code cluster.updated} or {@code alert.fired}
 * @param projectId the project; events without one cannot be routed and are not sent
 * @param themeId   the theme, or null for an event of the whole project (sent to every subscriber of the project)
 * @param key       what the event is the latest state of (a cluster id, say): a newer event with the same type, project,
 *                  theme and key replaces an older one still waiting for a slow client. Null: every event counts and
 *                  none replaces another
 * @param data      the payload, sent as is; not modified after publishing
 */
public record LiveEvent(String type, String projectId, String themeId, String key, JsonNode data) {
}
