package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.Run;
import dev.prism.bus.SummaryCreated;
import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket clients on every instance see every instance's events: with a PostgreSQL shared by several instances
 * ({@code pg.url}), this relay sends each update this instance's clients get to the others through {@code NOTIFY} on
 * {@value #CHANNEL}, and hands what the others sent to this instance's live hubs ({@value Addresses#LIVE_REMOTE}). One per
 * process; it skips its own notifications. PostgreSQL caps a notification at 8,000 bytes: a larger update (a summary
 * with a very long text) stays on its own instance and is counted ({@code prism_ws_relay_total{result="too_large"}}).
 * A notification sent while an instance's listening connection was down is not seen there: live updates are a view,
 * the API has the state.
 */
public final class LiveRelayVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(LiveRelayVerticle.class);
    static final String CHANNEL = "prism_live";
    static final int MAX_PAYLOAD_BYTES = 7_999;

    private final Pool pool;
    private final PgConnectOptions listen;
    private final Metrics metrics;
    private final String instance = UUID.randomUUID().toString();
    private PgSubscriber subscriber;
    private Counter sent;
    private Counter received;
    private Counter tooLarge;

    public LiveRelayVerticle(Pool pool, PgConnectOptions listen, Metrics metrics) {
        this.pool = pool;
        this.listen = listen;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        sent = counter("sent");
        received = counter("received");
        tooLarge = counter("too_large");
        EventBus bus = vertx.eventBus();
        bus.<SummaryCreated>localConsumer(Addresses.SUMMARY_CREATED, m -> {
            SummaryCreated s = m.body();
            relay(LiveProtocol.update("summary.created", s.projectId(), s.themeId(), null, Json.summaryEvent(s)));
        });
        bus.<Run>localConsumer(Addresses.RUN_PROGRESS, m -> {
            Run r = m.body();
            relay(LiveProtocol.update("run.progress", r.projectId(), r.themeId(), Long.toString(r.id()), Json.run(r)));
        });
        bus.localConsumer(Addresses.CLUSTER_UPDATED, m -> relay(LiveUpdates.forwarded("cluster.updated", m.body(), "cluster_id", "clusterId", "id")));
        bus.localConsumer(Addresses.ALERT_FIRED, m -> relay(LiveUpdates.forwarded("alert.fired", m.body())));
        bus.localConsumer(Addresses.LIVE_EVENT, m -> {
            if (m.body() instanceof LiveEvent e) {
                relay(LiveUpdates.forwarded(e.type(), e));
            }
        });
        subscriber = PgSubscriber.subscriber(vertx, listen)
                // Keep listening across restarts of the database: try again every second, for ever.
                .reconnectPolicy(retries -> 1_000L);
        subscriber.channel(CHANNEL).handler(this::receive);
        return subscriber.connect();
    }

    private Counter counter(String result) {
        return Counter.builder("prism.ws.relay").description("Live updates relayed between instances through PostgreSQL")
                .tag("result", result).register(metrics.registry());
    }

    private void relay(LiveProtocol.Update update) {
        if (update == null) {
            return;
        }
        ObjectNode note = Json.MAPPER.createObjectNode().put("i", instance).put("t", update.type).put("p", update.project)
                .put("h", update.theme).put("k", update.key);
        note.set("d", update.data);
        String payload = note.toString();
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES) {
            tooLarge.increment();
            return;
        }
        pool.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, payload))
                .onSuccess(r -> sent.increment())
                .onFailure(e -> LOG.debug("A live update was not relayed: {}", e.toString()));
    }

    private void receive(String payload) {
        try {
            JsonNode note = Json.MAPPER.readTree(payload);
            if (instance.equals(note.path("i").asText())) {
                return;
            }
            received.increment();
            vertx.eventBus().publish(Addresses.LIVE_REMOTE, new LiveEvent(note.path("t").asText(), note.path("p").asText(),
                    text(note, "h"), text(note, "k"), note.get("d")));
        } catch (Exception e) {
            LOG.debug("Ignored a notification on {} that is not a relayed update: {}", CHANNEL, e.toString());
        }
    }

    private static String text(JsonNode note, String field) {
        JsonNode v = note.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @Override
    public Future<?> stop() {
        return subscriber == null ? Future.succeededFuture() : subscriber.close();
    }
}
