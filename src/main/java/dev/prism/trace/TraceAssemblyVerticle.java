package dev.prism.trace;

import dev.prism.bus.Addresses;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.EventsStored;
import dev.prism.bus.Failure;
import dev.prism.bus.TraceCompleted;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceListQuery;
import dev.prism.bus.TracePage;
import dev.prism.bus.TraceQuery;
import dev.prism.bus.TraceSummary;
import dev.prism.config.PrismConfig;
import dev.prism.store.OutageLog;
import dev.prism.trace.TraceRepository.TraceKey;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes traces and serves them. The database is the only state: pending traces are rows, so a restart or a
 * second instance picks them up where they were, and {@code FOR UPDATE SKIP LOCKED} lets instances share the sweep.
 * A sweep every {@code trace.sweepMillis} completes traces idle for {@code trace.idleSeconds}, or quiet for
 * {@code trace.rootGraceMillis} after their {@code $ai_trace} event; a late event reopens a trace as a new version.
 *
 * <p>Consumes {@value Addresses#EVENTS_STORED} (to sweep early after an {@code $ai_trace}), {@value Addresses#TRACE_LIST},
 * {@value Addresses#TRACE_SUMMARY}, {@value Addresses#TRACE_FACTS} and {@value Addresses#TRACE_GET}. Publishes {@value Addresses#TRACE_COMPLETED} after the completion is committed.
 * Assembly runs on a worker thread: a trace may hold megabytes of events.
 */
public final class TraceAssemblyVerticle extends VerticleBase implements dev.prism.lifecycle.Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(TraceAssemblyVerticle.class);
    static final int SWEEP_BATCH = 100;
    static final int MAX_PAGE = 500;

    private final TraceRepository repository;
    private final PrismConfig.Traces config;
    private final PrismConfig.Ingest ingest;
    private dev.prism.lifecycle.Pace pace;
    private boolean sweeping;
    private boolean sweepAgain;
    private boolean stopping;
    private Future<Integer> currentSweep = Future.succeededFuture(0);
    private long timer = -1;
    private final OutageLog sweepLog = new OutageLog(LOG, "Trace sweep");

    /** @param apiPool for the REST API's trace listing: its statements carry a timeout */
    public TraceAssemblyVerticle(Pool pool, Pool apiPool, PrismConfig.Traces config, PrismConfig.Ingest ingest) {
        this.repository = new TraceRepository(pool, apiPool);
        this.config = config;
        this.ingest = ingest;
    }

    @Override
    public Future<?> start() {
        pace = dev.prism.lifecycle.Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        vertx.eventBus().<EventsStored>consumer(Addresses.EVENTS_STORED, msg -> {
            if (!msg.body().rootSeen().isEmpty()) {
                vertx.setTimer(config.rootGraceMillis() + 50, id -> sweep());
            }
        });
        vertx.eventBus().<TraceListQuery>consumer(Addresses.TRACE_LIST, msg ->
                list(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<TraceQuery>consumer(Addresses.TRACE_SUMMARY, msg ->
                summary(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<dev.prism.bus.TraceFacts>consumer(Addresses.TRACE_FACTS, msg ->
                repository.facts(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<TraceQuery>consumer(Addresses.TRACE_GET, msg ->
                get(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        timer = vertx.setPeriodic(config.sweepMillis(), id -> sweep());
        return Future.succeededFuture();
    }

    /** Completed traces set the whole pipeline going: completion ends before any stage is undeployed. */
    @Override
    public Future<Void> quiesce() {
        return dev.prism.lifecycle.Quiescent.onContext(context, () -> {
            stopping = true;
            vertx.cancelTimer(timer);
            return currentSweep.otherwiseEmpty();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        vertx.cancelTimer(timer);
        if (pace != null) {
            pace.close();
        }
        return currentSweep.otherwiseEmpty(); // let a running sweep commit before the pool closes
    }

    private void sweep() {
        if (stopping) {
            return;
        }
        if (sweeping) {
            sweepAgain = true;
            return;
        }
        // Completion sets every later stage going: while ingestion is busy, one batch per ingest.yieldMillis; the rest
        // stays pending in the traces table and the periodic timer comes back for it.
        if (!pace.mayStart()) {
            return;
        }
        sweeping = true;
        currentSweep = completeDue();
        currentSweep.onComplete(ar -> {
            sweeping = false;
            if (ar.failed()) {
                sweepLog.failed(ar.cause()); // pending traces stay pending in PostgreSQL: the next round takes them
                return;
            }
            sweepLog.succeeded();
            if (ar.result() == SWEEP_BATCH || sweepAgain) {
                sweepAgain = false;
                vertx.runOnContext(v -> sweep()); // more may be due: keep going without waiting for the timer
            }
        });
    }

    /** Completes one batch of due traces in one transaction; returns how many were due. */
    private Future<Integer> completeDue() {
        List<TraceCompleted> completed = new ArrayList<>();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS); // PostgreSQL keeps microseconds
        return repository.pool().withTransaction(conn -> repository.lockDue(conn, config.idleSeconds(), config.rootGraceMillis(), SWEEP_BATCH)
                        .compose(keys -> keys.isEmpty() ? Future.succeededFuture(0) : repository.events(conn, keys)
                                .compose(loaded -> vertx.executeBlocking(() -> assembleAll(keys, loaded), false)
                                        .compose(done -> {
                                            done.forEach(d -> completed.add(new TraceCompleted(d.getKey().projectId(), d.getKey().traceId(),
                                                    d.getKey().version(), now, d.getValue(),
                                                    TraceRepository.versionEvents(d.getKey(), d.getValue().events()))));
                                            return repository.markCompleted(conn, done, loaded, now);
                                        }))
                                .map(v -> keys.size())))
                .onSuccess(n -> completed.forEach(c -> vertx.eventBus().publish(Addresses.TRACE_COMPLETED, c)));
    }

    private static List<Map.Entry<TraceKey, AssembledTrace>> assembleAll(List<TraceKey> keys, TraceRepository.Loaded loaded) {
        List<Map.Entry<TraceKey, AssembledTrace>> done = new ArrayList<>(keys.size());
        for (TraceKey k : keys) {
            List<TraceEvent> list = loaded.of(k.projectId(), k.traceId());
            done.add(new AbstractMap.SimpleImmutableEntry<>(k, TraceAssembler.assemble(k.traceId(), list)));
        }
        return done;
    }

    private Future<TracePage> list(TraceListQuery q) {
        Optional<TraceCursor> after;
        try {
            after = q.cursor() == null ? Optional.empty() : Optional.of(TraceCursor.decode(q.cursor()));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new Failure(400, "invalid_cursor", "The cursor is not one this server returned").exception());
        }
        if (q.limit() < 1 || q.limit() > MAX_PAGE) {
            return Future.failedFuture(new Failure(400, "invalid_limit", "limit must be from 1 to " + MAX_PAGE).exception());
        }
        if (q.status() != null && !q.status().equals("pending") && !q.status().equals("completed")) {
            return Future.failedFuture(new Failure(400, "invalid_status", "status must be pending or completed").exception());
        }
        return repository.list(q, after).map(rows -> {
            boolean more = rows.size() > q.limit();
            List<TraceSummary> page = more ? rows.subList(0, q.limit()) : rows;
            String next = more ? new TraceCursor(page.get(page.size() - 1).lastSeen(), page.get(page.size() - 1).traceId()).encode() : null;
            return new TracePage(List.copyOf(page), next);
        });
    }

    private Future<TraceSummary> summary(TraceQuery q) {
        return repository.find(q.projectId(), q.traceId()).compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
                : Future.failedFuture(notFound(q)));
    }

    private static Failure.FailureException notFound(TraceQuery q) {
        return new Failure(404, "trace_not_found", "No trace '" + q.traceId() + "' in project '" + q.projectId() + "'").exception();
    }

    private Future<TraceDetail> get(TraceQuery q) {
        return repository.find(q.projectId(), q.traceId()).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(notFound(q));
            }
            TraceKey key = new TraceKey(q.projectId(), q.traceId(), found.get().version());
            return repository.events(repository.pool(), List.of(key))
                    .compose(loaded -> vertx.executeBlocking(() -> TraceAssembler.assemble(q.traceId(),
                            loaded.of(q.projectId(), q.traceId())), false))
                    .map(trace -> new TraceDetail(found.get(), trace));
        });
    }
}
