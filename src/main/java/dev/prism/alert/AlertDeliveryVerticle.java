package dev.prism.alert;

import dev.prism.bus.Addresses;
import dev.prism.common.Backoff;
import dev.prism.config.PrismConfig;
import dev.prism.lifecycle.Quiescent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery worker: claims due rows of the delivery log ({@code FOR UPDATE SKIP LOCKED}, so several instances share
 * the work), sends each through its {@link Destination}, and records the attempt. 5xx, 429 (after its
 * {@code Retry-After}) and timeouts are tried again with exponential backoff and jitter, up to {@code alerts.maxAttempts};
 * then the row is dead. A row whose sender died keeps its lease until it runs out and is then sent again, so a crash
 * re-sends at most the attempt under way and never forgets a row.
 *
 * <p>Consumes {@value Addresses#ALERT_QUEUED} (look now rather than at the next poll).
 */
public final class AlertDeliveryVerticle extends VerticleBase implements Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(AlertDeliveryVerticle.class);
    /** Deliveries claimed and sent at once, at most. */
    static final int BATCH = 20;
    static final Duration MAX_BACKOFF = Duration.ofHours(1);
    /** Outcome details are logged and answered by the API: kept short. */
    static final int MAX_DETAIL = 300;

    private final AlertRepository repository;
    private final Map<String, Destination> destinations;
    private final PrismConfig.Alerts config;
    private MessageConsumer<Object> wakeups;
    private long timer = -1;
    private boolean running;
    private boolean again;
    private boolean stopping;
    private Future<Void> current = Future.succeededFuture();

    public AlertDeliveryVerticle(Pool pool, List<Destination> destinations, PrismConfig.Alerts config) {
        this.repository = new AlertRepository(pool);
        this.destinations = byType(destinations);
        this.config = config;
    }

    static Map<String, Destination> byType(List<Destination> destinations) {
        Map<String, Destination> out = new LinkedHashMap<>();
        destinations.forEach(d -> out.put(d.type(), d));
        return out;
    }

    @Override
    public Future<?> start() {
        wakeups = vertx.eventBus().consumer(Addresses.ALERT_QUEUED, m -> sweep());
        timer = vertx.setPeriodic(config.pollMillis(), id -> sweep());
        // Rows left by an earlier process (waiting for a retry, or claimed when it died) are due as soon as we start.
        return wakeups.completion().onSuccess(v -> sweep());
    }

    @Override
    public Future<Void> quiesce() {
        return Quiescent.onContext(context, () -> {
            stopping = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            return current.otherwiseEmpty();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        return wakeups == null ? Future.succeededFuture() : wakeups.unregister();
    }

    /**
     * Long enough that a live sender always records its attempt first (the send gives up after the timeout), short
     * enough that a row whose sender died is sent again soon after a restart.
     */
    private Duration lease() {
        return Duration.ofSeconds(2L * config.sendTimeoutSeconds() + 5);
    }

    private void sweep() {
        if (stopping) {
            return;
        }
        if (running) {
            again = true;
            return;
        }
        running = true;
        again = false;
        Future<Integer> batch = repository.claim(BATCH, lease()).compose(claimed -> Future.join(claimed.stream().map(this::deliver).toList())
                .map(claimed.size()));
        current = batch.<Void>mapEmpty().otherwiseEmpty();
        batch.onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("Alert delivery sweep failed; next poll tries again: {}", ar.cause().toString());
            } else if (ar.result() == BATCH || again) {
                sweep();
            }
        });
    }

    private Future<Void> deliver(AlertRepository.Claimed c) {
        Destination destination = destinations.get(c.type());
        long started = System.nanoTime();
        Future<SendOutcome> sent;
        if (destination == null) {
            sent = Future.succeededFuture(SendOutcome.failed(null, false, null, "no destination of type '" + c.type() + "' on this server"));
        } else {
            try {
                sent = destination.send(c.notice(), new JsonObject(c.destination().toString()));
            } catch (RuntimeException e) {
                sent = Future.failedFuture(e);
            }
            sent = sent.timeout(config.sendTimeoutSeconds(), TimeUnit.SECONDS).recover(e -> Future.succeededFuture(e instanceof TimeoutException
                    ? SendOutcome.failed(null, true, null, "no answer within " + config.sendTimeoutSeconds() + " s")
                    // a bug in the destination: its message may quote its configuration, so only the kind of failure is kept
                    : SendOutcome.failed(null, true, null, "send failed: " + e.getClass().getSimpleName())));
        }
        return sent.compose(outcome -> {
            SendOutcome o = shortened(outcome);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            Duration retryIn = !o.delivered() && o.retryable() && c.attempt() < config.maxAttempts()
                    ? Duration.ofMillis(new Backoff(config.backoffMillis(), MAX_BACKOFF.toMillis(), MAX_BACKOFF.toMillis())
                            .delayMillis(c.attempt(), o.retryAfter() == null ? -1 : o.retryAfter().toMillis(), ThreadLocalRandom.current()))
                    : null;
            if (!o.delivered()) {
                LOG.info("Alert delivery {} ({}) attempt {} failed: {} {}{}", c.id(), c.type(), c.attempt(), o.statusCode() == null ? "-" : o.statusCode(),
                        o.detail(), retryIn == null ? "; dead" : "; again in " + retryIn.toMillis() + " ms");
            }
            return repository.record(c, o, elapsed, retryIn);
        }).recover(e -> {
            LOG.warn("Could not record alert delivery {}; its lease runs out and it is sent again: {}", c.id(), e.toString());
            return Future.succeededFuture();
        });
    }

    private static SendOutcome shortened(SendOutcome o) {
        if (o.detail() == null || o.detail().length() <= MAX_DETAIL) {
            return o;
        }
        return new SendOutcome(o.delivered(), o.statusCode(), o.retryable(), o.retryAfter(), o.detail().substring(0, MAX_DETAIL), o.externalRef());
    }
}
