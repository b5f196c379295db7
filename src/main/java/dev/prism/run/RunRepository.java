package dev.prism.run;

import dev.prism.bus.Run;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code runs} table. */
final class RunRepository {

    private static final String COLUMNS = """
            id, project_id, theme_id, trigger, status, window_from, window_to, prompt_version, traces_in_range, matched, sampled,
            queued, analysed, relevant, failed, input_tokens, output_tokens, cost_usd, error, started_at, finished_at""";

    private final Pool pool;

    RunRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return the new run, or empty when the theme already has a run in progress */
    Future<Optional<Run>> insert(String projectId, String themeId, String trigger, Instant from, Instant to, int promptVersion,
                                 long tracesInRange, long matched, long sampled) {
        if (!"schedule".equals(trigger)) {
            return insertOn(pool, projectId, themeId, trigger, from, to, promptVersion, tracesInRange, matched, sampled);
        }
        // Instances check schedules each on their own: a window another instance started since this one read the last
        // window end (a run that may even have finished already, so the running-run index does not stop it) is not
        // started again. The theme's lock makes the check and the insert one step across instances.
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .execute(Tuple.of("prism.schedule\n" + projectId + "\n" + themeId))
                .compose(l -> conn.preparedQuery("SELECT 1 FROM runs WHERE project_id = $1 AND theme_id = $2 AND trigger = 'schedule' "
                        + "AND window_to > $3 LIMIT 1").execute(Tuple.of(projectId, themeId, utc(from))))
                .compose(rows -> rows.size() > 0 ? Future.succeededFuture(Optional.<Run>empty())
                        : insertOn(conn, projectId, themeId, trigger, from, to, promptVersion, tracesInRange, matched, sampled)));
    }

    private static Future<Optional<Run>> insertOn(io.vertx.sqlclient.SqlClient client, String projectId, String themeId, String trigger,
                                                  Instant from, Instant to, int promptVersion, long tracesInRange, long matched, long sampled) {
        return client.preparedQuery("""
                        INSERT INTO runs (project_id, theme_id, trigger, window_from, window_to, prompt_version, traces_in_range, matched, sampled)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING\s""" + COLUMNS)
                .execute(Tuple.tuple().addString(projectId).addString(themeId).addString(trigger).addOffsetDateTime(utc(from))
                        .addOffsetDateTime(utc(to)).addInteger(promptVersion).addLong(tracesInRange).addLong(matched).addLong(sampled))
                .map(rows -> Optional.of(run(rows.iterator().next())))
                .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
                        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
    }

    Future<Run> queued(long id, long queued) {
        return pool.preparedQuery("UPDATE runs SET queued = $2 WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(id, queued)).map(rows -> run(rows.iterator().next()));
    }

    /** Records the run's counts; a run with nothing pending is completed. @return the run as stored */
    Future<Run> progress(long id, long analysed, long relevant, long failed, long inputTokens, long outputTokens, double costUsd) {
        return pool.preparedQuery("""
                        UPDATE runs SET analysed = $2, relevant = $3, failed = $4, input_tokens = $5, output_tokens = $6, cost_usd = $7,
                            status = CASE WHEN queued IS NOT NULL AND $2::bigint + $4::bigint >= queued THEN 'completed' ELSE status END,
                            finished_at = CASE WHEN queued IS NOT NULL AND $2::bigint + $4::bigint >= queued THEN now() ELSE finished_at END
                        WHERE id = $1 AND status = 'running' RETURNING\s""" + COLUMNS)
                .execute(Tuple.tuple().addLong(id).addLong(analysed).addLong(relevant).addLong(failed).addLong(inputTokens)
                        .addLong(outputTokens).addDouble(costUsd))
                .map(rows -> rows.size() == 0 ? null : run(rows.iterator().next()));
    }

    Future<Run> fail(long id, String error) {
        return pool.preparedQuery("UPDATE runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(id, error)).map(rows -> run(rows.iterator().next()));
    }

    Future<List<Run>> active() {
        return pool.query("SELECT " + COLUMNS + " FROM runs WHERE status = 'running' ORDER BY id").execute().map(RunRepository::runs);
    }

    Future<List<Run>> list(String projectId, String themeId, int limit, Long beforeId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM runs WHERE project_id = $1 AND ($2::text IS NULL OR theme_id = $2)"
                        + " AND ($4::bigint IS NULL OR id < $4) ORDER BY id DESC LIMIT $3")
                .execute(Tuple.of(projectId, themeId, limit, beforeId)).map(RunRepository::runs);
    }

    /** The newest run of every theme of the project that has one. */
    Future<List<Run>> latest(String projectId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM runs WHERE id IN (SELECT max(id) FROM runs WHERE project_id = $1 GROUP BY theme_id)"
                        + " ORDER BY id DESC")
                .execute(Tuple.of(projectId)).map(RunRepository::runs);
    }

    Future<Optional<Run>> get(String projectId, long id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM runs WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, id)).map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(run(rows.iterator().next())));
    }

    /** Where each theme's last scheduled window ended, keyed by {@code project + "\n" + theme}. */
    Future<Map<String, Instant>> lastScheduledWindows() {
        return pool.query("SELECT project_id, theme_id, max(window_to) FROM runs WHERE trigger = 'schedule' GROUP BY project_id, theme_id")
                .execute().map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0) + "\n" + r.getString(1), r.getOffsetDateTime(2).toInstant()));
                    return out;
                });
    }

    private static List<Run> runs(Iterable<Row> rows) {
        List<Run> out = new ArrayList<>();
        rows.forEach(r -> out.add(run(r)));
        return out;
    }

    private static Run run(Row r) {
        return new Run(r.getLong("id"), r.getString("project_id"), r.getString("theme_id"), r.getString("trigger"), r.getString("status"),
                r.getOffsetDateTime("window_from").toInstant(), r.getOffsetDateTime("window_to").toInstant(), r.getInteger("prompt_version"),
                r.getLong("traces_in_range"), r.getLong("matched"), r.getLong("sampled"), r.getLong("queued"), r.getLong("analysed"),
                r.getLong("relevant"), r.getLong("failed"), r.getLong("input_tokens"), r.getLong("output_tokens"), r.getDouble("cost_usd"),
                r.getString("error"), r.getOffsetDateTime("started_at").toInstant(),
                r.getOffsetDateTime("finished_at") == null ? null : r.getOffsetDateTime("finished_at").toInstant());
    }

    private static java.time.OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
