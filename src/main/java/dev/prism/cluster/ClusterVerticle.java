package dev.prism.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.Failure;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.LlmCompletion;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.TraceFacts;
import dev.prism.config.PrismConfig;
import dev.prism.store.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clusters each theme's summary embeddings and keeps the clusters current.
 *
 * <p>Streaming: every new vector joins the nearest active cluster of its theme within the theme's {@code max_distance},
 * or stays unassigned ("Other") until the next run; its cluster's new state is published. One writer per theme:
 * assignments queue and are written in batches, never while a run stores, and failed batches are retried.
 * Re-clustering per theme (snapshot of the theme's vectors → {@link Recluster} on the one-thread {@code prism-cluster}
 * pool → one transaction) runs once the new summaries reach {@code cluster.refreshAfter} and {@code cluster.refreshShare}
 * of the theme (a theme without clusters yet: twice its {@code min_cluster_size}, so the first clusters come within a
 * minute of traffic), every {@code cluster.refreshMinutes} for themes with new summaries, and on demand; automatic runs go one
 * at a time, {@code cluster.minIntervalSeconds} and nine run durations apart per theme, and yield to busy ingestion;
 * runs of one theme never overlap (a request during a run gets the next one). Cluster ids survive runs
 * ({@link ClusterMatcher}); names are made again only for new clusters and material changes.
 *
 * <p>A trace is a member once, by its latest version: a later version's vector replaces the earlier one's membership,
 * and a later version without a vector ({@value Addresses#EMBEDDING_REMOVED}) takes the trace out of the theme's
 * members, after the theme's assignment writes under way and again after a run under way.
 *
 * <p>Consumes {@value Addresses#EMBEDDING_CREATED}, {@value Addresses#EMBEDDING_REMOVED} and {@value Addresses#CLUSTER_REFRESH}; sends
 * {@value Addresses#THEME_GET}, {@value Addresses#EMBED_SNAPSHOT}, {@value Addresses#TRACE_FACTS} and
 * {@value Addresses#SUMMARY_LIST}; publishes {@value Addresses#CLUSTER_UPDATED} ({@link LiveEvent}s of type
 * {@code cluster.updated}, keyed by cluster id).
 */
public final class ClusterVerticle extends VerticleBase implements dev.prism.lifecycle.Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterVerticle.class);
    private final OutageLog assignLog = new OutageLog(LOG, "Streaming cluster assignment");
    private final OutageLog refreshLog = new OutageLog(LOG, "Re-clustering");
    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    /** The one-thread pool runs compute on (map projections share it). */
    static final String WORKERS = "prism-cluster";
    private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(120_000);
    /** Assignments of one theme written in one transaction, at most. */
    static final int ASSIGN_BATCH = 500;
    /** A failed assignment write is retried this many times (with backoff) before its theme is left to the next run. */
    static final int ASSIGN_ATTEMPTS = 10;
    /** Automatic runs of a theme take at most a tenth of the time: the pause after a run is nine times its duration. */
    static final int DUTY_FACTOR = 9;

    private final ClusterRepository repository;
    private final io.vertx.pgclient.PgConnectOptions lockOptions;
    /** Connections that hold run locks, apart from the pool the stages share: a run holds one while it computes. */
    private Pool lockPool;
    private final dev.prism.metrics.Metrics metrics;
    private ClusterRunsRepository runs;
    private final PrismConfig.Cluster config;
    private final PrismConfig.Ingest ingest;
    private final Map<String, ThemeState> themes = new HashMap<>();
    /** Themes due for an automatic run, oldest request first; runs one at a time over all themes. */
    private final java.util.LinkedHashSet<ThemeState> autoQueue = new java.util.LinkedHashSet<>();
    private boolean autoRunning;
    private long autoTimer = -1;
    private dev.prism.bus.Verbs verbs;
    private Parallel parallel;
    private io.vertx.core.WorkerExecutor workers;
    private dev.prism.lifecycle.Pace pace;
    private long timer = -1;
    private boolean stopping;

    /** What the event loop keeps of a theme between runs. */
    static final class ThemeState {
        final String projectId;
        final String themeId;
        Future<Void> loaded;
        List<ClusterRepository.Centroid> centroids = List.of();
        /** The stored run the centroids are from (0: none yet); a write finding a later one places its batch again. */
        long runId;
        double maxDistance = ClusteringConfig.DEFAULTS.maxDistance();
        /** The theme's {@code min_cluster_size}: twice this many summaries make its first run worth it. */
        int minClusterSize = ClusteringConfig.DEFAULTS.minClusterSize();
        /** New summaries since the last run started. */
        int fresh;
        boolean dirty;
        /** Summaries in the last run: the theme's size, which sets how many new ones make a run worth it. */
        int size;
        /** End (epoch ms) and duration of the last run, for the automatic cadence. */
        long lastRunEnd;
        long lastRunMillis;
        boolean autoQueued;
        Future<ClusterCommand.RunResult> running;
        Future<ClusterCommand.RunResult> queued;
        /**
         * One writer per theme: assignments wait here and leave in batches, never while a run stores its result.
         * Run and assignments used to write in separate transactions that locked members and clusters in opposite
         * orders, and PostgreSQL broke the resulting deadlocks by failing one of them.
         */
        final java.util.ArrayDeque<EmbeddingCreated> waiting = new java.util.ArrayDeque<>();
        boolean writing;
        boolean saving;
        Future<Void> lastWrite = Future.succeededFuture();
        int failures;
        long retryTimer = -1;
        /** Assignments written while a run computed: made against the old centroids, so made again after it stored. */
        List<EmbeddingCreated> duringRun;
        /** Placements written lately, placed again when another instance's run that computed meanwhile is found. */
        final RecentPlacements placed = new RecentPlacements();

        ThemeState(String projectId, String themeId) {
            this.projectId = projectId;
            this.themeId = themeId;
        }
    }

    /** @param lockOptions how to connect for the run locks, which hold a connection of their own while a run computes */
    public ClusterVerticle(Pool pool, io.vertx.pgclient.PgConnectOptions lockOptions, PrismConfig.Cluster config, PrismConfig.Ingest ingest,
                           dev.prism.metrics.Metrics metrics) {
        this.repository = new ClusterRepository(pool);
        this.lockOptions = lockOptions;
        this.metrics = metrics;
        this.config = config;
        this.ingest = ingest;
    }

    @Override
    public Future<?> start() {
        // One run computes at a time, on config.threads threads: the other cores stay with ingestion.
        workers = vertx.createSharedWorkerExecutor(WORKERS, 1);
        lockPool = io.vertx.pgclient.PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(2))
                .connectingTo(new io.vertx.pgclient.PgConnectOptions(lockOptions).addProperty("application_name", "prism-cluster-lock"))
                .using(vertx).build();
        runs = new ClusterRunsRepository(vertx, lockPool, repository, metrics.registry());
        parallel = config.threads() <= 1 ? Parallel.sequential() : Parallel.of(java.util.concurrent.ForkJoinPool.commonPool(), config.threads());
        pace = dev.prism.lifecycle.Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        var created = vertx.eventBus().<EmbeddingCreated>consumer(Addresses.EMBEDDING_CREATED, msg -> assign(msg.body()));
        var removed = vertx.eventBus().<dev.prism.bus.EmbeddingRemoved>consumer(Addresses.EMBEDDING_REMOVED, msg -> unassign(msg.body()));
        verbs = new dev.prism.bus.Verbs(vertx).on(Addresses.CLUSTER_REFRESH, (ClusterCommand.Refresh r) ->
                theme(r.projectId(), r.themeId()).compose(t -> refresh(state(r.projectId(), r.themeId()), true)));
        if (config.refreshMinutes() > 0) {
            timer = vertx.setPeriodic(config.refreshMinutes() * 60_000L, id -> refreshDirty());
        }
        return Future.all(created.completion(), removed.completion(), verbs.ready()).compose(v -> restoreFresh());
    }

    /** The "re-cluster needed" counters as the last stop or crash left them, read back from the stored members. */
    private Future<Void> restoreFresh() {
        return repository.freshSinceLastRun().map(all -> {
            for (ClusterRepository.Fresh f : all) {
                ThemeState s = state(f.projectId(), f.themeId());
                s.fresh += f.count();
                s.dirty = true;
            }
            if (!all.isEmpty()) {
                LOG.info("{} themes have summaries not re-clustered yet", all.size());
            }
            return (Void) null;
        });
    }

    /**
     * No new automatic run; the running ones land, and the waiting assignments are written while the features they
     * need (trace figures, the store) are still there.
     */
    @Override
    public Future<Void> quiesce() {
        return dev.prism.lifecycle.Quiescent.onContext(context, () -> {
            stopping = true;
            cancelTimers();
            return settle(3);
        });
    }

    /** Waits for runs and writes, then writes what still waits, a few rounds at most (a failing store ends it). */
    private Future<Void> settle(int rounds) {
        return Future.join(inFlight()).<Void>mapEmpty().otherwiseEmpty().compose(v -> {
            boolean more = false;
            for (ThemeState s : themes.values()) {
                if (!s.waiting.isEmpty() && !s.writing && !s.saving) {
                    drain(s);
                    more = true;
                }
            }
            if (!more) {
                return Future.succeededFuture();
            }
            return rounds > 0 ? settle(rounds - 1) : Future.join(inFlight()).<Void>mapEmpty().otherwiseEmpty();
        });
    }

    /** Set once stopping has settled: nothing is written any more. */
    private boolean closed;

    @Override
    public Future<?> stop() {
        stopping = true;
        cancelTimers();
        // Embedding stops before clustering and publishes what it embeds while it stops: written here, while the store
        // is still open. A run in progress stores in one transaction: it lands too.
        return settle(3).eventually(() -> {
            // From here on no new assignment write starts (a finished write would chain the next one): the trace
            // feature it asks for figures is undeployed right after this verticle.
            closed = true;
            return Future.join(inFlight()).otherwiseEmpty();
        }).eventually(() -> {
            int left = themes.values().stream().mapToInt(s -> s.waiting.size()).sum();
            if (left > 0) {
                // Their vectors are stored: the themes' next runs place them.
                LOG.warn("Stopping with {} cluster assignments not written; the themes' next runs place them", left);
            }
            pace.close();
            return verbs.close().eventually(() -> workers.close()).eventually(() -> lockPool.close());
        });
    }

    private void cancelTimers() {
        vertx.cancelTimer(timer);
        vertx.cancelTimer(autoTimer);
        themes.values().forEach(s -> {
            vertx.cancelTimer(s.retryTimer);
            s.retryTimer = -1;
        });
    }

    private List<Future<?>> inFlight() {
        List<Future<?>> out = new ArrayList<>();
        themes.values().forEach(s -> {
            if (s.running != null) {
                out.add(s.running);
            }
            if (s.queued != null) {
                out.add(s.queued);
            }
            out.add(s.lastWrite);
        });
        return out;
    }

    private ThemeState state(String projectId, String themeId) {
        return themes.computeIfAbsent(projectId + "\n" + themeId, k -> new ThemeState(projectId, themeId));
    }

    /** The active centroids, the theme's max distance and its last run, read once per theme (runs replace them). */
    private Future<Void> loaded(ThemeState s) {
        if (s.loaded == null) {
            Future<ClusteringConfig> clustering = theme(s.projectId, s.themeId).map(ClusterVerticle::config)
                    .otherwise(ClusteringConfig.DEFAULTS);
            var last = repository.lastRun(s.projectId, s.themeId);
            s.loaded = Future.all(repository.centroids(s.projectId, s.themeId), clustering, last).map(all -> {
                if (s.running == null && s.lastRunEnd == 0) { // a run that finished meanwhile has newer ones
                    s.centroids = all.resultAt(0);
                    last.result().ifPresent(r -> {
                        s.runId = r.runId();
                        s.size = r.items();
                        s.lastRunEnd = r.at().toEpochMilli();
                        s.lastRunMillis = r.elapsedMillis();
                    });
                }
                ClusteringConfig cfg = all.resultAt(1);
                s.maxDistance = cfg.maxDistance();
                s.minClusterSize = cfg.minClusterSize();
                return (Void) null;
            }).onFailure(e -> s.loaded = null);
            // The summaries that arrived while the theme loaded may already be enough for its first clusters.
            s.loaded.onSuccess(v -> maybeRefresh(s));
        }
        return s.loaded;
    }

    // ---- streaming assignment

    private void assign(EmbeddingCreated e) {
        ThemeState s = state(e.projectId(), e.themeId());
        s.fresh++;
        s.dirty = true;
        s.waiting.add(e);
        drain(s);
        maybeRefresh(s);
    }

    /**
     * Takes a superseded trace out of the theme's members: earlier versions still waiting are dropped, and the stored
     * membership is deleted after the write under way (which may hold it), and again after a run under way (whose
     * snapshot may have been taken before the vector left).
     */
    private void unassign(dev.prism.bus.EmbeddingRemoved e) {
        ThemeState s = state(e.projectId(), e.themeId());
        java.util.function.Predicate<EmbeddingCreated> earlier = w -> w.traceId().equals(e.traceId()) && w.traceVersion() < e.supersededBy();
        s.waiting.removeIf(earlier);
        s.placed.forget(earlier);
        if (s.duringRun != null) {
            s.duringRun.removeIf(earlier);
        }
        if (closed) {
            return;
        }
        Future<Void> removal = s.lastWrite.compose(v -> remove(e));
        s.lastWrite = removal.otherwiseEmpty();
        if (s.running != null) {
            s.running.onComplete(ar -> {
                if (!closed) {
                    remove(e);
                }
            });
        }
    }

    private Future<Void> remove(dev.prism.bus.EmbeddingRemoved e) {
        return repository.unassign(e.projectId(), e.themeId(), e.traceId(), e.supersededBy())
                .onSuccess(left -> left.filter(c -> !c.isEmpty()).ifPresent(clusterId -> publish(e.projectId(), e.themeId(), clusterId,
                        MAPPER.createObjectNode().put("cluster_id", clusterId).put("event", "unassigned").put("trace_id", e.traceId()))))
                .onFailure(err -> LOG.warn("Could not take superseded trace {} out of the clusters of theme {}; the theme's next run does: {}",
                        e.traceId(), e.themeId(), err.toString()))
                .<Void>mapEmpty().otherwiseEmpty();
    }

    /**
     * Writes the theme's waiting assignments, a batch at a time, each against the centroids current when it is written.
     * A failed batch goes back to the front of the queue and is tried again after a backoff; never dropped.
     */
    private void drain(ThemeState s) {
        if (closed || s.writing || s.saving || s.retryTimer >= 0 || s.waiting.isEmpty()) {
            return;
        }
        s.writing = true;
        List<EmbeddingCreated> batch = new ArrayList<>();
        while (!s.waiting.isEmpty() && batch.size() < ASSIGN_BATCH) {
            batch.add(s.waiting.poll());
        }
        Future<Void> write = loaded(s).compose(v -> {
            List<ClusterRepository.Centroid> centroids = s.centroids;
            List<float[]> vectors = centroids.stream().map(ClusterRepository.Centroid::centroid).toList();
            List<ClusterRepository.Assignment> rows = new ArrayList<>(batch.size());
            for (EmbeddingCreated e : batch) {
                int nearest = NearestCentroid.nearest(e.vector(), vectors, s.maxDistance);
                rows.add(new ClusterRepository.Assignment(e.traceId(), e.traceVersion(), nearest < 0 ? null : centroids.get(nearest).id(),
                        nearest < 0 ? null : NearestCentroid.cosineDistance(e.vector(), centroids.get(nearest).centroid()),
                        e.createdAt() == null ? Instant.now() : e.createdAt()));
            }
            long placedWith = s.runId;
            return facts(s.projectId, batch.stream().map(EmbeddingCreated::traceId).distinct().toList())
                    .compose(facts -> repository.assign(s.projectId, s.themeId, rows, facts, placedWith))
                    .compose(written -> written ? Future.succeededFuture(true) : runs.adoptStored(s).map(false))
                    .map(written -> {
                        if (!written) {
                            // Another instance stored a run: placed again, first in line, with its centroids.
                            for (int i = batch.size() - 1; i >= 0; i--) {
                                s.waiting.addFirst(batch.get(i));
                            }
                            return (Void) null;
                        }
                        s.placed.add(batch, System.currentTimeMillis());
                        for (ClusterRepository.Assignment a : rows) {
                            if (a.clusterId() != null) {
                                ObjectNode data = MAPPER.createObjectNode().put("cluster_id", a.clusterId()).put("event", "assigned")
                                        .put("trace_id", a.traceId()).put("distance", a.distance());
                                publish(s.projectId, s.themeId, a.clusterId(), data);
                            }
                        }
                        return (Void) null;
                    });
        });
        s.lastWrite = write.otherwiseEmpty();
        write.onComplete(ar -> {
            s.writing = false;
            if (ar.succeeded()) {
                assignLog.succeeded();
                s.failures = 0;
                if (s.duringRun != null) {
                    s.duringRun.addAll(batch);
                }
            } else {
                s.failures++;
                if (s.failures >= ASSIGN_ATTEMPTS) {
                    // Not lost: the vectors are stored, and the theme's next run places every one of them.
                    LOG.warn("Could not assign {} traces of theme {} to clusters after {} attempts; the theme's next run places them: {}",
                            batch.size(), s.themeId, s.failures, ar.cause().toString());
                    s.failures = 0;
                    s.dirty = true;
                } else {
                    for (int i = batch.size() - 1; i >= 0; i--) {
                        s.waiting.addFirst(batch.get(i));
                    }
                    if (stopping) {
                        return; // no timers once stopping: quiesce tries again, stop() reports what is left
                    }
                    long delay = Math.min(30_000, 250L << Math.min(7, s.failures));
                    if (dev.prism.store.StoreErrors.unavailable(ar.cause())) {
                        assignLog.failed(ar.cause()); // once per outage, not once per retry
                    } else {
                        LOG.warn("Could not assign {} traces of theme {} to clusters (attempt {}), again in {} ms: {}", batch.size(), s.themeId,
                                s.failures, delay, ar.cause().toString());
                    }
                    s.retryTimer = vertx.setTimer(delay, id -> {
                        s.retryTimer = -1;
                        drain(s);
                    });
                    return;
                }
            }
            drain(s);
        });
    }

    /**
     * Asks for an automatic run once the new summaries are at least {@code cluster.refreshAfter} and
     * {@code cluster.refreshShare} of the theme: a theme of 50,000 summaries does not re-cluster for every 50 new ones.
     * A theme without clusters yet runs as soon as it has twice its {@code min_cluster_size} new summaries (or
     * {@code cluster.refreshAfter}, when that is fewer), enough for two clusters or one and its contrast, so a new user
     * sees clusters within a minute of traffic rather than after 50 summaries or {@code cluster.refreshMinutes}.
     */
    private void maybeRefresh(ThemeState s) {
        if (config.refreshAfter() <= 0 || s.running != null || s.autoQueued || stopping) {
            return;
        }
        long needed = withoutClusters(s) ? Math.min(config.refreshAfter(), 2L * s.minClusterSize) : config.refreshAfter();
        if (s.fresh >= Math.max(needed, (long) Math.ceil(config.refreshShare() * s.size))) {
            enqueueAuto(s);
        }
    }

    /** The theme is loaded and has no active cluster: its first clusters are still to come. */
    private static boolean withoutClusters(ThemeState s) {
        return s.loaded != null && s.loaded.succeeded() && s.centroids.isEmpty();
    }

    private void refreshDirty() {
        for (ThemeState s : new ArrayList<>(themes.values())) {
            if (s.dirty && s.running == null) {
                enqueueAuto(s);
            }
        }
    }

    private void enqueueAuto(ThemeState s) {
        if (!s.autoQueued && !stopping) {
            s.autoQueued = true;
            autoQueue.add(s);
            pumpAuto();
        }
    }

    /** When an automatic run of this theme may start: its pause after the last run is over. */
    private long notBefore(ThemeState s) {
        return s.lastRunEnd == 0 ? 0 : s.lastRunEnd + Math.max(config.minIntervalSeconds() * 1000L, DUTY_FACTOR * s.lastRunMillis);
    }

    /**
     * Starts the next due automatic run, one at a time over all themes (a burst of traffic into many themes queues
     * runs instead of starting them all), and not while ingestion is busy, beyond one per {@code ingest.yieldMillis}.
     */
    private void pumpAuto() {
        if (autoRunning || autoQueue.isEmpty() || autoTimer >= 0 || stopping) {
            return;
        }
        long now = System.currentTimeMillis();
        ThemeState next = null;
        long soonest = Long.MAX_VALUE;
        for (ThemeState s : autoQueue) {
            long at = notBefore(s);
            if (at <= now) {
                next = s;
                break;
            }
            soonest = Math.min(soonest, at);
        }
        long wait = next == null ? soonest - now : pace.mayStart() ? 0 : pace.retryMillis();
        if (wait > 0) {
            autoTimer = vertx.setTimer(Math.max(1, wait), id -> {
                autoTimer = -1;
                pumpAuto();
            });
            return;
        }
        ThemeState s = next;
        autoQueue.remove(s);
        s.autoQueued = false;
        if (s.running != null) {
            pumpAuto(); // a manual run is under way and takes the new summaries with it
            return;
        }
        autoRunning = true;
        refresh(s, false).onComplete(ar -> {
            autoRunning = false;
            if (ar.failed()) {
                refreshFailed(s, ar.cause());
            }
            pumpAuto();
        });
    }

    // ---- re-clustering

    private void refreshFailed(ThemeState s, Throwable err) {
        if (dev.prism.store.StoreErrors.unavailable(err)) {
            s.dirty = true; // begin() cleared it: marked again, the next refresh round runs it once the store answers
            refreshLog.failed(err);
        } else {
            LOG.warn("Re-clustering theme {} of {} failed: {}", s.themeId, s.projectId, err.toString());
        }
    }

    /** Runs now, or once the running run of the theme ended; everyone asking meanwhile shares that next run. */
    private Future<ClusterCommand.RunResult> refresh(ThemeState s, boolean asked) {
        if (s.queued != null) {
            return s.queued;
        }
        if (s.running != null) {
            Promise<ClusterCommand.RunResult> next = Promise.promise();
            s.queued = next.future();
            s.running.onComplete(ar -> {
                s.queued = null;
                begin(s, asked).onComplete(next);
            });
            return next.future();
        }
        return begin(s, asked);
    }

    private Future<ClusterCommand.RunResult> begin(ThemeState s, boolean asked) {
        s.fresh = 0;
        s.dirty = false;
        s.duringRun = new ArrayList<>();
        Future<ClusterCommand.RunResult> run = runs.once(s, asked, () -> run(s));
        s.running = run;
        run.onComplete(ar -> {
            s.lastRunEnd = System.currentTimeMillis();
            if (ar.succeeded()) {
                s.lastRunMillis = ar.result().elapsedMillis();
            }
            if (s.running == run) {
                s.running = null;
            }
            s.duringRun = null;
            drain(s);
            maybeRefresh(s);
        });
        return run;
    }

    private Future<ClusterCommand.RunResult> run(ThemeState s) {
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        String project = s.projectId;
        String themeId = s.themeId;
        return theme(project, themeId).compose(theme -> {
            ClusteringConfig cfg;
            try {
                cfg = config(theme);
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(new Failure(400, "invalid_clustering_config", "clustering_config of theme " + themeId + ": "
                        + e.getMessage()).exception());
            }
            s.maxDistance = cfg.maxDistance();
            s.minClusterSize = cfg.minClusterSize();
            return vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot(project, themeId), SLOW)
                    .compose(snap -> {
                        List<EmbedSnapshot.Item> vectors = snap.body().items();
                        List<String> ids = vectors.stream().map(EmbedSnapshot.Item::traceId).toList();
                        Future<Map<String, TraceFacts.Fact>> facts = facts(project, ids);
                        Future<Map<String, SummaryCreated>> texts = vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST,
                                        new SummaryQuery(project, themeId, true, null, null, 1_000), SLOW)
                                .map(r -> {
                                    Map<String, SummaryCreated> byTrace = new HashMap<>();
                                    // newest first: the first of a trace is its latest version
                                    r.body().results().forEach(x -> byTrace.putIfAbsent(x.traceId(), x));
                                    return byTrace;
                                })
                                .otherwise(err -> {
                                    LOG.warn("No summary texts to name the clusters of theme {}: {}", themeId, err.toString());
                                    return Map.of();
                                });
                        Future<List<Recluster.Known>> known = repository.known(project, themeId);
                        Future<List<Recluster.Known>> ended = repository.ended(project, themeId);
                        Future<Map<String, Instant>> times = repository.memberTimes(project, themeId);
                        return Future.all(List.of(facts, texts, known, ended, times)).compose(all -> {
                            Map<String, TraceFacts.Fact> f = facts.result();
                            Map<String, SummaryCreated> t = texts.result();
                            Map<String, Instant> memberAt = new HashMap<>(times.result());
                            List<Recluster.Item> items = new ArrayList<>(vectors.size());
                            for (EmbedSnapshot.Item v : vectors) {
                                TraceFacts.Fact fact = f.get(v.traceId());
                                SummaryCreated summary = t.get(v.traceId());
                                String text = summary == null ? null : (summary.title() == null ? "" : summary.title()) + "\n"
                                        + (summary.summary() == null ? "" : summary.summary());
                                items.add(new Recluster.Item(v.traceId(), v.traceVersion(), v.vector(), fact == null ? null : fact.distinctId(), text,
                                        summary == null ? null : summary.title()));
                                if (!memberAt.containsKey(v.traceId()) && summary != null && summary.createdAt() != null) {
                                    memberAt.put(v.traceId(), summary.createdAt());
                                }
                            }
                            return workers.executeBlocking(() -> {
                                        // In a fixed order, not the order embeddings happened to arrive in: k-means seeds
                                        // from the data order, so the same summaries give the same clusters (and names).
                                        items.sort(java.util.Comparator.comparing(Recluster.Item::traceId).thenComparingInt(Recluster.Item::traceVersion));
                                        return Recluster.plan(items, known.result(), ended.result(), cfg, parallel, ClusterVerticle::freshId);
                                    }, false)
                                    .compose(plan -> llmNames(project, theme, items, plan))
                                    .compose(plan -> {
                                        // The theme's single writer: no assignment is written while the run stores.
                                        s.saving = true;
                                        long elapsed = (System.nanoTime() - t0) / 1_000_000;
                                        return s.lastWrite.compose(v -> repository.save(project, themeId, items, plan, memberAt, f, elapsed, startedAt))
                                                .map(runId -> finish(s, items, plan, runId, elapsed))
                                                .onComplete(ar -> {
                                                    s.saving = false;
                                                    drain(s);
                                                });
                                    });
                        });
                    });
        });
    }

    private ClusterCommand.RunResult finish(ThemeState s, List<Recluster.Item> items, Recluster.Plan plan, long runId, long elapsed) {
        s.centroids = plan.clusters().stream().map(p -> new ClusterRepository.Centroid(p.id(), p.centroid())).toList();
        s.runId = runId;
        s.size = items.size();
        if (s.duringRun != null) {
            // Written during the run against centroids it may have retired, and not part of it: placed again now.
            java.util.Set<String> inRun = new java.util.HashSet<>();
            items.forEach(i -> inRun.add(i.traceId()));
            s.duringRun.stream().filter(e -> !inRun.contains(e.traceId())).forEach(s.waiting::add);
            s.duringRun = new ArrayList<>();
        }
        ClusterCommand.RunResult result = new ClusterCommand.RunResult(runId, s.projectId, s.themeId, items.size(), plan.clusters().size(),
                plan.outliers(), plan.lineageCounts(), plan.renamed(), elapsed, plan.detail(), Instant.now());
        for (Recluster.Planned p : plan.clusters()) {
            ObjectNode data = MAPPER.createObjectNode().put("cluster_id", p.id()).put("event", p.lineage().event().name())
                    .put("title", p.title()).put("size", p.members().length).put("x", p.x()).put("y", p.y()).put("run_id", runId);
            p.lineage().sources().forEach(data.putArray("sources")::add);
            publish(s.projectId, s.themeId, p.id(), data);
        }
        for (ClusterMatcher.Lineage l : plan.retired()) {
            publish(s.projectId, s.themeId, l.id(), MAPPER.createObjectNode().put("cluster_id", l.id()).put("event", l.event().name())
                    .put("into", l.into()).put("size", 0).put("run_id", runId));
        }
        LOG.info("Clustered theme {} of {}: {} summaries, {} clusters, {} in Other, {} renamed, {} in {} ms ({})", s.themeId, s.projectId,
                items.size(), plan.clusters().size(), plan.outliers(), plan.renamed(), plan.lineageCounts(), elapsed, plan.detail());
        return result;
    }

    static final String NAMING_SYSTEM = "You name clusters of similar findings from an LLM application's traces. "
            + "Answer with one JSON object and nothing else.";

    /**
     * Names the clusters this run named afresh with the project's LLM, contrastively: the summaries nearest the
     * centroid against the nearest ones outside. Where the LLM cannot (the project analyses offline, its budget is
     * spent, the call or its answer failed) the offline name stays.
     */
    private Future<Recluster.Plan> llmNames(String projectId, AnalysisTheme theme, List<Recluster.Item> items, Recluster.Plan plan) {
        Map<String, Future<NamingAnswerParser.Naming>> asked = new HashMap<>();
        for (Recluster.Planned p : plan.clusters()) {
            if (!p.renamed()) {
                continue;
            }
            String prompt = ContrastivePrompt.build(theme.name(), theme.description(), memberTexts(items, p), nearestOutside(items, p));
            asked.put(p.id(), vertx.eventBus().<LlmCompletion.Reply>request(Addresses.LLM_COMPLETE,
                            new LlmCompletion(projectId, NAMING_SYSTEM, prompt, 300, "cluster_name"), SLOW)
                    .compose(m -> {
                        try {
                            return Future.succeededFuture(NamingAnswerParser.parse(m.body().text()));
                        } catch (dev.prism.common.ModelAnswer.Invalid e) {
                            return Future.failedFuture(e);
                        }
                    }));
        }
        if (asked.isEmpty()) {
            return Future.succeededFuture(plan);
        }
        return Future.join(new ArrayList<>(asked.values())).transform(ignored -> {
            List<Recluster.Planned> named = new ArrayList<>();
            for (Recluster.Planned p : plan.clusters()) {
                Future<NamingAnswerParser.Naming> f = asked.get(p.id());
                if (f != null && f.succeeded()) {
                    named.add(new Recluster.Planned(p.id(), p.lineage(), p.centroid(), p.members(), p.distances(), f.result().title(),
                            f.result().description(), true, p.x(), p.y()));
                } else {
                    if (f != null && Failure.from(f.cause()).status() != 409) {
                        LOG.warn("Cluster {} keeps its offline name: {}", p.id(), f.cause().getMessage());
                    }
                    named.add(p);
                }
            }
            return Future.succeededFuture(new Recluster.Plan(List.copyOf(named), plan.retired(), plan.labels(), plan.distances(),
                    plan.outliers(), plan.detail()));
        });
    }

    /** Members' summaries, nearest the centroid first. */
    private static List<String> memberTexts(List<Recluster.Item> items, Recluster.Planned p) {
        Integer[] order = new Integer[p.members().length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> p.distances()[i]));
        List<String> out = new ArrayList<>();
        for (int i : order) {
            String text = items.get(p.members()[i]).text();
            if (text != null && out.size() < ContrastivePrompt.MAX_MEMBERS) {
                out.add(text);
            }
        }
        return out;
    }

    /** The summaries outside the cluster nearest its centroid: what its name must set it apart from. */
    private static List<String> nearestOutside(List<Recluster.Item> items, Recluster.Planned p) {
        java.util.Set<Integer> inside = new java.util.HashSet<>();
        for (int m : p.members()) {
            inside.add(m);
        }
        List<Integer> outside = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!inside.contains(i) && items.get(i).text() != null) {
                outside.add(i);
            }
        }
        outside.sort(Comparator.comparingDouble(i -> NearestCentroid.cosineDistance(items.get(i).vector(), p.centroid())));
        return outside.stream().limit(ContrastivePrompt.MAX_NON_MEMBERS).map(i -> items.get(i).text()).toList();
    }

    private void publish(String projectId, String themeId, String clusterId, ObjectNode data) {
        data.put("project_id", projectId).put("theme_id", themeId);
        vertx.eventBus().publish(Addresses.CLUSTER_UPDATED, new LiveEvent("cluster.updated", projectId, themeId, clusterId, data));
    }

    private static String freshId() {
        return "c_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private Future<AnalysisTheme> theme(String projectId, String themeId) {
        return vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(projectId, themeId)).map(Message::body);
    }

    @SuppressWarnings("unchecked")
    static ClusteringConfig config(AnalysisTheme theme) {
        ClusteringConfig configured = theme.clusteringConfig() == null || !theme.clusteringConfig().isObject()
                ? ClusteringConfig.DEFAULTS
                : ClusteringConfig.fromMap(MAPPER.convertValue(theme.clusteringConfig(), Map.class));
        return configured.sampled(theme.sampleRate());
    }

    /** Trace figures; without them (the trace feature does not answer) the members simply lack users and metrics. */
    private Future<Map<String, TraceFacts.Fact>> facts(String projectId, List<String> traceIds) {
        if (traceIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return vertx.eventBus().<TraceFacts.Facts>request(Addresses.TRACE_FACTS, new TraceFacts(projectId, traceIds), SLOW)
                .map(r -> r.body().byTrace())
                .otherwise(err -> {
                    LOG.warn("No trace figures for {} traces: {}", traceIds.size(), err.toString());
                    return Map.of();
                });
    }
}
