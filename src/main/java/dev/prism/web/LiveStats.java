package dev.prism.web;

import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebSocket hub's meters, shared by the hubs of every HTTP verticle instance: connected clients, updates held for
 * slow clients, and what happened to each update a client was due.
 */
final class LiveStats {

    final AtomicLong clients;
    final AtomicLong buffered;
    final Counter sent;
    final Counter coalesced;
    final Counter dropped;
    /** One client's buffer length each time an update is held for it: its maximum shows the bound holds. */
    final DistributionSummary clientBuffer;

    LiveStats(Metrics metrics) {
        clients = metrics.level("prism.ws.clients", "Open WebSocket connections, authenticated or not");
        buffered = metrics.level("prism.ws.buffered.messages", "Updates held for WebSocket clients whose connection is full");
        sent = counter(metrics, "sent");
        coalesced = counter(metrics, "coalesced");
        dropped = counter(metrics, "dropped");
        clientBuffer = DistributionSummary.builder("prism.ws.client.buffer").baseUnit("messages")
                .description("Length of one client's buffer after an update was held for it").register(metrics.registry());
    }

    private static Counter counter(Metrics metrics, String outcome) {
        // One description for the family: sent to the connection, coalesced (replaced in a slow client's buffer by a
        // newer state of the same thing) or dropped (evicted from a full buffer, reported to the client).
        return Counter.builder("prism.ws.messages").tag("outcome", outcome)
                .description("WebSocket messages by outcome: sent, coalesced or dropped").register(metrics.registry());
    }
}
