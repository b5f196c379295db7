package dev.prism.cluster;

import dev.prism.bus.ClusterCommand;
import dev.prism.bus.Failure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Re-clustering across instances sharing one database: a theme's run computes under {@link ThemeRunLock}, so one
 * instance at a time computes it; an automatic run finding the lock held, or finding that another instance stored a
 * run since this one last knew the theme, takes that run (its centroids, its place in the cadence) instead of
 * computing the same again. A run asked through the API waits for the lock and then computes. Runs that compute are
 * timed in {@code prism_cluster_run_seconds{theme}} and counted in
 * {@code prism_cluster_runs_total{result="computed|skipped|adopted"}}. Event-loop confined, like the {@link ThemeState}s it updates.
 */
final class ThemeRuns {

    private static final Logger LOG = LoggerFactory.getLogger(ThemeRuns.class);
    /** How long a run asked through the API waits for another instance's run of the theme to end. */
    static final long ASKED_WAIT_MILLIS = 10 * 60_000;

    private final ThemeRunLock lock;
    private final ClusterRepository repository;
    private final MeterRegistry registry;

    ThemeRuns(Vertx vertx, Pool pool, ClusterRepository repository, MeterRegistry registry) {
        this.lock = new ThemeRunLock(vertx, pool);
        this.repository = repository;
        this.registry = registry;
        // Each outcome at 0 from the start, so a dashboard shows them before the first run.
        for (String result : new String[]{"computed", "skipped", "adopted"}) {
            registry.counter(RUNS, "result", result);
        }
    }

    private static final String RUNS = "prism.cluster.runs";

    /**
     * One run of the theme across instances.
     *
     * @param asked asked through the API: waits for another instance's run and computes after it; otherwise skips
     */
    Future<ClusterCommand.RunResult> once(ThemeState s, boolean asked, Supplier<Future<ClusterCommand.RunResult>> compute) {
        long knownRun = s.runId;
        return lock.run(s.projectId, s.themeId, asked ? ASKED_WAIT_MILLIS : 0, () -> repository.lastRun(s.projectId, s.themeId).compose(last -> {
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
        })).compose(done -> {
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

    /** Takes the newest stored run when it is newer than the one the theme's centroids are from. */
    Future<Void> adoptStored(ThemeState s) {
        return repository.lastRun(s.projectId, s.themeId).compose(last -> last.isPresent() && last.get().runId() > s.runId
                ? adopt(s, last.get()) : Future.succeededFuture());
    }

    private Future<Void> adopt(ThemeState s, ClusterCommand.RunResult run) {
        return repository.centroids(s.projectId, s.themeId).map(List::copyOf).map(centroids -> {
            if (run.runId() > s.runId) {
                s.adopt(run, centroids);
                LOG.debug("Theme {} of {}: centroids of run {} stored by another instance", s.themeId, s.projectId, run.runId());
            }
            return (Void) null;
        });
    }

    /** computed here, skipped (another instance held the lock), adopted (another instance's run had landed). */
    private void count(String result) {
        registry.counter(RUNS, "result", result).increment();
    }

    private Timer timer(String themeId) {
        return Timer.builder("prism.cluster.run").description("Re-clustering runs this instance computed, per theme")
                .tag("theme", themeId).register(registry);
    }
}
