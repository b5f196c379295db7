package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.ApiAccess;
import dev.prism.bus.Failure;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.Run;
import dev.prism.bus.SummaryCreated;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live hub of one HTTP verticle instance: the WebSocket clients this instance accepted, and the bus events they may
 * want. Events are published, so every instance's hub receives each one; a client belongs to the one instance that
 * accepted its connection, so it receives each event once. Consumers and connections share the instance's event loop.
 *
 * <p>Consumes {@value Addresses#SUMMARY_CREATED}, {@value Addresses#RUN_PROGRESS}, {@value Addresses#CLUSTER_UPDATED},
 * {@value Addresses#ALERT_FIRED} and {@value Addresses#LIVE_EVENT}.
 */
final class LiveHub {

    private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
    /** How soon a connection authenticated with a key revoked later is closed. */
    static final long KEY_RECHECK_MILLIS = 5_000;

    private final Vertx vertx;
    private final PrismConfig.WebSocket config;
    private final LiveStats stats;
    private final Set<LiveConnection> connections = new LinkedHashSet<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private long keyRecheck = -1;

    LiveHub(Vertx vertx, PrismConfig.WebSocket config, Metrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.stats = new LiveStats(metrics);
    }

    /** Call from the verticle's start, so consumers run on its event loop. */
    Future<Void> start() {
        EventBus bus = vertx.eventBus();
        consumers.add(bus.<SummaryCreated>consumer(Addresses.SUMMARY_CREATED, m -> {
            SummaryCreated s = m.body();
            publish("summary.created", s.projectId(), s.themeId(), null, () -> Json.summaryEvent(s));
        }));
        consumers.add(bus.<Run>consumer(Addresses.RUN_PROGRESS, m -> {
            Run r = m.body();
            publish("run.progress", r.projectId(), r.themeId(), Long.toString(r.id()), () -> Json.run(r));
        }));
        consumers.add(bus.consumer(Addresses.CLUSTER_UPDATED, m -> forward("cluster.updated", m.body(), "cluster_id", "clusterId", "id")));
        consumers.add(bus.consumer(Addresses.ALERT_FIRED, m -> forward("alert.fired", m.body())));
        // What clients of other instances were sent (LiveRelayVerticle): forwarded as is, never relayed again.
        consumers.add(bus.<LiveEvent>consumer(Addresses.LIVE_REMOTE, m -> forward(m.body().type(), m.body())));
        consumers.add(bus.consumer(Addresses.LIVE_EVENT, m -> {
            if (m.body() instanceof LiveEvent e) {
                forward(e.type(), e);
            } else {
                LOG.debug("Ignored a {} on {}: only LiveEvent records are forwarded", m.body() == null ? "null" : m.body().getClass(),
                        Addresses.LIVE_EVENT);
            }
        }));
        keyRecheck = vertx.setPeriodic(KEY_RECHECK_MILLIS, id -> recheckKeys());
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    }

    /**
     * A key revoked (on any instance) after a client authenticated must not keep its stream open: every distinct key of
     * this hub's clients is checked again, one look-up per key however many connections share it. A key that can only
     * not be checked now (store down) keeps its clients.
     */
    private void recheckKeys() {
        java.util.Map<String, List<LiveConnection>> byKey = new java.util.HashMap<>();
        for (LiveConnection c : connections) {
            String key = c.authenticatedKey();
            if (key != null) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
            }
        }
        byKey.forEach((key, clients) -> vertx.eventBus().request(Addresses.PROJECT_AUTHORIZE, new ApiAccess(key, null)).onFailure(e -> {
            Failure f = Failure.from(e);
            if (f.status() == 401 || f.status() == 403) {
                clients.forEach(LiveConnection::keyRevoked);
            }
        }));
    }

    void accept(ServerWebSocket ws, String bearer) {
        LiveConnection[] self = new LiveConnection[1];
        self[0] = new LiveConnection(vertx, ws, config, stats, () -> connections.remove(self[0]));
        connections.add(self[0]);
        self[0].start(bearer);
    }

    /**
     * Closes every client with 1001 (going away). Waits a little for the closing handshakes, not for clients that stopped
     * reading: shutting down must not hang on them.
     */
    Future<Void> close() {
        if (keyRecheck >= 0) {
            vertx.cancelTimer(keyRecheck);
        }
        consumers.forEach(MessageConsumer::unregister);
        return Future.join(new ArrayList<>(connections).stream().map(LiveConnection::shutdown).toList())
                .timeout(1, TimeUnit.SECONDS)
                .<Void>mapEmpty()
                .recover(e -> Future.succeededFuture());
    }

    private void publish(String type, String project, String theme, String key, Supplier<JsonNode> data) {
        if (connections.stream().noneMatch(c -> c.wants(project, theme))) {
            return; // most events find no one listening on this instance: render nothing
        }
        LiveProtocol.Update update = LiveProtocol.update(type, project, theme, key, data.get());
        if (update != null) {
            // A copy: a client may close (and leave the set) while we write to it.
            for (LiveConnection c : new ArrayList<>(connections)) {
                c.offer(update);
            }
        }
    }

    /** A clustering or alerting event in whatever shape its feature publishes. */
    private void forward(String type, Object body, String... keyFields) {
        if (connections.isEmpty()) {
            return;
        }
        LiveProtocol.Update update = LiveUpdates.forwarded(type, body, keyFields);
        if (update == null) {
            return;
        }
        for (LiveConnection c : new ArrayList<>(connections)) {
            c.offer(update);
        }
    }
}
