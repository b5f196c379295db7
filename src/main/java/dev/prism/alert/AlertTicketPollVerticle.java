package dev.prism.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.config.PrismConfig;
import dev.prism.lifecycle.Quiescent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns which of the Linear and GitHub issues Prism keeps for clusters were closed on the tracker: every
 * {@code alerts.ticketPollSeconds} it asks each tracker about the tickets not asked for that long (Linear
 * {@code issue(id)}, GitHub {@code GET /repos/{o}/{r}/issues/{n}}) and stores the state and the tracker's close time in
 * {@code alert_tickets}. Evaluation then treats members a cluster gains after its ticket was closed as a comeback.
 *
 * <p>The calls go through the destinations themselves, so the address policy and the redaction of secrets are the
 * delivery's; the credentials are the rule's destination object that the ticket was kept under (another rule's with
 * the same team or repository when that rule is gone). Tickets are claimed ({@code FOR UPDATE SKIP LOCKED}), so
 * instances share the polling; one ticket at a time, to stay far below the trackers' rate limits.
 */
public final class AlertTicketPollVerticle extends VerticleBase implements Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(AlertTicketPollVerticle.class);
    /** Tickets claimed at once; a sweep claims again until fewer are due. */
    static final int BATCH = 50;

    private final AlertTickets tickets;
    private final AlertRepository repository;
    private final Map<String, TicketFlow.Tracker> trackers = new HashMap<>();
    private final PrismConfig.Alerts config;
    private long timer = -1;
    private boolean running;
    private boolean stopping;
    private Future<Void> current = Future.succeededFuture();

    public AlertTicketPollVerticle(Pool pool, List<Destination> destinations, PrismConfig.Alerts config) {
        this.tickets = new AlertTickets(pool);
        this.repository = new AlertRepository(pool);
        this.config = config;
        destinations.forEach(d -> {
            if (d instanceof TicketFlow.Tracker t) {
                trackers.put(d.type(), t);
            }
        });
    }

    @Override
    public Future<?> start() {
        if (config.ticketPollSeconds() > 0 && !trackers.isEmpty()) {
            timer = vertx.setPeriodic(config.ticketPollSeconds() * 1000L, id -> sweep());
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> quiesce() {
        return Quiescent.onContext(context, () -> {
            stopping = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            return current;
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        return Future.succeededFuture();
    }

    private void sweep() {
        if (stopping || running) {
            return;
        }
        running = true;
        current = pollDue().onFailure(e -> LOG.warn("Alert ticket poll failed; the next one tries again: {}", e.toString()))
                .otherwiseEmpty().onComplete(ar -> running = false);
    }

    /** Asks the trackers about every due ticket, a batch at a time. */
    Future<Void> pollDue() {
        return tickets.claimDue(BATCH, Duration.ofSeconds(config.ticketPollSeconds())).compose(due -> {
            Map<String, Future<List<AlertRule>>> rules = new HashMap<>();
            Future<Void> chain = Future.succeededFuture();
            for (AlertTickets.Due d : due) {
                chain = chain.compose(v -> stopping ? Future.succeededFuture()
                        : observe(d, rules.computeIfAbsent(d.ticket().key().projectId(), repository::rules)));
            }
            return chain.compose(v -> due.size() == BATCH && !stopping ? pollDue() : Future.succeededFuture());
        });
    }

    private Future<Void> observe(AlertTickets.Due due, Future<List<AlertRule>> rules) {
        AlertTickets.Ticket t = due.ticket();
        TicketFlow.Tracker tracker = trackers.get(t.type());
        if (tracker == null) {
            return Future.succeededFuture();
        }
        return rules.compose(list -> {
            Optional<JsonObject> config = configOf(t, tracker, list);
            if (config.isEmpty()) {
                LOG.debug("No rule of {} sends to {} any more: ticket of cluster {} not polled", t.key().projectId(), t.key().destinationKey(), t.key().clusterId());
                return Future.succeededFuture();
            }
            TicketFlow.Issue issue = new TicketFlow.Issue(t.externalId(), t.externalNumber(), t.url());
            return tracker.closed(issue, config.get())
                    .timeout(this.config.sendTimeoutSeconds(), TimeUnit.SECONDS)
                    .compose(closed -> {
                        // A tracker that names no close time gets the time Prism first saw it closed, kept from then
                        // on: the close names the comeback that follows it, so it must not move between polls.
                        Instant at = closed.map(c -> c.at() != null ? c.at() : due.closedAt() != null ? due.closedAt() : Instant.now()).orElse(null);
                        return tickets.observed(due, at).map(changed -> {
                            if (changed) {
                                LOG.info("{} ticket {} of cluster {} is {} on the tracker", t.type(), t.externalNumber(), t.key().clusterId(),
                                        at == null ? "open" : "closed (at " + at + ")");
                            }
                            return (Void) null;
                        });
                    });
        }).recover(e -> {
            // A failure's detail is redacted by the destination; anything else may quote configuration: its kind only.
            LOG.info("Could not read the state of {} ticket {} of cluster {}: {}", t.type(), t.externalNumber(), t.key().clusterId(),
                    e instanceof TicketFlow.Failed f ? f.outcome.detail() : e.getClass().getSimpleName());
            return Future.succeededFuture();
        });
    }

    /** The destination object the ticket is kept under: its own rule's first, else another rule's with the same key. */
    static Optional<JsonObject> configOf(AlertTickets.Ticket t, TicketFlow.Tracker tracker, List<AlertRule> rules) {
        JsonObject fallback = null;
        for (AlertRule rule : rules) {
            for (ObjectNode d : rule.destinations()) {
                if (!tracker.type().equals(d.path("type").asText())) {
                    continue;
                }
                JsonObject config = new JsonObject(d.toString());
                if (!t.key().destinationKey().equals(tracker.destinationKey(config))) {
                    continue;
                }
                if (rule.ruleId().equals(t.key().ruleId())) {
                    return Optional.of(config);
                }
                if (fallback == null) {
                    fallback = config;
                }
            }
        }
        return Optional.ofNullable(fallback);
    }
}
