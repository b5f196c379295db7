package dev.prism.cluster;

import dev.prism.bus.ClusterCommand;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.Failure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A theme's runs as the instances sharing one database see them. A run computes inside a transaction holding
 * {@code pg_try_advisory_xact_lock} on the theme, so one instance at a time computes it. The lock ends with its
 * transaction, and a transaction with its connection: a crashed or partitioned holder releases it, and no pooled
 * connection goes back to the pool still holding it (a session lock would). The transaction takes no snapshot after
 * its first statement and writes nothing, so holding it while the run computes keeps back no vacuum; its single 64-bit
 * key space is apart from the two 32-bit keys of {@link ClusterRepository}'s write lock, so the holder's own store
 * transaction is not blocked by it.
 *
 * <p>An automatic run finding the lock held, or finding that another instance stored a run since this one last knew
 * the theme, takes that run (its centroids, its place in the cadence) instead of computing the same again. A run
 * asked through the API waits for the lock and then computes. Runs that compute are timed in
 * {@code prism_cluster_run_seconds{theme}}; outcomes counted in {@code prism_cluster_runs_total{result="computed|skipped|adopted"}}.
 * Event-loop confined, like the theme states it updates.
 */
final class ClusterRunsRepository {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRunsRepository.class);
    /** How long a run asked through the API waits for another instance's run of the theme to end. */
    static final long ASKED_WAIT_MILLIS = 10 * 60_000;
    /** How often a waiting run asks for the lock again. */
    static final long RETRY_MILLIS = 250;
    private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))";
    private static final String RUNS = "prism.cluster.runs";

    private final Vertx vertx;
    private final Pool pool;
    private final ClusterRepository repository;
    private final MeterRegistry registry;

    /** @param pool where run locks are taken: a run holds one of its connections while it computes */
    ClusterRunsRepository(Vertx vertx, Pool pool, ClusterRepository repository, MeterRegistry registry) {
        this.vertx = vertx;
        this.pool = pool;
        this.repository = repository;
        this.registry = registry;
        // Each outcome at 0 from the start, so a dashboard shows them before the first run.
        for (String result : new String[]{"computed", "skipped", "adopted"}) {
            registry.counter(RUNS, "result", result);
        }
    }

    static String lockKey(String projectId, String themeId) {
        return "prism.recluster\n" + projectId + "\n" + themeId;
    }

    /**
     * One run of the theme across instances.
     *
     * @param asked asked through the API: waits for another instance's run and computes after it; otherwise skips
     */
    Future<ClusterCommand.RunResult> once(ClusterVerticle.ThemeState s, boolean asked, Supplier<Future<ClusterCommand.RunResult>> compute) {
        long knownRun = s.runId;
        Promise<Optional<ClusterCommand.RunResult>> locked = Promise.promise();
        attempt(lockKey(s.projectId, s.themeId), System.currentTimeMillis() + (asked ? ASKED_WAIT_MILLIS : 0),
                () -> (asked ? Future.succeededFuture(Optional.<ClusterCommand.RunResult>empty()) : repository.lastRun(s.projectId, s.themeId)).compose(last -> {
                    if (!asked && last.isPresent() && last.get().runId() > knownRun) {
                        LOG.debug("Theme {} of {}: run {} of another instance landed since this one was due; taken instead of computing again",
                                s.themeId, s.projectId, last.get().runId());
                        count("adopted");
                        return adopt(s, last.get()).map(last.get());
                    }
                    return compute.get().onSuccess(r -> {
                        count("computed");
                        timer(s.themeId).record(r.elapsedMillis(), TimeUnit.MILLISECONDS);
                    });
                }), locked);
        return locked.future().compose(done -> {
            if (done.isPresent()) {
                return Future.succeededFuture(done.get());
            }
            LOG.debug("Theme {} of {}: another instance is re-clustering it; this one skips and takes its run when it lands", s.themeId,
                    s.projectId);
            count("skipped");
            return repository.lastRun(s.projectId, s.themeId).compose(last -> last.isPresent() ? Future.succeededFuture(last.get())
                    : Future.failedFuture(new Failure(409, "cluster_run_elsewhere", "another instance is re-clustering theme " + s.themeId)
                    .exception()));
        });
    }

    /** Runs {@code work} holding the theme's run lock; empty when another instance held it until {@code deadline}. */
    private <T> void attempt(String key, long deadline, Supplier<Future<T>> work, Promise<Optional<T>> out) {
        AtomicReference<Future<T>> done = new AtomicReference<>();
        pool.withTransaction(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(key)).compose(rows -> {
            if (!Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
                return Future.succeededFuture(Optional.<T>empty());
            }
            Future<T> result = work.get();
            done.set(result);
            return result.map(Optional::of);
        })).onComplete(ar -> {
            Future<T> result = done.get();
            if (ar.failed() && result != null && result.succeeded()) {
                // The run stored its result in a transaction of its own: a lock connection lost meanwhile changes nothing.
                out.complete(Optional.of(result.result()));
            } else if (ar.succeeded() && ar.result().isEmpty() && System.currentTimeMillis() < deadline) {
                vertx.setTimer(RETRY_MILLIS, id -> attempt(key, deadline, work, out));
            } else {
                out.handle(ar);
            }
        });
    }

    /** Takes the newest stored run when it is newer than the one the theme's centroids are from. */
    Future<Void> adoptStored(ClusterVerticle.ThemeState s) {
        return repository.lastRun(s.projectId, s.themeId).compose(last -> last.isPresent() && last.get().runId() > s.runId
                ? adopt(s, last.get()) : Future.succeededFuture());
    }

    /**
     * Takes a run another instance stored: its centroids and cadence, as if this instance had run it; the placements
     * written since it started go back to the front of the queue.
     */
    private Future<Void> adopt(ClusterVerticle.ThemeState s, ClusterCommand.RunResult run) {
        return repository.centroids(s.projectId, s.themeId).map(centroids -> {
            if (run.runId() <= s.runId) {
                return (Void) null;
            }
            s.centroids = List.copyOf(centroids);
            s.runId = run.runId();
            s.size = run.items();
            long end = run.at().toEpochMilli();
            s.lastRunEnd = Math.max(s.lastRunEnd, end);
            s.lastRunMillis = run.elapsedMillis();
            s.fresh = 0;
            // A second of slack for clocks of instances that differ a little.
            List<EmbeddingCreated> again = s.placed.since(end - run.elapsedMillis() - 1_000);
            for (int i = again.size() - 1; i >= 0; i--) {
                s.waiting.addFirst(again.get(i));
            }
            LOG.debug("Theme {} of {}: centroids of run {} stored by another instance; {} placements made again", s.themeId, s.projectId,
                    run.runId(), again.size());
            return (Void) null;
        });
    }

    private void count(String result) {
        registry.counter(RUNS, "result", result).increment();
    }

    private Timer timer(String themeId) {
        return Timer.builder("prism.cluster.run").description("Re-clustering runs this instance computed, per theme")
                .tag("theme", themeId).register(registry);
    }
}
