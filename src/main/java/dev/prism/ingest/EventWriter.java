package dev.prism.ingest;

import dev.prism.bus.Failure;
import dev.prism.ingest.EventParser.ParsedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Group commit: requests that arrive while a write is in flight are written together in the next transaction, so a
 * busy server makes few large writes and an idle one answers at once. A request's future completes only when its
 * events are committed. Beyond {@code maxQueuedEvents} waiting events, or {@code maxQueuedBytes} of their properties
 * (large AI events are megabytes each, so a count alone does not bound memory), new requests fail with 503: the store
 * cannot keep up and the client should retry later.
 *
 * <p>Each event's properties are stored twice: as {@code jsonb} in {@code events} for filters, and as the parsed text in
 * {@code event_texts}, whose object keys keep the client's order (jsonb sorts them), for rendering and the API.
 *
 * <p>One SQL statement stores the events and touches their traces: events whose uuid is already stored (client
 * retries) are skipped, and only traces that really received new events are marked pending, opening a new trace
 * version when the trace had completed. Traces are locked in key order, so concurrent writers cannot deadlock.
 *
 * <p>Not thread-safe: used from its verticle's event loop only.
 */
final class EventWriter implements EventSink {

    private static final String INSERT = """
            WITH u AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
                     WITH ORDINALITY AS u(project_id, uuid, event, distinct_id, trace_id, ts, props, n)
            ), inserted AS (
                INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, "timestamp", properties)
                SELECT u.project_id, u.uuid, u.event, u.distinct_id, u.trace_id, u.ts, u.props::jsonb
                FROM u ORDER BY u.n
                ON CONFLICT (project_id, uuid) DO NOTHING
                RETURNING project_id, uuid, trace_id, "timestamp" AS ts, received_at, event = '$ai_trace' AS root
            ), texts AS (
                -- The first of a uuid sent twice in one batch is the one events kept.
                INSERT INTO event_texts (project_id, uuid, properties)
                SELECT DISTINCT ON (i.project_id, i.uuid) i.project_id, i.uuid, u.props
                FROM inserted i JOIN u ON u.project_id = i.project_id AND u.uuid = i.uuid
                ORDER BY i.project_id, i.uuid, u.n
            )
            INSERT INTO traces AS t (project_id, trace_id, first_seen, last_seen, root_seen, event_count)
            SELECT project_id, trace_id, coalesce(min(ts), min(received_at)), coalesce(max(ts), max(received_at)), bool_or(root), count(*)
            FROM inserted GROUP BY project_id, trace_id ORDER BY project_id, trace_id
            ON CONFLICT (project_id, trace_id) DO UPDATE SET
                version = CASE WHEN t.status = 'completed' THEN t.version + 1 ELSE t.version END,
                root_seen = CASE WHEN t.status = 'completed' THEN excluded.root_seen ELSE t.root_seen OR excluded.root_seen END,
                status = 'pending',
                last_activity = now(),
                first_seen = least(t.first_seen, excluded.first_seen),
                last_seen = greatest(t.last_seen, excluded.last_seen),
                event_count = t.event_count + excluded.event_count
            RETURNING project_id, trace_id, root_seen
            """;

    private final Pool pool;
    private final int maxEventsPerWrite;
    private final int maxQueuedEvents;
    private final long maxQueuedBytes;
    private long queuedBytes;
    private final Consumer<StoredTraces> onStored;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int queuedEvents;
    private boolean writing;
    private final List<Promise<Void>> idleWaiters = new ArrayList<>();

    /** The traces one transaction touched, per project. */
    record StoredTraces(String projectId, Set<String> traceIds, Set<String> rootSeen) {
    }

    private record Pending(String projectId, List<ParsedEvent> events, Promise<Void> done, long bytes) {
    }

    /** Roughly what the events hold in memory: their properties text and a little per event. */
    static long bytes(List<ParsedEvent> events) {
        long n = 0;
        for (ParsedEvent e : events) {
            n += 256 + (e.propertiesJson() == null ? 0 : e.propertiesJson().length());
        }
        return n;
    }

    EventWriter(Pool pool, int maxEventsPerWrite, int maxQueuedEvents, Consumer<StoredTraces> onStored) {
        this(pool, maxEventsPerWrite, maxQueuedEvents, Long.MAX_VALUE, onStored);
    }

    EventWriter(Pool pool, int maxEventsPerWrite, int maxQueuedEvents, long maxQueuedBytes, Consumer<StoredTraces> onStored) {
        this.pool = pool;
        this.maxEventsPerWrite = maxEventsPerWrite;
        this.maxQueuedEvents = maxQueuedEvents;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onStored = onStored;
    }

    @Override
    public Future<Void> write(String projectId, List<ParsedEvent> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture();
        }
        if (queuedEvents > 0 && queuedEvents + events.size() > maxQueuedEvents) {
            return Future.failedFuture(new Failure(503, "overloaded",
                    "The event store is behind by " + queuedEvents + " events; retry shortly").exception());
        }
        long bytes = bytes(events);
        // One request always fits an empty queue: the body limit already bounds it.
        if (queuedBytes > 0 && queuedBytes + bytes > maxQueuedBytes) {
            return Future.failedFuture(new Failure(503, "overloaded",
                    "The event store is behind by " + (queuedBytes >> 20) + " MB of events; retry shortly").exception());
        }
        Promise<Void> done = Promise.promise();
        queue.add(new Pending(projectId, events, done, bytes));
        queuedEvents += events.size();
        queuedBytes += bytes;
        if (!writing) {
            flush();
        }
        return done.future();
    }

    /** Events waiting for the next write. */
    @Override
    public int queuedEvents() {
        return queuedEvents;
    }

    /** Completes once every accepted write is committed (or failed): for a clean stop. */
    @Override
    public Future<Void> idle() {
        if (!writing && queue.isEmpty()) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        idleWaiters.add(p);
        return p.future();
    }

    private void flush() {
        List<Pending> group = new ArrayList<>();
        int count = 0;
        while (!queue.isEmpty() && (group.isEmpty() || count + queue.peek().events.size() <= maxEventsPerWrite)) {
            Pending p = queue.poll();
            group.add(p);
            count += p.events.size();
            queuedBytes -= p.bytes;
        }
        queuedEvents -= count;
        writing = true;
        Tuple params = params(group, count);
        insertWithRetry(params, 2).onComplete(ar -> {
            writing = false;
            if (ar.succeeded()) {
                announce(ar.result()); // before the replies: a client that reads right away finds the trace pending
                group.forEach(p -> p.done.complete());
            } else {
                group.forEach(p -> p.done.fail(ar.cause()));
            }
            if (!queue.isEmpty()) {
                flush();
            } else {
                idleWaiters.forEach(Promise::complete);
                idleWaiters.clear();
            }
        });
    }

    /** Deadlocks and serialization failures are transient under concurrent writers: try again. */
    private Future<RowSet<Row>> insertWithRetry(Tuple params, int attemptsLeft) {
        return pool.preparedQuery(INSERT).execute(params).recover(e -> {
            boolean transientFailure = e instanceof PgException pg
                    && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
            return transientFailure && attemptsLeft > 1 ? insertWithRetry(params, attemptsLeft - 1) : Future.failedFuture(e);
        });
    }

    private static Tuple params(List<Pending> group, int count) {
        String[] projects = new String[count];
        String[] uuids = new String[count];
        String[] names = new String[count];
        String[] users = new String[count];
        String[] traces = new String[count];
        OffsetDateTime[] times = new OffsetDateTime[count];
        String[] props = new String[count];
        int i = 0;
        for (Pending p : group) {
            for (ParsedEvent e : p.events) {
                projects[i] = p.projectId;
                uuids[i] = e.uuid();
                names[i] = e.event();
                users[i] = e.distinctId();
                traces[i] = e.traceId();
                Instant ts = e.timestamp();
                times[i] = ts == null ? null : ts.atOffset(ZoneOffset.UTC);
                props[i] = e.propertiesJson();
                i++;
            }
        }
        // Explicit adders: Tuple.of(Object, Object...) would spread a lone array argument into elements.
        return Tuple.tuple().addArrayOfString(projects).addArrayOfString(uuids).addArrayOfString(names).addArrayOfString(users)
                .addArrayOfString(traces).addArrayOfOffsetDateTime(times).addArrayOfString(props);
    }

    private void announce(RowSet<Row> touched) {
        Map<String, StoredTraces> byProject = new HashMap<>();
        for (Row row : touched) {
            StoredTraces s = byProject.computeIfAbsent(row.getString(0), p -> new StoredTraces(p, new HashSet<>(), new HashSet<>()));
            s.traceIds().add(row.getString(1));
            if (row.getBoolean(2)) {
                s.rootSeen().add(row.getString(1));
            }
        }
        byProject.values().forEach(onStored);
    }
}
