package dev.prism.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.TraceFacts;
import dev.prism.store.PgArrays;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** SQL of the clustering feature: clusters, their members, runs and lineage snapshots. */
final class ClusterRepository {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private final Pool pool;

    ClusterRepository(Pool pool) {
        this.pool = pool;
    }

    /** An active cluster as streaming assignment needs it. */
    record Centroid(String id, float[] centroid) {
    }

    /** What the clustering knows of a theme's summary, kept across runs. */
    record MemberRow(String traceId, String clusterId, Instant memberAt) {
    }

    /** A cluster's row. */
    record ClusterRow(String id, String themeId, String title, String description, int size, String status, double x, double y,
                      Instant createdAt, Instant updatedAt, Instant namedAt) {
    }

    /** Member figures of one cluster (null id: Other). */
    record Figures(int size, Double avgLatency, Double avgCost, double errorRate, int distinctUsers) {
    }

    Future<List<Centroid>> centroids(String projectId, String themeId) {
        return pool.preparedQuery("SELECT cluster_id, centroid FROM clusters WHERE project_id = $1 AND theme_id = $2 AND status = 'active' ORDER BY cluster_id")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    List<Centroid> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Centroid(r.getString("cluster_id"), PgArrays.unboxed(r.getArrayOfFloats("centroid")))));
                    return out;
                });
    }

    /**
     * The active clusters with names and members, for the matcher. A cluster whose name is to be made again (named_at
     * NULL: an offline term-list name from before V18) comes without a title, so the run names it afresh.
     */
    Future<List<Recluster.Known>> known(String projectId, String themeId) {
        return pool.preparedQuery("""
                        SELECT c.cluster_id, c.centroid, CASE WHEN c.named_at IS NULL THEN NULL ELSE c.title END AS title, c.description,
                               coalesce((SELECT array_agg(m.trace_id) FROM cluster_members m
                                          WHERE m.project_id = c.project_id AND m.theme_id = c.theme_id AND m.cluster_id = c.cluster_id),
                                        '{}') AS members
                          FROM clusters c WHERE c.project_id = $1 AND c.theme_id = $2 AND c.status = 'active' ORDER BY c.cluster_id""")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    List<Recluster.Known> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Recluster.Known(r.getString("cluster_id"), PgArrays.unboxed(r.getArrayOfFloats("centroid")),
                            new HashSet<>(Arrays.asList(r.getArrayOfStrings("members"))), r.getString("title"), r.getString("description"))));
                    return out;
                });
    }

    /** Ended clusters a run looks at for comebacks, at most this many, the most recently ended first. */
    static final int MAX_ENDED = 200;

    /**
     * Clusters of the theme that retired on their own (not into another cluster) with their last centroid and name,
     * the most recently ended first: a new cluster pointing their way is their comeback and takes the id back.
     */
    Future<List<Recluster.Known>> ended(String projectId, String themeId) {
        return pool.preparedQuery("""
                        SELECT cluster_id, centroid, CASE WHEN named_at IS NULL THEN NULL ELSE title END AS title, description
                          FROM clusters WHERE project_id = $1 AND theme_id = $2 AND status = 'retired' AND retired_into IS NULL
                               AND centroid IS NOT NULL
                         ORDER BY updated_at DESC, cluster_id LIMIT $3""")
                .execute(Tuple.of(projectId, themeId, MAX_ENDED))
                .map(rows -> {
                    List<Recluster.Known> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Recluster.Known(r.getString("cluster_id"), PgArrays.unboxed(r.getArrayOfFloats("centroid")),
                            Set.of(), r.getString("title"), r.getString("description"))));
                    return out;
                });
    }

    Future<Map<String, Instant>> memberTimes(String projectId, String themeId) {
        return pool.preparedQuery("SELECT trace_id, member_at FROM cluster_members WHERE project_id = $1 AND theme_id = $2")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("trace_id"), r.getOffsetDateTime("member_at").toInstant()));
                    return out;
                });
    }

    /** A summary placed between runs: its nearest active cluster within the theme's max distance, or none (Other). */
    record Assignment(String traceId, int traceVersion, String clusterId, Double distance, Instant at) {
    }

    /**
     * Every theme write takes this transaction lock first: runs and assignment batches of one theme follow each other
     * (also across instances sharing the database) instead of locking members and clusters in opposite orders.
     */
    private static Future<Void> lockTheme(SqlConnection conn, String projectId, String themeId) {
        return conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))").execute(Tuple.of(projectId, themeId)).mapEmpty();
    }

    private static final String RECOUNT = """
            UPDATE clusters c SET size = (SELECT count(*) FROM cluster_members m
                                           WHERE m.project_id = c.project_id AND m.theme_id = c.theme_id
                                             AND m.cluster_id = c.cluster_id), updated_at = now()
             WHERE c.project_id = $1 AND c.theme_id = $2 AND c.cluster_id = ANY($3)""";

    /**
     * Removes the trace from the theme's members when it is there by a version before {@code version} (a later
     * version that counts has no vector), and recounts the cluster it was in.
     *
     * @return the cluster it left, null for Other, or empty when it was not a member by an earlier version
     */
    Future<Optional<String>> unassign(String projectId, String themeId, String traceId, int version) {
        return pool.withTransaction(conn -> lockTheme(conn, projectId, themeId).compose(l -> conn.preparedQuery("""
                        DELETE FROM cluster_members WHERE project_id = $1 AND theme_id = $2 AND trace_id = $3 AND trace_version < $4
                        RETURNING cluster_id""").execute(Tuple.of(projectId, themeId, traceId, version)))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Optional.<String>empty());
                    }
                    String clusterId = rows.iterator().next().getString(0);
                    return clusterId == null ? Future.succeededFuture(Optional.of(""))
                            : conn.preparedQuery(RECOUNT).execute(Tuple.of(projectId, themeId, new String[]{clusterId})).map(x -> Optional.of(clusterId));
                }));
    }

    /**
     * Stores summaries that arrived between runs (cluster null: Other) in one transaction and recounts their clusters,
     * and the clusters a later version of a member moved it out of: a trace is counted once, by its latest version.
     *
     * @param placedWithRun the run whose centroids placed them
     * @return false, with nothing written, when a later run was stored meanwhile (by another instance): they are to be
     *         placed again with its centroids
     */
    Future<Boolean> assign(String projectId, String themeId, List<Assignment> rows, Map<String, TraceFacts.Fact> facts, long placedWithRun) {
        if (rows.isEmpty()) {
            return Future.succeededFuture(true);
        }
        List<Tuple> batch = new ArrayList<>(rows.size());
        java.util.TreeSet<String> touched = new java.util.TreeSet<>();
        for (Assignment a : rows) {
            batch.add(memberTuple(projectId, themeId, a.traceId(), a.traceVersion(), a.clusterId(), a.distance(), a.at(), facts.get(a.traceId())));
            if (a.clusterId() != null) {
                touched.add(a.clusterId());
            }
        }
        String[] traceIds = rows.stream().map(Assignment::traceId).distinct().toArray(String[]::new);
        return pool.withTransaction(conn -> lockTheme(conn, projectId, themeId).compose(l -> latestRunId(conn, projectId, themeId))
                .compose(latest -> latest > placedWithRun ? Future.succeededFuture(false) : conn.preparedQuery("""
                        SELECT DISTINCT cluster_id FROM cluster_members
                        WHERE project_id = $1 AND theme_id = $2 AND trace_id = ANY($3) AND cluster_id IS NOT NULL""")
                .execute(Tuple.of(projectId, themeId, traceIds))
                .compose(previous -> {
                    previous.forEach(r -> touched.add(r.getString(0)));
                    return conn.preparedQuery("""
                        INSERT INTO cluster_members (project_id, theme_id, trace_id, trace_version, cluster_id, distance, member_at,
                                                     distinct_id, latency_seconds, cost_usd, error_count)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                        ON CONFLICT (project_id, theme_id, trace_id) DO UPDATE
                           SET trace_version = EXCLUDED.trace_version, cluster_id = EXCLUDED.cluster_id, distance = EXCLUDED.distance,
                               assigned_at = now(), distinct_id = EXCLUDED.distinct_id, latency_seconds = EXCLUDED.latency_seconds,
                               cost_usd = EXCLUDED.cost_usd, error_count = EXCLUDED.error_count
                         -- An earlier version arriving late never replaces the version that counts.
                         WHERE cluster_members.trace_version <= EXCLUDED.trace_version""")
                .executeBatch(batch);
                })
                .compose(v -> touched.isEmpty() ? Future.succeededFuture()
                        : conn.preparedQuery(RECOUNT).execute(Tuple.of(projectId, themeId, touched.toArray(String[]::new))))
                .map(true)));
    }

    /** The theme's newest stored run (0: none), read under the theme's write lock so no run lands before the write. */
    private static Future<Long> latestRunId(SqlConnection conn, String projectId, String themeId) {
        return conn.preparedQuery("SELECT coalesce(max(id), 0) FROM cluster_runs WHERE project_id = $1 AND theme_id = $2")
                .execute(Tuple.of(projectId, themeId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Stores a run in one transaction: the run, its clusters (names only where made again), retirements, every member,
     * and one snapshot row per cluster. Members that streamed in after {@code startedAt} and are not in the run stay.
     */
    Future<Long> save(String projectId, String themeId, List<Recluster.Item> items, Recluster.Plan plan, Map<String, Instant> memberAt,
                      Map<String, TraceFacts.Fact> facts, long elapsedMillis, Instant startedAt) {
        return pool.withTransaction(conn -> lockTheme(conn, projectId, themeId).compose(l -> conn.preparedQuery("""
                        INSERT INTO cluster_runs (project_id, theme_id, items, clusters, outliers, renamed, lineage, elapsed_ms, detail)
                        VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9) RETURNING id""")
                .execute(Tuple.tuple().addString(projectId).addString(themeId).addInteger(items.size()).addInteger(plan.clusters().size())
                        .addInteger(plan.outliers()).addInteger(plan.renamed()).addString(json(plan.lineageCounts()))
                        .addLong(elapsedMillis).addString(plan.detail()))
                .map(rows -> rows.iterator().next().getLong("id"))
                .compose(runId -> upsertClusters(conn, projectId, themeId, items, plan)
                        .compose(v -> retire(conn, projectId, plan))
                        .compose(v -> members(conn, projectId, themeId, items, plan, memberAt, facts, startedAt))
                        .compose(v -> snapshots(conn, runId, projectId, themeId, plan))
                        .map(runId))));
    }

    private Future<Void> upsertClusters(SqlConnection conn, String projectId, String themeId, List<Recluster.Item> items, Recluster.Plan plan) {
        if (plan.clusters().isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>();
        for (Recluster.Planned p : plan.clusters()) {
            batch.add(Tuple.tuple().addString(projectId).addString(p.id()).addString(themeId).addString(p.title()).addString(p.description())
                    .addInteger(p.members().length).addArrayOfFloat(PgArrays.boxed(p.centroid())).addDouble(p.x()).addDouble(p.y())
                    .addBoolean(p.renamed()).addString(p.renamed() ? fingerprint(items, p) : null));
        }
        return conn.preparedQuery("""
                        INSERT INTO clusters (project_id, cluster_id, theme_id, title, description, size, centroid, x, y, named_at, named_members)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END, $11)
                        ON CONFLICT (project_id, cluster_id) DO UPDATE
                           SET size = EXCLUDED.size, centroid = EXCLUDED.centroid, x = EXCLUDED.x, y = EXCLUDED.y, status = 'active',
                               retired_into = NULL, updated_at = now(),
                               title = CASE WHEN $10 THEN EXCLUDED.title ELSE clusters.title END,
                               description = CASE WHEN $10 THEN EXCLUDED.description ELSE clusters.description END,
                               named_at = CASE WHEN $10 THEN now() ELSE clusters.named_at END,
                               named_members = CASE WHEN $10 THEN EXCLUDED.named_members ELSE clusters.named_members END""")
                .executeBatch(batch).mapEmpty();
    }

    private Future<Void> retire(SqlConnection conn, String projectId, Recluster.Plan plan) {
        if (plan.retired().isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = plan.retired().stream().map(l -> Tuple.of(projectId, l.id(), l.into())).toList();
        return conn.preparedQuery("UPDATE clusters SET status = 'retired', retired_into = $3, size = 0, updated_at = now() WHERE project_id = $1 AND cluster_id = $2")
                .executeBatch(batch).mapEmpty();
    }

    private Future<Void> members(SqlConnection conn, String projectId, String themeId, List<Recluster.Item> items, Recluster.Plan plan,
                                 Map<String, Instant> memberAt, Map<String, TraceFacts.Fact> facts, Instant startedAt) {
        Future<Void> cleared = conn.preparedQuery("""
                        DELETE FROM cluster_members WHERE project_id = $1 AND theme_id = $2 AND assigned_at < $3
                           AND NOT (trace_id = ANY($4))""")
                .execute(Tuple.of(projectId, themeId, odt(startedAt), items.stream().map(Recluster.Item::traceId).toArray(String[]::new)))
                .mapEmpty();
        if (items.isEmpty()) {
            return cleared;
        }
        Instant now = Instant.now();
        List<Tuple> batch = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Recluster.Item item = items.get(i);
            int label = plan.labels()[i];
            double d = plan.distances()[i];
            batch.add(memberTuple(projectId, themeId, item.traceId(), item.traceVersion(), label < 0 ? null : plan.clusters().get(label).id(),
                    Double.isNaN(d) ? null : d, memberAt.getOrDefault(item.traceId(), now), facts.get(item.traceId())));
        }
        return cleared.compose(v -> conn.preparedQuery("""
                        INSERT INTO cluster_members (project_id, theme_id, trace_id, trace_version, cluster_id, distance, member_at,
                                                     distinct_id, latency_seconds, cost_usd, error_count)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                        ON CONFLICT (project_id, theme_id, trace_id) DO UPDATE
                           SET trace_version = EXCLUDED.trace_version, cluster_id = EXCLUDED.cluster_id, distance = EXCLUDED.distance,
                               member_at = EXCLUDED.member_at, assigned_at = now(), distinct_id = EXCLUDED.distinct_id,
                               latency_seconds = EXCLUDED.latency_seconds, cost_usd = EXCLUDED.cost_usd, error_count = EXCLUDED.error_count""")
                .executeBatch(batch).mapEmpty());
    }

    private Future<Void> snapshots(SqlConnection conn, long runId, String projectId, String themeId, Recluster.Plan plan) {
        List<Tuple> batch = new ArrayList<>();
        for (Recluster.Planned p : plan.clusters()) {
            batch.add(Tuple.of(runId, projectId, themeId, p.id(), p.members().length, p.lineage().event().name(),
                    p.lineage().sources().toArray(String[]::new), null).addString(p.title()).addBoolean(p.renamed()));
        }
        for (ClusterMatcher.Lineage l : plan.retired()) {
            batch.add(Tuple.of(runId, projectId, themeId, l.id(), 0, l.event().name(), new String[0], l.into()).addString(null).addBoolean(false));
        }
        if (batch.isEmpty()) {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("INSERT INTO cluster_snapshots (run_id, project_id, theme_id, cluster_id, size, event, sources, into_id, title, renamed) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .executeBatch(batch).mapEmpty();
    }

    Future<List<ClusterRow>> clusters(String projectId, String themeId) {
        return pool.preparedQuery("SELECT " + CLUSTER_COLUMNS + " FROM clusters WHERE project_id = $1 AND theme_id = $2 AND status = 'active'")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    List<ClusterRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(clusterRow(r)));
                    return out;
                });
    }

    Future<Optional<ClusterRow>> cluster(String projectId, String clusterId) {
        return pool.preparedQuery("SELECT " + CLUSTER_COLUMNS + " FROM clusters WHERE project_id = $1 AND cluster_id = $2")
                .execute(Tuple.of(projectId, clusterId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(clusterRow(rows.iterator().next())));
    }

    /** Figures per cluster id of the theme; the key "" stands for Other. */
    Future<Map<String, Figures>> figures(String projectId, String themeId) {
        return pool.preparedQuery("""
                        SELECT coalesce(cluster_id, '') AS cluster_id, count(*) AS size, avg(latency_seconds) AS latency, avg(cost_usd) AS cost,
                               coalesce(avg(CASE WHEN error_count > 0 THEN 1.0 ELSE 0.0 END), 0) AS error_rate,
                               count(DISTINCT distinct_id) AS users
                          FROM cluster_members WHERE project_id = $1 AND theme_id = $2 GROUP BY 1""")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    Map<String, Figures> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("cluster_id"), new Figures(r.getLong("size").intValue(),
                            number(r, "latency"), number(r, "cost"), number(r, "error_rate"), r.getLong("users").intValue())));
                    return out;
                });
    }

    /** Member timestamps (epoch ms) per cluster id of the theme, "" for Other. */
    Future<Map<String, long[]>> times(String projectId, String themeId) {
        return pool.preparedQuery("SELECT coalesce(cluster_id, '') AS cluster_id, array_agg((extract(epoch FROM member_at) * 1000)::bigint) AS ts "
                        + "FROM cluster_members WHERE project_id = $1 AND theme_id = $2 GROUP BY 1")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    Map<String, long[]> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("cluster_id"), Arrays.stream(r.getArrayOfLongs("ts")).mapToLong(Long::longValue).toArray()));
                    return out;
                });
    }

    /** A member with the trace figures the clustering copied (null when unknown). */
    record Ranked(String traceId, int traceVersion, Double distance, Instant at, Double latencySeconds, Double costUsd, Integer errorCount) {
    }

    /** Members ranked by distance to the centroid, {@code offset} skipped: pages of a large cluster. */
    Future<List<Ranked>> ranked(String projectId, String clusterId, int limit, int offset) {
        return pool.preparedQuery("""
                        SELECT trace_id, trace_version, distance, member_at, latency_seconds, cost_usd, error_count FROM cluster_members
                         WHERE project_id = $1 AND cluster_id = $2 ORDER BY distance NULLS LAST, trace_id LIMIT $3 OFFSET $4""")
                .execute(Tuple.of(projectId, clusterId, limit, offset))
                .map(rows -> {
                    List<Ranked> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Ranked(r.getString("trace_id"), r.getInteger("trace_version"), r.getDouble("distance"),
                            r.getOffsetDateTime("member_at").toInstant(), r.getDouble("latency_seconds"), r.getDouble("cost_usd"),
                            r.getInteger("error_count"))));
                    return out;
                });
    }

    /** Members each cluster gained after its time, every asked cluster present. */
    Future<Map<String, Long>> membersSince(String projectId, Map<String, Instant> since) {
        if (since.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        List<String> ids = new ArrayList<>(since.keySet());
        OffsetDateTime[] times = ids.stream().map(id -> since.get(id).atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
        return pool.preparedQuery("""
                        SELECT s.cluster_id, count(m.trace_id) AS n
                          FROM unnest($2::text[], $3::timestamptz[]) AS s (cluster_id, since)
                          LEFT JOIN cluster_members m ON m.project_id = $1 AND m.cluster_id = s.cluster_id AND m.member_at > s.since
                         GROUP BY s.cluster_id""")
                .execute(Tuple.tuple().addString(projectId).addArrayOfString(ids.toArray(new String[0])).addArrayOfOffsetDateTime(times))
                .map(rows -> {
                    Map<String, Long> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("cluster_id"), r.getLong("n")));
                    return out;
                });
    }

    /** Where one trace is in every theme the clustering knows it in (cluster id null: Other), by theme id. */
    Future<List<ClusterCommand.Membership>> memberships(String projectId, String traceId) {
        return pool.preparedQuery("""
                        SELECT m.theme_id, m.cluster_id, m.trace_version, c.title, c.status
                          FROM cluster_members m
                          LEFT JOIN clusters c ON c.project_id = m.project_id AND c.cluster_id = m.cluster_id
                         WHERE m.project_id = $1 AND m.trace_id = $2 ORDER BY m.theme_id""")
                .execute(Tuple.of(projectId, traceId))
                .map(rows -> {
                    List<ClusterCommand.Membership> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ClusterCommand.Membership(r.getString("theme_id"), r.getString("cluster_id"),
                            r.getString("title"), r.getString("status"), r.getInteger("trace_version"))));
                    return out;
                });
    }

    Future<List<ClusterCommand.Lineage>> history(String projectId, String clusterId) {
        return pool.preparedQuery("""
                        SELECT run_id, cluster_id, event, sources, into_id, size, title, renamed, at FROM cluster_snapshots
                         WHERE project_id = $1 AND (cluster_id = $2 OR $2 = ANY(sources)) ORDER BY run_id DESC LIMIT 100""")
                .execute(Tuple.of(projectId, clusterId))
                .map(rows -> {
                    List<ClusterCommand.Lineage> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ClusterCommand.Lineage(r.getLong("run_id"), r.getString("cluster_id"), r.getString("event"),
                            List.of(r.getArrayOfStrings("sources")), r.getString("into_id"), r.getInteger("size"), r.getString("title"),
                            Boolean.TRUE.equals(r.getBoolean("renamed")), r.getOffsetDateTime("at").toInstant())));
                    return out;
                });
    }

    /** Runs that ended since {@code since}, and the last one before it (its count holds until the next), oldest first. */
    Future<List<long[]>> runCounts(String projectId, String themeId, Instant since) {
        return pool.preparedQuery("""
                        SELECT (extract(epoch FROM at) * 1000)::bigint AS at, clusters FROM cluster_runs
                         WHERE project_id = $1 AND theme_id = $2 AND (at >= $3 OR id = (SELECT max(id) FROM cluster_runs
                               WHERE project_id = $1 AND theme_id = $2 AND at < $3))
                         ORDER BY at, id""")
                .execute(Tuple.of(projectId, themeId, since.atOffset(java.time.ZoneOffset.UTC)))
                .map(rows -> {
                    List<long[]> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new long[]{r.getLong("at"), r.getInteger("clusters")}));
                    return out;
                });
    }

    /** Every member of the theme with its cluster (null: Other), by trace id. */
    Future<List<TraceMap.Member>> mapMembers(String projectId, String themeId) {
        return pool.preparedQuery("SELECT trace_id, cluster_id FROM cluster_members WHERE project_id = $1 AND theme_id = $2 ORDER BY trace_id")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    List<TraceMap.Member> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(new TraceMap.Member(r.getString(0), r.getString(1))));
                    return out;
                });
    }

    Future<Optional<ClusterCommand.RunResult>> lastRun(String projectId, String themeId) {
        return pool.preparedQuery("""
                        SELECT id, items, clusters, outliers, renamed, lineage::text AS lineage, elapsed_ms, detail, at FROM cluster_runs
                         WHERE project_id = $1 AND theme_id = $2 ORDER BY id DESC LIMIT 1""")
                .execute(Tuple.of(projectId, themeId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    Map<String, Integer> lineage = new java.util.TreeMap<>();
                    new JsonObject(r.getString("lineage")).forEach(e -> lineage.put(e.getKey(), ((Number) e.getValue()).intValue()));
                    return Optional.of(new ClusterCommand.RunResult(r.getLong("id"), projectId, themeId, r.getInteger("items"),
                            r.getInteger("clusters"), r.getInteger("outliers"), lineage, r.getInteger("renamed"), r.getLong("elapsed_ms"),
                            r.getString("detail"), r.getOffsetDateTime("at").toInstant()));
                });
    }

    /**
     * Per theme, the summaries assigned since its last run (all of them when it never ran): the "re-cluster needed"
     * counters, derived from what is stored so they survive a restart or a crash without a write of their own. A run
     * stores its members in the transaction that inserts its row, so they share its {@code now()} and are not counted.
     */
    Future<List<Fresh>> freshSinceLastRun() {
        return pool.query("""
                        SELECT m.project_id, m.theme_id, count(*) AS fresh
                          FROM cluster_members m
                          LEFT JOIN (SELECT project_id, theme_id, max(at) AS at FROM cluster_runs GROUP BY project_id, theme_id) r
                            ON r.project_id = m.project_id AND r.theme_id = m.theme_id
                         WHERE r.at IS NULL OR m.assigned_at > r.at
                         GROUP BY m.project_id, m.theme_id""")
                .execute()
                .map(rows -> {
                    List<Fresh> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Fresh(r.getString("project_id"), r.getString("theme_id"), r.getLong("fresh").intValue())));
                    return out;
                });
    }

    record Fresh(String projectId, String themeId, int count) {
    }

    /** Project/theme pairs that have clusters, for the periodic refresh after a restart. */
    Future<Set<List<String>>> themes() {
        return pool.query("SELECT DISTINCT project_id, theme_id FROM cluster_members").execute().map(rows -> {
            Set<List<String>> out = new HashSet<>();
            rows.forEach(r -> out.add(List.of(r.getString("project_id"), r.getString("theme_id"))));
            return out;
        });
    }

    private static final String CLUSTER_COLUMNS = "cluster_id, theme_id, title, description, size, status, x, y, created_at, updated_at, named_at";

    private static ClusterRow clusterRow(Row r) {
        OffsetDateTime named = r.getOffsetDateTime("named_at");
        return new ClusterRow(r.getString("cluster_id"), r.getString("theme_id"), r.getString("title"), r.getString("description"),
                r.getInteger("size"), r.getString("status"), r.getDouble("x"), r.getDouble("y"), r.getOffsetDateTime("created_at").toInstant(),
                r.getOffsetDateTime("updated_at").toInstant(), named == null ? null : named.toInstant());
    }

    private static Double number(Row r, String column) {
        Object v = r.getValue(column);
        return v == null ? null : ((Number) v).doubleValue();
    }

    private static Tuple memberTuple(String projectId, String themeId, String traceId, int traceVersion, String clusterId, Double distance,
                                     Instant at, TraceFacts.Fact fact) {
        return Tuple.tuple().addString(projectId).addString(themeId).addString(traceId).addInteger(traceVersion).addString(clusterId)
                .addDouble(distance).addOffsetDateTime(odt(at)).addString(fact == null ? null : fact.distinctId())
                .addDouble(fact == null ? null : fact.latencySeconds()).addDouble(fact == null ? null : fact.costUsd())
                .addInteger(fact == null ? null : fact.errorCount());
    }

    /** Hash of the sorted member trace ids the name was made from. */
    private static String fingerprint(List<Recluster.Item> items, Recluster.Planned p) {
        String joined = String.join("\n", Arrays.stream(p.members()).mapToObj(i -> items.get(i).traceId()).sorted().toList());
        return dev.prism.common.Hashing.sha256Hex(joined);
    }

    private static String json(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
