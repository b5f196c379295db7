package dev.prism.cluster;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.Failure;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.Verbs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The clusters as the API and other features read them: a theme's clusters with trends and metrics, one cluster with a
 * page of members and its lineage, a trace's clusters, members gained since a time (alert rules), and the 2-D map.
 * Reads the store only; holds no state, so any number of instances may answer.
 *
 * <p>Consumes {@value Addresses#CLUSTER_LIST}, {@value Addresses#CLUSTER_GET}, {@value Addresses#CLUSTER_OF_TRACE},
 * {@value Addresses#CLUSTER_MEMBERS_SINCE} and {@value Addresses#CLUSTER_MAP}; sends {@value Addresses#THEME_GET} (an
 * unknown theme is 404), {@value Addresses#SUMMARY_LIST} (member titles) and {@value Addresses#EMBED_SNAPSHOT} (the
 * map). Event loop, except the map's projection, which runs on the {@code prism-cluster} worker that runs use too.
 */
public final class ClusterQueryVerticle extends VerticleBase {

    static final String OTHER = "";
    private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(120_000);
    private static final int REPRESENTATIVES = 5;

    private final ClusterRepository repository;
    private io.vertx.core.WorkerExecutor workers;
    private Verbs verbs;

    public ClusterQueryVerticle(Pool pool) {
        this.repository = new ClusterRepository(pool);
    }

    @Override
    public Future<?> start() {
        // The pool re-clustering computes on: a map projection waits for a run instead of taking a core from ingestion.
        workers = vertx.createSharedWorkerExecutor(ClusterVerticle.WORKERS, 1);
        verbs = new Verbs(vertx)
                .on(Addresses.CLUSTER_LIST, (ClusterCommand.List l) -> theme(l.projectId(), l.themeId()).compose(t -> list(l.projectId(), l.themeId())))
                .on(Addresses.CLUSTER_GET, this::detail)
                .on(Addresses.CLUSTER_OF_TRACE, (ClusterCommand.OfTrace t) -> repository.memberships(t.projectId(), t.traceId())
                        .map(list -> new ClusterCommand.TraceClusters(t.projectId(), t.traceId(), list)))
                .on(Addresses.CLUSTER_MEMBERS_SINCE, (ClusterCommand.MembersSince m) -> repository.membersSince(m.projectId(), m.since())
                        .map(ClusterCommand.MemberCounts::new))
                .on(Addresses.CLUSTER_MAP, (ClusterCommand.MapQuery m) -> theme(m.projectId(), m.themeId()).compose(t -> map(m)));
        return verbs.ready();
    }

    @Override
    public Future<?> stop() {
        return workers.close();
    }

    private Future<AnalysisTheme> theme(String projectId, String themeId) {
        return vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(projectId, themeId)).map(Message::body);
    }

    private Future<ClusterCommand.Clusters> list(String projectId, String themeId) {
        var rows = repository.clusters(projectId, themeId);
        var figures = repository.figures(projectId, themeId);
        var times = repository.times(projectId, themeId);
        var last = repository.lastRun(projectId, themeId);
        Instant now = Instant.now();
        // The weekly buckets reach furthest back: 12 weeks ending with today.
        var runs = repository.runCounts(projectId, themeId, now.truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(7 * 12 - 1)));
        return Future.all(rows, figures, times, last, runs).map(all -> {
            long[] theme = allTimes(times.result());
            int total = theme.length;
            List<ClusterCommand.Cluster> out = new ArrayList<>();
            for (ClusterRepository.ClusterRow row : rows.result()) {
                out.add(view(row, figures.result(), times.result(), theme, now));
            }
            out.sort(Comparator.comparingInt(ClusterCommand.Cluster::size).reversed().thenComparing(ClusterCommand.Cluster::clusterId));
            ClusterRepository.Figures other = figures.result().get(OTHER);
            return new ClusterCommand.Clusters(projectId, themeId, total, other == null ? 0 : other.size(), List.copyOf(out),
                    last.result().orElse(null), themeTrend(theme, runs.result(), now));
        });
    }

    private static ClusterCommand.ThemeTrend themeTrend(long[] members, List<long[]> runs, Instant now) {
        ThemeTrend.Series s = ThemeTrend.of(members, runs.stream().mapToLong(r -> r[0]).toArray(), runs.stream().mapToInt(r -> (int) r[1]).toArray(),
                now, 24, 14, 12);
        java.util.function.Function<List<ThemeTrend.Point>, List<ClusterCommand.ThemePoint>> view = points -> points.stream()
                .map(p -> new ClusterCommand.ThemePoint(p.start(), p.relevant(), p.clusters())).toList();
        return new ClusterCommand.ThemeTrend(view.apply(s.hourly()), view.apply(s.daily()), view.apply(s.weekly()));
    }

    /** The members with the theme's vectors, projected on a worker (a fit over at most {@code limit} points). */
    private Future<ClusterCommand.MapPoints> map(ClusterCommand.MapQuery m) {
        var members = repository.mapMembers(m.projectId(), m.themeId());
        var vectors = vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot(m.projectId(), m.themeId()), SLOW);
        return Future.all(members, vectors).compose(all -> workers.executeBlocking(() -> {
            Map<String, float[]> byTrace = new HashMap<>();
            vectors.result().body().items().forEach(v -> byTrace.put(v.traceId(), v.vector()));
            TraceMap.Result r = TraceMap.of(members.result(), byTrace, m.limit(), ClusteringConfig.DEFAULTS.seed());
            return new ClusterCommand.MapPoints(m.projectId(), m.themeId(), r.members(), r.placed(), r.points().stream()
                    .map(p -> new ClusterCommand.MapPoint(p.traceId(), p.clusterId(), p.x(), p.y())).toList());
        }, false));
    }

    private Future<ClusterCommand.Detail> detail(ClusterCommand.Get g) {
        String projectId = g.projectId();
        String clusterId = g.clusterId();
        return repository.cluster(projectId, clusterId).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new Failure(404, "cluster_not_found", "No cluster " + clusterId).exception());
            }
            ClusterRepository.ClusterRow row = found.get();
            var figures = repository.figures(projectId, row.themeId());
            var times = repository.times(projectId, row.themeId());
            var ranked = repository.ranked(projectId, clusterId, g.membersLimit(), g.membersOffset());
            // Representatives are the members nearest the centroid whatever page is asked for.
            var nearest = g.membersOffset() == 0 ? ranked : repository.ranked(projectId, clusterId, REPRESENTATIVES, 0);
            var history = repository.history(projectId, clusterId);
            return Future.all(figures, times, ranked, nearest, history).compose(all -> {
                List<Future<ClusterCommand.Member>> reps = nearest.result().stream().limit(REPRESENTATIVES)
                        .map(m -> titled(projectId, row.themeId(), m)).toList();
                List<Future<ClusterCommand.Member>> page = ranked.result().stream()
                        .map(m -> g.memberTitles() ? titled(projectId, row.themeId(), m) : Future.succeededFuture(member(m, null))).toList();
                return Future.all(Future.all(reps), Future.all(page)).map(x -> {
                    ClusterCommand.Cluster view = view(row, figures.result(), times.result(), allTimes(times.result()), Instant.now());
                    return new ClusterCommand.Detail(view, page.stream().map(Future::result).toList(),
                            reps.stream().map(Future::result).toList(), history.result());
                });
            });
        });
    }

    /** The member with its summary's title and text in the theme (without them when the summary cannot be read). */
    private Future<ClusterCommand.Member> titled(String projectId, String themeId, ClusterRepository.Ranked m) {
        return vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST, new SummaryQuery(projectId, themeId, null, null, m.traceId(), 1))
                .map(r -> r.body().results().isEmpty() ? member(m, null) : member(m, r.body().results().get(0)))
                .otherwise(member(m, null));
    }

    private static ClusterCommand.Member member(ClusterRepository.Ranked m, SummaryCreated s) {
        return new ClusterCommand.Member(m.traceId(), m.traceVersion(), m.distance() == null ? Double.NaN : m.distance(), m.at(),
                s == null ? null : s.title(), s == null ? null : s.summary(), m.latencySeconds(), m.costUsd(), m.errorCount());
    }

    private static long[] allTimes(Map<String, long[]> times) {
        return times.values().stream().flatMapToLong(java.util.Arrays::stream).toArray();
    }

    private static ClusterCommand.Cluster view(ClusterRepository.ClusterRow row, Map<String, ClusterRepository.Figures> figures,
                                               Map<String, long[]> times, long[] theme, Instant now) {
        ClusterRepository.Figures f = figures.get(row.id());
        long[] own = times.getOrDefault(row.id(), new long[0]);
        Trends.Trend t = Trends.of(own, theme, now, Duration.ofDays(1), 24, 14, 12);
        ClusterCommand.Trend trend = new ClusterCommand.Trend(
                t.hourly().stream().map(b -> new ClusterCommand.Bucket(b.start(), b.count())).toList(),
                t.daily().stream().map(b -> new ClusterCommand.Bucket(b.start(), b.count())).toList(),
                t.weekly().stream().map(b -> new ClusterCommand.Bucket(b.start(), b.count())).toList(),
                t.current(), t.previous(), t.growth(), t.share(), Trends.of(own, theme, now.minus(Duration.ofDays(1)), Duration.ofDays(1), 0, 0).share());
        int size = f == null ? 0 : f.size();
        ClusterCommand.Metrics metrics = new ClusterCommand.Metrics(theme.length == 0 ? 0 : (double) size / theme.length,
                f == null ? null : f.avgLatency(), f == null ? null : f.avgCost(), f == null ? 0 : f.errorRate(), f == null ? 0 : f.distinctUsers());
        return new ClusterCommand.Cluster(row.id(), row.themeId(), row.title(), row.description(), "active".equals(row.status()) ? size : row.size(),
                row.status(), row.x(), row.y(), row.createdAt(), row.updatedAt(), row.namedAt(), trend, metrics,
                dev.prism.bus.ClusterLifecycle.classify(t.daily().stream().mapToLong(Trends.Bucket::count).toArray(), t.current(), t.previous()));
    }
}
