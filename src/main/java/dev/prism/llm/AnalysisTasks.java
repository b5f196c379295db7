package dev.prism.llm;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The durable queue of analyses (table {@code analyses}). Enqueueing is idempotent; a claim leases tasks to one
 * worker with {@code FOR UPDATE SKIP LOCKED}, so instances never share a task, and a lease that runs out (a crashed
 * worker) makes the task claimable again; a result is written only by the worker holding the lease, so it is
 * written once.
 */
public final class AnalysisTasks {

    /** What one task analyses. */
    public record Key(String projectId, String themeId, String traceId, int traceVersion, int promptVersion) {
    }

    public record Task(long id, Key key, int attempts) {
    }

    /**
     * A finished analysis as stored. {@code inputTokens} counts all input; {@code cacheReadTokens} and
     * {@code cacheWriteTokens} are the parts the provider read from or wrote to its prompt cache, which
     * {@code costUsd} prices at the cache prices.
     *
     * @param embedText the text clustering embeds (see {@link OfflineAnalyzer.Analysis#embedText()}), or null for the
     *                  title and summary
     */
    public record Result(String provider, String model, boolean themeRelevant, String title, String summary, String severity,
                         long inputTokens, long outputTokens, double costUsd, long latencyMillis, long cacheReadTokens,
                         long cacheWriteTokens, String embedText) {

        /** A result with nothing read from a prompt cache. */
        public Result(String provider, String model, boolean themeRelevant, String title, String summary, String severity,
                      long inputTokens, long outputTokens, double costUsd, long latencyMillis, String embedText) {
            this(provider, model, themeRelevant, title, summary, severity, inputTokens, outputTokens, costUsd, latencyMillis, 0, 0, embedText);
        }

        /** A result whose embedded text is its title and summary. */
        public Result(String provider, String model, boolean themeRelevant, String title, String summary, String severity,
                      long inputTokens, long outputTokens, double costUsd, long latencyMillis, long cacheReadTokens, long cacheWriteTokens) {
            this(provider, model, themeRelevant, title, summary, severity, inputTokens, outputTokens, costUsd, latencyMillis,
                    cacheReadTokens, cacheWriteTokens, null);
        }

        /** A result with nothing cached, whose embedded text is its title and summary. */
        public Result(String provider, String model, boolean themeRelevant, String title, String summary, String severity,
                      long inputTokens, long outputTokens, double costUsd, long latencyMillis) {
            this(provider, model, themeRelevant, title, summary, severity, inputTokens, outputTokens, costUsd, latencyMillis, 0, 0, null);
        }
    }

    public record DeadLetter(long id, Key key, int attempts, String lastError, String rawReply) {
    }

    private final Pool pool;

    public AnalysisTasks(Pool pool) {
        this.pool = pool;
    }

    /** @return how many of the keys were new (the others already exist, whatever their state) */
    public Future<Integer> enqueue(List<Key> keys) {
        return enqueue(keys, null);
    }

    /** @param runId the run queuing them, or null for streaming dispatch */
    public Future<Integer> enqueue(List<Key> keys, Long runId) {
        return enqueue(keys, runId, k -> false);
    }

    /**
     * @param keepsEarlier the keys whose theme keeps the summary of an earlier version of the trace when it has one (or
     *                     a task that will make one): those are queued only for a trace the theme never analysed
     */
    public Future<Integer> enqueue(List<Key> keys, Long runId, java.util.function.Predicate<Key> keepsEarlier) {
        if (keys.isEmpty()) {
            return Future.succeededFuture(0);
        }
        // The look-up per kept key reads the unique index's (project, theme, trace) prefix: a handful of rows at most.
        return pool.preparedQuery("""
                        INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, run_id)
                        SELECT k.project_id, k.theme_id, k.trace_id, k.trace_version, k.prompt_version, $6::bigint
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $7::bool[])
                             AS k(project_id, theme_id, trace_id, trace_version, prompt_version, keep)
                        WHERE NOT (k.keep AND EXISTS (SELECT 1 FROM analyses b WHERE b.project_id = k.project_id AND b.theme_id = k.theme_id
                                                         AND b.trace_id = k.trace_id AND b.trace_version < k.trace_version
                                                         AND b.status <> 'dead'))
                        ON CONFLICT DO NOTHING""")
                .execute(Tuple.tuple()
                        .addArrayOfString(keys.stream().map(Key::projectId).toArray(String[]::new))
                        .addArrayOfString(keys.stream().map(Key::themeId).toArray(String[]::new))
                        .addArrayOfString(keys.stream().map(Key::traceId).toArray(String[]::new))
                        .addArrayOfInteger(keys.stream().map(Key::traceVersion).toArray(Integer[]::new))
                        .addArrayOfInteger(keys.stream().map(Key::promptVersion).toArray(Integer[]::new))
                        .addLong(runId)
                        .addArrayOfBoolean(keys.stream().map(keepsEarlier::test).toArray(Boolean[]::new)))
                .map(r -> r.rowCount());
    }

    /**
     * A theme's relevant and analysed traces in the last day, the day before, the last week and the week before: each
     * trace once, by its latest finished analysis, on the day the trace completed (a backfill run analysing last
     * week's traces today counts them last week, not today).
     */
    public Future<dev.prism.bus.ThemeShare.Counts> themeShare(dev.prism.bus.ThemeShare q) {
        return pool.preparedQuery("""
                        WITH latest AS (
                            SELECT DISTINCT ON (a.trace_id) a.theme_relevant, coalesce(t.completed_at, a.created_at) AS at
                              FROM analyses a LEFT JOIN traces t ON t.project_id = a.project_id AND t.trace_id = a.trace_id
                             WHERE a.project_id = $1 AND a.theme_id = $2 AND a.status = 'done' AND a.superseded_by_version IS NULL
                               AND coalesce(t.completed_at, a.created_at) >= $3::timestamptz - interval '14 days'
                               AND coalesce(t.completed_at, a.created_at) < $3::timestamptz
                             ORDER BY a.trace_id, a.trace_version DESC, a.prompt_version DESC, a.completed_at DESC)
                        SELECT count(*) FILTER (WHERE theme_relevant AND at >= $3::timestamptz - interval '1 day'),
                               count(*) FILTER (WHERE at >= $3::timestamptz - interval '1 day'),
                               count(*) FILTER (WHERE theme_relevant AND at >= $3::timestamptz - interval '2 days' AND at < $3::timestamptz - interval '1 day'),
                               count(*) FILTER (WHERE at >= $3::timestamptz - interval '2 days' AND at < $3::timestamptz - interval '1 day'),
                               count(*) FILTER (WHERE theme_relevant AND at >= $3::timestamptz - interval '7 days'),
                               count(*) FILTER (WHERE at >= $3::timestamptz - interval '7 days'),
                               count(*) FILTER (WHERE theme_relevant AND at < $3::timestamptz - interval '7 days'),
                               count(*) FILTER (WHERE at < $3::timestamptz - interval '7 days')
                          FROM latest""")
                .execute(Tuple.of(q.projectId(), q.themeId(), q.now().atOffset(java.time.ZoneOffset.UTC)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new dev.prism.bus.ThemeShare.Counts(new dev.prism.bus.ThemeShare.Window(r.getLong(0), r.getLong(1)),
                            new dev.prism.bus.ThemeShare.Window(r.getLong(2), r.getLong(3)), new dev.prism.bus.ThemeShare.Window(r.getLong(4), r.getLong(5)),
                            new dev.prism.bus.ThemeShare.Window(r.getLong(6), r.getLong(7)));
                });
    }

    /** Each run's analyses by state, with the tokens and cost of the finished ones. */
    public Future<List<dev.prism.bus.RunTasks.RunStats>> runStats(List<Long> runIds) {
        return pool.preparedQuery("""
                        SELECT run_id, count(*), count(*) FILTER (WHERE status = 'done'),
                               count(*) FILTER (WHERE status = 'done' AND theme_relevant), count(*) FILTER (WHERE status = 'dead'),
                               coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cost_usd), 0)
                        FROM analyses WHERE run_id = ANY($1) GROUP BY run_id""")
                .execute(Tuple.of(runIds.toArray(Long[]::new)))
                .map(rows -> {
                    List<dev.prism.bus.RunTasks.RunStats> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new dev.prism.bus.RunTasks.RunStats(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                                r.getLong(5), r.getLong(6), r.getDouble(7)));
                    }
                    return out;
                });
    }

    /**
     * Leases up to {@code limit} due tasks (queued and due, or running with an expired lease) to {@code worker}, taking
     * them in turns across (project, theme) so that a run that queued thousands of tasks for one theme does not starve
     * the others: each theme's oldest due task first, then each theme's second, and so on. The distinct themes come
     * from a skip scan of the queue index (one probe per theme), so the cost does not grow with the queue's length.
     * Candidates are over-fetched fourfold so that concurrent claimers (other instances) skipping each other's locked
     * rows still fill their batch. Each candidate brings the due tasks of the same trace version for other themes along,
     * claimed right after it: the themes of one trace then reach the provider together, and all but the first read the
     * trace from the provider's prompt cache, even when the themes' queues are of very different lengths.
     *
     * @param pausedProjects projects whose tasks stay queued (their daily budget is spent)
     */
    public Future<List<Task>> claim(String worker, int limit, long leaseMillis, Collection<String> pausedProjects) {
        return claim(worker, limit, leaseMillis, pausedProjects, List.of());
    }

    /**
     * @param pausedThemes (project, theme) pairs whose tasks stay queued too (their model has no price), each as a
     *                     two-element array
     */
    public Future<List<Task>> claim(String worker, int limit, long leaseMillis, Collection<String> pausedProjects,
                                    Collection<String[]> pausedThemes) {
        return pool.preparedQuery("""
                        WITH RECURSIVE queued_themes AS (
                            (SELECT project_id, theme_id FROM analyses WHERE status IN ('queued', 'running')
                             ORDER BY project_id, theme_id LIMIT 1)
                            UNION ALL
                            SELECT next.project_id, next.theme_id FROM queued_themes q, LATERAL (
                                SELECT project_id, theme_id FROM analyses
                                WHERE status IN ('queued', 'running') AND (project_id, theme_id) > (q.project_id, q.theme_id)
                                ORDER BY project_id, theme_id LIMIT 1) next
                        ), turns AS (
                            SELECT d.id, d.next_attempt_at,
                                   row_number() OVER (PARTITION BY q.project_id, q.theme_id ORDER BY d.next_attempt_at, d.id) AS turn
                            FROM queued_themes q, LATERAL (
                                SELECT id, next_attempt_at FROM analyses
                                WHERE project_id = q.project_id AND theme_id = q.theme_id AND status IN ('queued', 'running')
                                  AND ((status = 'queued' AND next_attempt_at <= now()) OR (status = 'running' AND lease_until < now()))
                                ORDER BY next_attempt_at, id LIMIT $2 * 4) d
                            WHERE NOT (q.project_id = ANY($4::text[]))
                              AND NOT EXISTS (SELECT 1 FROM unnest($5::text[], $6::text[]) p(project_id, theme_id)
                                              WHERE p.project_id = q.project_id AND p.theme_id = q.theme_id)
                        ), leads AS (
                            SELECT id, row_number() OVER (ORDER BY turn, next_attempt_at, id) AS rank
                            FROM (SELECT id, turn, next_attempt_at FROM turns ORDER BY turn, next_attempt_at, id LIMIT $2 * 4) t
                        ), family AS (
                            -- Each lead brings its trace version's other due tasks (other themes) right after it, so
                            -- they reach the provider together while the trace is in its prompt cache.
                            SELECT s.id, min(l.rank) AS rank FROM leads l
                            JOIN analyses la ON la.id = l.id
                            JOIN analyses s ON s.project_id = la.project_id AND s.trace_id = la.trace_id
                                           AND s.trace_version = la.trace_version AND s.status IN ('queued', 'running')
                            WHERE NOT EXISTS (SELECT 1 FROM unnest($5::text[], $6::text[]) p(project_id, theme_id)
                                              WHERE p.project_id = s.project_id AND p.theme_id = s.theme_id)
                            GROUP BY s.id
                        )
                        UPDATE analyses a SET status = 'running', attempts = a.attempts + 1, leased_by = $1,
                            lease_until = now() + make_interval(secs => $3)
                        FROM (SELECT a.id FROM analyses a
                              JOIN family c ON c.id = a.id
                              -- Repeated here: a row another claimer took and committed since the CTE read it is
                              -- re-checked against this condition when locked, and then left alone.
                              WHERE (a.status = 'queued' AND a.next_attempt_at <= now()) OR (a.status = 'running' AND a.lease_until < now())
                              ORDER BY c.rank, a.id LIMIT $2
                              FOR UPDATE OF a SKIP LOCKED) due
                        WHERE a.id = due.id
                        RETURNING a.id, a.project_id, a.theme_id, a.trace_id, a.trace_version, a.prompt_version, a.attempts""")
                .execute(Tuple.of(worker, limit, leaseMillis / 1000.0, pausedProjects.toArray(String[]::new),
                        pausedThemes.stream().map(p -> p[0]).toArray(String[]::new), pausedThemes.stream().map(p -> p[1]).toArray(String[]::new)))
                .map(rows -> {
                    List<Task> tasks = new ArrayList<>();
                    for (Row r : rows) {
                        tasks.add(new Task(r.getLong(0), new Key(r.getString(1), r.getString(2), r.getString(3), r.getInteger(4),
                                r.getInteger(5)), r.getInteger(6)));
                    }
                    return tasks;
                });
    }

    public Future<List<Task>> claim(String worker, int limit, long leaseMillis) {
        return claim(worker, limit, leaseMillis, List.of());
    }

    /** @return false when this worker no longer holds the lease: someone else owns the task now, nothing is written */
    public Future<Boolean> complete(long id, String worker, Result r) {
        return store(id, worker, r).map(Stored::written);
    }

    /**
     * How a result was stored.
     *
     * @param supersededByVersion the later trace version whose summary already counts for this (theme, trace), or null
     *                            when this one counts: a superseded result is kept (it was paid for) but listed only on
     *                            request and never embedded
     */
    public record Stored(boolean written, Integer supersededByVersion) {
        static final Stored NOT_WRITTEN = new Stored(false, null);
    }

    /**
     * Writes the result and, in the same transaction, settles which version of the trace counts for the theme: the
     * latest analysed one. Older versions' summaries (finished or not yet) are marked superseded by this one; this one
     * is marked superseded at once when a later version finished first. Both statements lock only rows of this
     * (project, theme, trace), always from the newer version to the older, so concurrent versions cannot deadlock,
     * and whichever commits second sees the other's row.
     */
    public Future<Stored> store(long id, String worker, Result r) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        UPDATE analyses a SET status = 'done', completed_at = now(), lease_until = NULL, provider = $3, model = $4,
                            theme_relevant = $5, title = $6, summary = $7, severity = $8, input_tokens = $9, output_tokens = $10,
                            cost_usd = $11, latency_ms = $12, embed_text = $13, cache_read_tokens = $14, cache_write_tokens = $15,
                            last_error = NULL, raw_reply = NULL,
                            superseded_by_version = coalesce(a.superseded_by_version,
                                (SELECT max(b.trace_version) FROM analyses b WHERE b.project_id = a.project_id AND b.theme_id = a.theme_id
                                    AND b.trace_id = a.trace_id AND b.trace_version > a.trace_version AND b.status = 'done'))
                        WHERE a.id = $1 AND a.status = 'running' AND a.leased_by = $2
                        RETURNING a.project_id, a.theme_id, a.trace_id, a.trace_version, a.superseded_by_version""")
                .execute(Tuple.tuple().addLong(id).addString(worker).addString(r.provider()).addString(r.model())
                        .addBoolean(r.themeRelevant()).addString(r.title()).addString(r.summary()).addString(r.severity())
                        .addLong(r.inputTokens()).addLong(r.outputTokens()).addDouble(r.costUsd()).addLong(r.latencyMillis())
                        .addString(r.embedText()).addLong(r.cacheReadTokens()).addLong(r.cacheWriteTokens()))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Stored.NOT_WRITTEN);
                    }
                    Row row = rows.iterator().next();
                    Integer supersededBy = row.getInteger(4);
                    if (supersededBy != null || row.getInteger(3) <= 1) {
                        return Future.succeededFuture(new Stored(true, supersededBy));
                    }
                    return conn.preparedQuery("""
                                    UPDATE analyses SET superseded_by_version = $4
                                    WHERE project_id = $1 AND theme_id = $2 AND trace_id = $3 AND trace_version < $4
                                      AND (superseded_by_version IS NULL OR superseded_by_version < $4)""")
                            .execute(Tuple.of(row.getString(0), row.getString(1), row.getString(2), row.getInteger(3)))
                            .map(x -> new Stored(true, null));
                }));
    }

    /**
     * Whether {@code worker} wrote the task's result: after a write whose reply was lost with the connection, a second
     * {@link #complete} finds the task done and writes nothing, yet the result is stored and must be announced.
     */
    public Future<Boolean> doneBy(long id, String worker) {
        return storedBy(id, worker).map(Stored::written);
    }

    /** {@link #doneBy}, with whether the stored result counts. */
    public Future<Stored> storedBy(long id, String worker) {
        return pool.preparedQuery("SELECT superseded_by_version FROM analyses WHERE id = $1 AND status = 'done' AND leased_by = $2")
                .execute(Tuple.of(id, worker))
                .map(rows -> rows.size() == 1 ? new Stored(true, rows.iterator().next().getInteger(0)) : Stored.NOT_WRITTEN);
    }

    /**
     * Records a failed attempt: retried at {@code retryAt}, or dead-lettered once it has had {@code maxAttempts}.
     *
     * @return false when this worker no longer holds the lease
     */
    public Future<Boolean> fail(long id, String worker, String error, String rawReply, Instant retryAt, int maxAttempts) {
        return pool.preparedQuery("""
                        UPDATE analyses SET status = CASE WHEN attempts >= $5 THEN 'dead' ELSE 'queued' END,
                            next_attempt_at = $4, lease_until = NULL, last_error = $3, raw_reply = coalesce($6, raw_reply)
                        WHERE id = $1 AND status = 'running' AND leased_by = $2""")
                .execute(Tuple.tuple().addLong(id).addString(worker).addString(error).addOffsetDateTime(retryAt.atOffset(ZoneOffset.UTC))
                        .addInteger(maxAttempts).addString(rawReply))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Gives a leased task back untouched, to run after {@code retryAt}: it could not start, so it used no attempt. */
    public Future<Boolean> postpone(long id, String worker, Instant retryAt) {
        return pool.preparedQuery("""
                        UPDATE analyses SET status = 'queued', attempts = greatest(attempts - 1, 0), next_attempt_at = $3, lease_until = NULL
                        WHERE id = $1 AND status = 'running' AND leased_by = $2""")
                .execute(Tuple.tuple().addLong(id).addString(worker).addOffsetDateTime(retryAt.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** On a clean stop: every task this worker holds goes back to the queue at once, its attempt not counted. */
    public Future<Integer> releaseAll(String worker) {
        return pool.preparedQuery("""
                        UPDATE analyses SET status = 'queued', attempts = greatest(attempts - 1, 0), next_attempt_at = now(), lease_until = NULL
                        WHERE status = 'running' AND leased_by = $1""")
                .execute(Tuple.of(worker)).map(r -> r.rowCount());
    }

    public Future<List<DeadLetter>> deadLetters(String projectId, int limit) {
        return deadLetters(projectId, limit, null);
    }

    /** One page of dead letters, oldest first, after {@code afterId} (null from the start). */
    public Future<List<DeadLetter>> deadLetters(String projectId, int limit, Long afterId) {
        return pool.preparedQuery("""
                        SELECT id, project_id, theme_id, trace_id, trace_version, prompt_version, attempts, last_error, raw_reply
                        FROM analyses WHERE project_id = $1 AND status = 'dead' AND ($3::bigint IS NULL OR id > $3)
                        ORDER BY id LIMIT $2""")
                .execute(Tuple.of(projectId, limit, afterId))
                .map(rows -> {
                    List<DeadLetter> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new DeadLetter(r.getLong(0), new Key(r.getString(1), r.getString(2), r.getString(3), r.getInteger(4),
                                r.getInteger(5)), r.getInteger(6), r.getString(7), r.getString(8)));
                    }
                    return out;
                });
    }

    /** Finished analyses, newest first, as {@code $ai_trace_summary} records. */
    /**
     * Finished analyses, newest first, paged by keyset on (completion time, id): a cursor is the last row's pair, so
     * pages stay stable while new results arrive and cost the same however deep they go.
     *
     * @throws IllegalArgumentException for a cursor this method did not make
     */
    public Future<dev.prism.bus.SummaryQuery.Summaries> summaries(dev.prism.bus.SummaryQuery q) {
        java.time.OffsetDateTime beforeTime = null;
        Long beforeId = null;
        if (q.before() != null) {
            int cut = q.before().lastIndexOf('_');
            try {
                beforeTime = java.time.Instant.parse(q.before().substring(0, cut)).atOffset(ZoneOffset.UTC);
                beforeId = Long.parseLong(q.before().substring(cut + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("before: not a cursor from a previous page");
            }
        }
        // Two texts rather than one flag: the default list must read the partial index of summaries that count.
        String counting = q.includeSuperseded() ? "" : " AND superseded_by_version IS NULL";
        return pool.preparedQuery("""
                        SELECT project_id, theme_id, trace_id, trace_version, prompt_version, theme_relevant, title, summary, severity,
                               model, input_tokens, output_tokens, cost_usd, latency_ms, completed_at, id, superseded_by_version, embed_text
                        FROM analyses WHERE project_id = $1 AND status = 'done'""" + counting + """

                          AND ($2::text IS NULL OR theme_id = $2) AND ($3::boolean IS NULL OR theme_relevant = $3)
                          AND ($4::timestamptz IS NULL OR completed_at >= $4) AND ($5::text IS NULL OR trace_id = $5)
                          AND ($7::timestamptz IS NULL OR (completed_at, id) < ($7, $8::bigint))
                          AND ($9::text IS NULL OR severity = $9)
                        ORDER BY completed_at DESC, id DESC LIMIT $6""")
                .execute(Tuple.tuple().addString(q.projectId()).addString(q.themeId()).addBoolean(q.relevant())
                        .addOffsetDateTime(q.since() == null ? null : q.since().atOffset(ZoneOffset.UTC)).addString(q.traceId())
                        .addInteger(q.limit()).addOffsetDateTime(beforeTime).addLong(beforeId).addString(q.severity()))
                .map(rows -> {
                    List<dev.prism.bus.SummaryCreated> out = new ArrayList<>();
                    String cursor = null;
                    for (Row r : rows) {
                        java.time.Instant completed = r.getOffsetDateTime(14).toInstant();
                        out.add(new dev.prism.bus.SummaryCreated(r.getString(0), r.getString(1), r.getString(2), r.getInteger(3),
                                r.getInteger(4), r.getBoolean(5), r.getString(6), r.getString(7), r.getString(8), r.getString(9),
                                r.getLong(10), r.getLong(11), r.getDouble(12), r.getLong(13), completed, r.getInteger(16), r.getString(17)));
                        cursor = completed + "_" + r.getLong(15);
                    }
                    return new dev.prism.bus.SummaryQuery.Summaries(out, out.size() == q.limit() ? cursor : null);
                });
    }

    /**
     * Relevant finished analyses of every project after a position, oldest first, each trace version's latest prompt
     * version only (an older one would only be embedded to be ignored), and no superseded trace version (its trace
     * counts by a later one). {@code until} leaves the newest ones to the
     * streaming path.
     */
    public Future<dev.prism.bus.SummaryScan.Page> scan(dev.prism.bus.SummaryScan q) {
        return pool.preparedQuery("""
                        SELECT a.project_id, a.theme_id, a.trace_id, a.trace_version, a.prompt_version, a.theme_relevant, a.title, a.summary,
                               a.severity, a.model, coalesce(a.input_tokens, 0), coalesce(a.output_tokens, 0), coalesce(a.cost_usd, 0),
                               coalesce(a.latency_ms, 0), a.completed_at, a.id, a.embed_text
                        FROM analyses a WHERE a.status = 'done' AND a.theme_relevant AND a.superseded_by_version IS NULL
                          AND (a.completed_at, a.id) > ($1, $2::bigint) AND a.completed_at < $3
                          AND NOT EXISTS (SELECT 1 FROM analyses b WHERE b.project_id = a.project_id AND b.theme_id = a.theme_id
                                             AND b.trace_id = a.trace_id AND b.trace_version = a.trace_version
                                             AND b.prompt_version > a.prompt_version AND b.status = 'done')
                        ORDER BY a.completed_at, a.id LIMIT $4""")
                .execute(Tuple.tuple().addOffsetDateTime(q.afterTime().atOffset(ZoneOffset.UTC)).addLong(q.afterId())
                        .addOffsetDateTime(q.until().atOffset(ZoneOffset.UTC)).addInteger(q.limit()))
                .map(rows -> {
                    List<dev.prism.bus.SummaryScan.Entry> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new dev.prism.bus.SummaryScan.Entry(new dev.prism.bus.SummaryCreated(r.getString(0), r.getString(1),
                                r.getString(2), r.getInteger(3), r.getInteger(4), r.getBoolean(5), r.getString(6), r.getString(7),
                                r.getString(8), r.getString(9), r.getLong(10), r.getLong(11), r.getDouble(12), r.getLong(13),
                                r.getOffsetDateTime(14).toInstant(), r.getString(16)), r.getLong(15)));
                    }
                    return new dev.prism.bus.SummaryScan.Page(out);
                });
    }

    /** Analyses of every project by state: one pass over the table (a benchmark's or an operator's question, not a hot path). */
    public Future<dev.prism.bus.AnalysisBacklog.Counts> backlog() {
        return pool.query("""
                        SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
                               count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'dead') FROM analyses""")
                .execute().map(rows -> {
                    Row r = rows.iterator().next();
                    return new dev.prism.bus.AnalysisBacklog.Counts(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3));
                });
    }

    /** Puts dead-lettered tasks back in the queue with a fresh attempt count. @return how many */
    public Future<Integer> requeueDead(String projectId, List<Long> ids) {
        return pool.preparedQuery("""
                        UPDATE analyses SET status = 'queued', attempts = 0, next_attempt_at = now()
                        WHERE project_id = $1 AND status = 'dead' AND id = ANY($2)""")
                .execute(Tuple.tuple().addString(projectId).addArrayOfLong(ids.toArray(Long[]::new)))
                .map(r -> r.rowCount());
    }
}
