package dev.prism.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceListQuery;
import dev.prism.bus.TraceSummary;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL of the trace feature: due traces, their events, completion, listing. */
final class TraceRepository {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    static final String SUMMARY_COLUMNS = """
            trace_id, version, status, name, first_seen, last_seen, completed_at, event_count, tree_depth,
            latency_seconds, input_tokens, output_tokens, cost_usd, error_count, models, distinct_users, cost_estimated""";

    private final Pool pool;
    /** For the REST API's trace listing, whose connections carry the API's statement timeout. */
    private final Pool apiPool;

    TraceRepository(Pool pool, Pool apiPool) {
        this.pool = pool;
        this.apiPool = apiPool;
    }

    /**
     * @param previousCompletion when the trace's previous version completed; null for a first version
     * @param previousEvents     how many events the previous version had; null when not recorded
     */
    record TraceKey(String projectId, String traceId, int version, Instant previousCompletion, Integer previousEvents) {
        TraceKey(String projectId, String traceId, int version) {
            this(projectId, traceId, version, null, null);
        }
    }

    /**
     * Locks up to {@code limit} pending traces that are due: idle for {@code idleSeconds}, or with their
     * {@code $ai_trace} event and quiet for {@code graceMillis}. Rows locked by another instance are skipped.
     */
    Future<List<TraceKey>> lockDue(SqlConnection conn, int idleSeconds, long graceMillis, int limit) {
        return conn.preparedQuery("""
                        SELECT project_id, trace_id, version, completed_at, completed_events FROM traces
                        WHERE status = 'pending'
                          AND (last_activity < now() - make_interval(secs => $1)
                               OR (root_seen AND last_activity < now() - make_interval(secs => $2)))
                        ORDER BY last_activity LIMIT $3
                        FOR UPDATE SKIP LOCKED""")
                .execute(Tuple.of((double) idleSeconds, graceMillis / 1000.0, limit))
                .map(rows -> {
                    List<TraceKey> keys = new ArrayList<>();
                    // A reopened trace keeps its previous completion time until this version completes.
                    rows.forEach(r -> keys.add(new TraceKey(r.getString(0), r.getString(1), r.getInteger(2),
                            r.getInteger(2) > 1 ? instant(r.getOffsetDateTime(3)) : null, r.getInteger(2) > 1 ? r.getInteger(4) : null)));
                    return keys;
                });
    }

    /**
     * Events grouped by "project\0trace", and per trace the characters of their properties as stored: a cheap measure
     * of how much text the trace holds, which cost estimates use without rendering it.
     */
    record Loaded(Map<String, List<TraceEvent>> events, Map<String, Long> contentChars) {
        List<TraceEvent> of(String projectId, String traceId) {
            return events.getOrDefault(key(projectId, traceId), List.of());
        }

        long charsOf(String projectId, String traceId) {
            return contentChars.getOrDefault(key(projectId, traceId), 0L);
        }
    }

    /**
     * Every event of the given traces, properties with their keys in the order the client sent them (the jsonb column
     * sorts keys; events stored before it was kept have only that order left).
     */
    Future<Loaded> events(SqlClient client, List<TraceKey> keys) {
        String[] projects = keys.stream().map(TraceKey::projectId).toArray(String[]::new);
        String[] traces = keys.stream().map(TraceKey::traceId).toArray(String[]::new);
        return client.preparedQuery("""
                        SELECT e.project_id, e.trace_id, e.uuid, e.event, e.distinct_id, e."timestamp", e.received_at,
                               coalesce(x.properties, e.properties::text)
                        FROM events e JOIN unnest($1::text[], $2::text[]) AS k(project_id, trace_id)
                          ON e.project_id = k.project_id AND e.trace_id = k.trace_id
                        LEFT JOIN event_texts x ON x.project_id = e.project_id AND x.uuid = e.uuid
                        ORDER BY e."timestamp", e.received_at, e.uuid""")
                .execute(Tuple.tuple().addArrayOfString(projects).addArrayOfString(traces))
                .map(rows -> {
                    Map<String, List<TraceEvent>> byTrace = new HashMap<>();
                    Map<String, Long> chars = new HashMap<>();
                    for (Row r : rows) {
                        String k = key(r.getString(0), r.getString(1));
                        byTrace.computeIfAbsent(k, x -> new ArrayList<>()).add(event(r));
                        chars.merge(k, (long) r.getString(7).length(), Long::sum);
                    }
                    return new Loaded(byTrace, chars);
                });
    }

    static String key(String projectId, String traceId) {
        return projectId + '\0' + traceId;
    }

    private static TraceEvent event(Row r) {
        ObjectNode props;
        try {
            props = (ObjectNode) MAPPER.readTree(r.getString(7));
        } catch (JsonProcessingException | ClassCastException e) {
            props = MAPPER.createObjectNode(); // cannot happen for rows ingestion wrote; keep the event anyway
        }
        return new TraceEvent(r.getString(2), r.getString(3), r.getString(4), instant(r.getOffsetDateTime(5)),
                instant(r.getOffsetDateTime(6)), props);
    }

    /**
     * The distinct names of the events that arrived after the previous version completed, sorted: what changed in this
     * version. Null for a first version, or when the previous completion time is unknown. Empty (nothing known of what
     * changed) when more events are new than were received after that completion: an event whose write began before it
     * and committed after it was not in the previous version either, and its name is unknown here.
     */
    static List<String> versionEvents(TraceKey key, List<TraceEvent> events) {
        if (key.previousCompletion() == null) {
            return null;
        }
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        int received = 0;
        for (TraceEvent e : events) {
            if (e.receivedAt() != null && e.receivedAt().isAfter(key.previousCompletion())) {
                names.add(e.event());
                received++;
            }
        }
        if (key.previousEvents() != null && events.size() - key.previousEvents() != received) {
            return List.of();
        }
        return List.copyOf(names);
    }

    Future<Void> markCompleted(SqlConnection conn, List<Map.Entry<TraceKey, AssembledTrace>> done, Loaded loaded, Instant completedAt) {
        if (done.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>(done.size());
        for (Map.Entry<TraceKey, AssembledTrace> d : done) {
            TraceAggregates a = d.getValue().aggregates();
            batch.add(Tuple.tuple()
                    .addString(d.getKey().projectId()).addString(d.getKey().traceId())
                    .addString(d.getValue().name()).addInteger(a.eventCount()).addInteger(a.depth())
                    .addDouble(a.latencySeconds()).addLong(a.inputTokens()).addLong(a.outputTokens())
                    .addDouble(a.costUsd()).addInteger(a.errorCount()).addArrayOfString(a.models().toArray(String[]::new))
                    .addInteger(a.distinctUsers()).addLong(loaded.charsOf(d.getKey().projectId(), d.getKey().traceId()))
                    .addOffsetDateTime(completedAt.atOffset(ZoneOffset.UTC)).addBoolean(a.costEstimated())
                    .addArrayOfString(Optional.ofNullable(versionEvents(d.getKey(), d.getValue().events()))
                            .map(l -> l.toArray(String[]::new)).orElse(null)));
        }
        return conn.preparedQuery("""
                        UPDATE traces SET status = 'completed', completed_at = $14, name = $3, event_count = $4, tree_depth = $5,
                            latency_seconds = $6, input_tokens = $7, output_tokens = $8, cost_usd = $9, error_count = $10,
                            models = $11, distinct_users = $12, content_chars = $13, cost_estimated = $15, version_events = $16,
                            completed_events = $4
                        WHERE project_id = $1 AND trace_id = $2""")
                .executeBatch(batch).mapEmpty();
    }

    Future<List<TraceSummary>> list(TraceListQuery q, Optional<TraceCursor> after) {
        return apiPool.preparedQuery("SELECT " + SUMMARY_COLUMNS + """
                         FROM traces WHERE project_id = $1
                          AND ($2::timestamptz IS NULL OR last_seen >= $2)
                          AND ($3::timestamptz IS NULL OR last_seen < $3)
                          AND ($4::text IS NULL OR status = $4)
                          AND ($5::timestamptz IS NULL OR (last_seen, trace_id) < ($5, $6))
                          AND ($8::boolean IS NULL OR (error_count > 0) = $8)
                          AND ($9::text IS NULL OR $9 = ANY(models))
                          AND ($10::float8 IS NULL OR cost_usd >= $10)
                          AND ($11::float8 IS NULL OR latency_seconds >= $11)
                          AND ($12::text IS NULL OR EXISTS (SELECT 1 FROM events e WHERE e.project_id = traces.project_id
                                                              AND e.trace_id = traces.trace_id AND e.distinct_id = $12))
                        ORDER BY last_seen DESC, trace_id DESC LIMIT $7""")
                .execute(Tuple.tuple().addString(q.projectId()).addOffsetDateTime(odt(q.since())).addOffsetDateTime(odt(q.until()))
                        .addString(q.status()).addOffsetDateTime(after.map(c -> odt(c.lastSeen())).orElse(null))
                        .addString(after.map(TraceCursor::traceId).orElse(null)).addInteger(q.limit() + 1)
                        .addBoolean(q.errors()).addString(q.model()).addDouble(q.minCost()).addDouble(q.minLatency()).addString(q.user()))
                .map(rows -> {
                    List<TraceSummary> out = new ArrayList<>();
                    rows.forEach(r -> out.add(summary(r)));
                    return out;
                });
    }

    Future<Optional<TraceSummary>> find(String projectId, String traceId) {
        return pool.preparedQuery("SELECT " + SUMMARY_COLUMNS + " FROM traces WHERE project_id = $1 AND trace_id = $2")
                .execute(Tuple.of(projectId, traceId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(summary(rows.iterator().next())));
    }

    /** One round trip for all the traces; the user is the first event's (by time) that names one. */
    Future<dev.prism.bus.TraceFacts.Facts> facts(dev.prism.bus.TraceFacts q) {
        if (q.traceIds().isEmpty()) {
            return Future.succeededFuture(new dev.prism.bus.TraceFacts.Facts(Map.of()));
        }
        return pool.preparedQuery("""
                        SELECT t.trace_id, t.latency_seconds, t.cost_usd, t.error_count,
                               (SELECT e.distinct_id FROM events e
                                 WHERE e.project_id = t.project_id AND e.trace_id = t.trace_id AND e.distinct_id IS NOT NULL
                                   AND e.distinct_id <> ''
                                 ORDER BY e."timestamp" NULLS LAST, e.received_at LIMIT 1) AS distinct_id
                          FROM traces t WHERE t.project_id = $1 AND t.trace_id = ANY($2)""")
                .execute(Tuple.tuple().addString(q.projectId()).addArrayOfString(q.traceIds().toArray(String[]::new)))
                .map(rows -> {
                    Map<String, dev.prism.bus.TraceFacts.Fact> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("trace_id"), new dev.prism.bus.TraceFacts.Fact(r.getString("distinct_id"),
                            r.getDouble("latency_seconds"), r.getDouble("cost_usd"), r.getInteger("error_count"))));
                    return new dev.prism.bus.TraceFacts.Facts(out);
                });
    }

    Pool pool() {
        return pool;
    }

    private static TraceSummary summary(Row r) {
        String[] models = r.getArrayOfStrings("models");
        TraceAggregates a = new TraceAggregates(r.getInteger("event_count"), r.getInteger("tree_depth"), r.getDouble("latency_seconds"),
                r.getLong("input_tokens"), r.getLong("output_tokens"), r.getDouble("cost_usd"), r.getInteger("error_count"),
                models == null ? List.of() : Arrays.asList(models), r.getInteger("distinct_users"),
                Boolean.TRUE.equals(r.getBoolean("cost_estimated")));
        return new TraceSummary(r.getString("trace_id"), r.getInteger("version"), r.getString("status"), r.getString("name"),
                instant(r.getOffsetDateTime("first_seen")), instant(r.getOffsetDateTime("last_seen")),
                instant(r.getOffsetDateTime("completed_at")), a);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime odt(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }
}
