package dev.prism.theme;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.RelevanceBackfill;
import dev.prism.bus.RunTasks;
import dev.prism.bus.ThemeCommand;
import dev.prism.config.PrismConfig;
import dev.prism.lifecycle.Pace;
import dev.prism.lifecycle.Quiescent;
import dev.prism.store.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net of streaming dispatch, which hands traces to analysis in memory: every {@link #SWEEP_MILLIS} it takes
 * completed versions not yet marked handled, once they have settled, scores the ones streaming never scored, runs the
 * enabled themes' filters over them again (in SQL, which agrees with the in-memory evaluation) and sampling, queues
 * their analyses and marks the versions. Queueing is idempotent, so a trace streaming already handled costs one filter
 * query and nothing more. While ingestion is busy the sweep waits ({@link Pace}).
 *
 * <p>Consumes {@value Addresses#THEME_CHANGED}; sends {@value Addresses#RELEVANCE_BACKFILL} and
 * {@value Addresses#ANALYSIS_ENQUEUE}. Event loop only. Quiescent: a sweep in progress ends before analysis is undeployed.
 */
public final class DispatchSweepVerticle extends VerticleBase implements Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(DispatchSweepVerticle.class);
    private final OutageLog sweepLog = new OutageLog(LOG, "Dispatch sweep");

    static final long SWEEP_MILLIS = 10_000;
    /** A trace completed this recently is still in the streaming path; the sweep leaves it alone. */
    static final int SWEEP_SETTLE_SECONDS = 30;
    static final int SWEEP_BATCH = 500;
    private static final int BACKFILL_PARALLELISM = 4;

    private final ThemeRepository repository;
    private final DispatchPlanCache plans;
    private final PrismConfig.Ingest ingest;
    private final long sweepMillis;
    private final int settleSeconds;
    private Pace pace;
    private MessageConsumer<ThemeCommand.Changed> changed;
    private long sweepTimer = -1;
    private boolean sweeping;
    private boolean stopping;
    private Future<Integer> currentSweep = Future.succeededFuture(0);

    /** @param ingest how the sweep yields to ingestion */
    public DispatchSweepVerticle(Pool pool, PrismConfig.Ingest ingest) {
        this(pool, ingest, SWEEP_MILLIS, SWEEP_SETTLE_SECONDS);
    }

    /** With another cadence and settling time, for tests that cannot wait half a minute. */
    DispatchSweepVerticle(Pool pool, PrismConfig.Ingest ingest, long sweepMillis, int settleSeconds) {
        this.repository = new ThemeRepository(pool, pool); // no REST statement runs here
        this.plans = new DispatchPlanCache(repository);
        this.ingest = ingest;
        this.sweepMillis = sweepMillis;
        this.settleSeconds = settleSeconds;
    }

    @Override
    public Future<?> start() {
        pace = Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        changed = vertx.eventBus().consumer(Addresses.THEME_CHANGED, msg -> plans.forget(msg.body().projectId()));
        sweepTimer = vertx.setPeriodic(sweepMillis, id -> sweep());
        return changed.completion();
    }

    private void sweep() {
        if (sweeping || stopping || !pace.mayStart()) {
            return; // while ingestion is busy the sweep's filter queries wait (the timer comes back)
        }
        sweeping = true;
        currentSweep = repository.undispatched(SWEEP_BATCH, settleSeconds).compose(traces -> {
            Map<String, List<ThemeRepository.Undispatched>> byProject = new LinkedHashMap<>();
            traces.forEach(t -> byProject.computeIfAbsent(t.projectId(), k -> new ArrayList<>()).add(t));
            Future<Void> chain = Future.succeededFuture();
            for (var entry : byProject.entrySet()) {
                chain = chain.compose(v -> scoreUnscored(entry.getValue()))
                        .compose(v -> filterAndQueue(entry.getKey(), entry.getValue()))
                        .compose(v -> repository.markDispatched(entry.getValue()));
            }
            return chain.map(v -> traces.size());
        });
        currentSweep.onComplete(ar -> {
            sweeping = false;
            if (ar.failed()) {
                sweepLog.failed(ar.cause()); // nothing was marked: the next sweep takes the same traces
                return;
            }
            sweepLog.succeeded();
            if (ar.result() == SWEEP_BATCH) {
                vertx.runOnContext(v -> sweep()); // more waiting
            }
        });
    }

    /**
     * Traces streaming never scored (a stop between rendering and scoring, or the format stage leaving a burst to this
     * sweep) are scored before the filters run, since an unscored trace passes every built-in pre-filter. A few at a
     * time; one that still cannot be scored (the embedding model busy for half a minute) goes through unscored, as in
     * streaming: a trace is never held back.
     */
    private Future<Void> scoreUnscored(List<ThemeRepository.Undispatched> traces) {
        List<ThemeRepository.Undispatched> unscored = traces.stream().filter(t -> !t.scored()).toList();
        Future<Void> chain = Future.succeededFuture();
        for (int from = 0; from < unscored.size(); from += BACKFILL_PARALLELISM) {
            List<ThemeRepository.Undispatched> group = unscored.subList(from, Math.min(unscored.size(), from + BACKFILL_PARALLELISM));
            chain = chain.compose(v -> Future.join(group.stream()
                    .map(t -> vertx.eventBus().request(Addresses.RELEVANCE_BACKFILL, new RelevanceBackfill(t.projectId(), t.traceId(), t.version()))
                            .onFailure(e -> LOG.debug("Trace {} v{} swept without relevance scores: {}", t.traceId(), t.version(), e.toString())))
                    .toList()).<Void>mapEmpty().recover(e -> Future.succeededFuture()));
        }
        return chain;
    }

    private Future<Void> filterAndQueue(String projectId, List<ThemeRepository.Undispatched> traces) {
        List<String> ids = traces.stream().map(ThemeRepository.Undispatched::traceId).toList();
        Map<String, List<String>> versionEvents = new HashMap<>();
        // By trace and version: a trace that completed another version since it was read is treated as new content.
        traces.forEach(t -> versionEvents.put(t.traceId() + '\n' + t.version(), t.versionEvents()));
        return plans.plan(projectId).compose(plan -> {
            List<Future<?>> queued = new ArrayList<>();
            for (DispatchPlanCache.PlannedTheme p : plan.themes()) {
                AnalysisTheme theme = p.theme();
                Filters base = new Filters.Group(false, List.of(plan.project(), p.base()));
                queued.add(repository.candidatesAmong(projectId, ids, base, p.filters()).compose(candidates -> {
                    // As streaming dispatch decides: a version that brought nothing the theme reads keeps its earlier summary.
                    Map<Boolean, List<RunTasks.TraceRef>> byKeep = candidates.stream()
                            .filter(c -> Sampler.sampled(theme.sampleSeed(), c.traceId(), theme.sampleRate()))
                            .collect(Collectors.partitioningBy(
                                    c -> !Reanalysis.reanalyses(Reanalysis.change(c.version(), versionEvents.get(c.traceId() + '\n' + c.version())),
                                            theme.themeId(), theme.builtIn()),
                                    Collectors.mapping(c -> new RunTasks.TraceRef(c.traceId(), c.version()), Collectors.toList())));
                    List<Future<?>> requests = new ArrayList<>();
                    for (boolean keep : new boolean[]{false, true}) {
                        if (!byKeep.get(keep).isEmpty()) {
                            requests.add(vertx.eventBus().request(Addresses.ANALYSIS_ENQUEUE, new RunTasks.Enqueue(null, projectId,
                                    theme.themeId(), theme.promptVersion(), byKeep.get(keep), keep)));
                        }
                    }
                    return Future.all(requests);
                }));
            }
            return Future.all(queued).mapEmpty();
        });
    }

    @Override
    public Future<Void> quiesce() {
        return Quiescent.onContext(context, () -> {
            stopping = true;
            vertx.cancelTimer(sweepTimer);
            return currentSweep.otherwiseEmpty();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        vertx.cancelTimer(sweepTimer);
        return changed == null ? Future.succeededFuture() : changed.unregister();
    }
}
