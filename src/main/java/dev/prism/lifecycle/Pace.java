package dev.prism.lifecycle;

import dev.prism.bus.Addresses;
import dev.prism.bus.IngestLoad;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * Ingestion first (DESIGN.md §2): a background stage asks {@link #mayStart()} before each unit of its work (a sweep
 * batch, a claim, an embedding batch, a re-clustering). While ingestion is idle or has room, every unit may start.
 * While it is busy, one unit per {@code interval}: the stage lags, its backlog stays where it lives (PostgreSQL rows),
 * and it still makes progress, so a server that is busy for hours does not stop analysing altogether.
 *
 * <p>One per verticle instance, created and used on its event loop.
 */
public final class Pace {

    private final IngestPressure pressure;
    private final long intervalNanos;
    private final MessageConsumer<IngestLoad> consumer;
    private long lastStart = Long.MIN_VALUE / 2;
    private long deferred;

    private Pace(IngestPressure pressure, long intervalMillis, MessageConsumer<IngestLoad> consumer) {
        this.pressure = pressure;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.consumer = consumer;
    }

    /**
     * @param busyShare      writer busy share above which ingestion counts as busy; 1 or more: never yield
     * @param intervalMillis while busy, one unit of work per this long
     */
    public static Pace listen(Vertx vertx, double busyShare, long intervalMillis) {
        IngestPressure pressure = new IngestPressure(busyShare);
        MessageConsumer<IngestLoad> consumer = busyShare >= 1 ? null : vertx.eventBus().<IngestLoad>localConsumer(Addresses.INGEST_LOAD, m ->
                pressure.report(m.body().source(), m.body().busyNanos(), m.body().windowNanos(), m.body().queued(), System.nanoTime()));
        return new Pace(pressure, intervalMillis, consumer);
    }

    /** Never yields (tests of one stage, benchmarks of one stage). */
    public static Pace never() {
        return new Pace(new IngestPressure(Double.MAX_VALUE), 0, null);
    }

    /** Whether a unit of work may start now; a true answer counts as a start. */
    public boolean mayStart() {
        long now = System.nanoTime();
        if (consumer != null && pressure.busy(now) && now - lastStart < intervalNanos) {
            deferred++;
            return false;
        }
        lastStart = now;
        return true;
    }

    /** Whether ingestion is busy right now (without counting a start). */
    public boolean busy() {
        return consumer != null && pressure.busy(System.nanoTime());
    }

    /** How long until a deferred unit may start at the latest. */
    public long retryMillis() {
        return Math.max(1, (intervalNanos - (System.nanoTime() - lastStart)) / 1_000_000L);
    }

    /** Units deferred so far, for logs. */
    public long deferred() {
        return deferred;
    }

    public Future<Void> close() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }
}
