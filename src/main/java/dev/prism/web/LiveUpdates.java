package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.LiveEvent;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bus event as the update WebSocket clients receive: one reading for the live hubs and for the relay that sends the
 * same updates to other instances.
 */
final class LiveUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(LiveUpdates.class);

    private LiveUpdates() {
    }

    /**
     * A clustering or alerting event in whatever shape its feature publishes: a {@link LiveEvent}, a {@code JsonObject}
     * or a record, routed by its project and theme fields; null when it cannot be routed.
     */
    static LiveProtocol.Update forwarded(String type, Object body, String... keyFields) {
        LiveProtocol.Update update;
        try {
            if (body instanceof LiveEvent e) {
                update = LiveProtocol.update(e.type() != null ? e.type() : type, e.projectId(), e.themeId(), e.key(), e.data());
            } else {
                JsonNode json = body instanceof JsonObject o ? Json.MAPPER.readTree(o.encode()) : LiveProtocol.toJson(body);
                update = LiveProtocol.route(type, json, keyFields);
            }
        } catch (Exception e) {
            LOG.warn("Cannot forward a {} to WebSocket clients", type, e);
            return null;
        }
        if (update == null) {
            LOG.debug("Not forwarded to WebSocket clients: a {} without a project or with an invalid type", type);
        }
        return update;
    }
}
