package dev.prism.theme;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.Failure;
import dev.prism.bus.FailureCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL of the theme feature. A theme's prompt lives in {@code theme_prompts}, one row per version. */
final class ThemeRepository {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    private static final String SELECT = """
            SELECT t.project_id, t.theme_id, t.name, t.description, t.base_filters::text, t.theme_filters::text, t.sample_rate,
                   t.sample_seed, p.prompt, t.prompt_version, t.date_range::text, t.clustering_config::text, t.schedule::text,
                   t.enabled, t.built_in, t.created_at, t.updated_at, t.llm::text
            FROM themes t JOIN theme_prompts p
              ON p.project_id = t.project_id AND p.theme_id = t.theme_id AND p.version = t.prompt_version
            """;

    private final Pool pool;
    /** For statements run on behalf of a REST request, which carry the API's statement timeout. */
    private final Pool apiPool;

    ThemeRepository(Pool pool, Pool apiPool) {
        this.pool = pool;
        this.apiPool = apiPool;
    }

    Pool pool() {
        return pool;
    }

    Pool apiPool() {
        return apiPool;
    }

    Future<List<AnalysisTheme>> list(String projectId) {
        return pool.preparedQuery(SELECT + " WHERE t.project_id = $1 ORDER BY t.built_in DESC, t.created_at, t.theme_id")
                .execute(Tuple.of(projectId)).map(rows -> {
                    List<AnalysisTheme> out = new ArrayList<>();
                    rows.forEach(r -> out.add(theme(r)));
                    return out;
                });
    }

    Future<Optional<AnalysisTheme>> find(SqlClient client, String projectId, String themeId) {
        return client.preparedQuery(SELECT + " WHERE t.project_id = $1 AND t.theme_id = $2").execute(Tuple.of(projectId, themeId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(theme(rows.iterator().next())));
    }

    /** The theme, or a failed future with theme_not_found (404). */
    Future<AnalysisTheme> existing(String projectId, String themeId) {
        return find(pool, projectId, themeId).compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
                : Future.failedFuture(new Failure(FailureCode.THEME_NOT_FOUND, "No theme '" + themeId + "' in project '" + projectId + "'").exception()));
    }

    /** @return false when the id is taken */
    Future<Boolean> insert(SqlConnection conn, String projectId, ThemeDraft.Fields f, boolean builtIn) {
        return conn.preparedQuery("""
                        INSERT INTO themes (project_id, theme_id, name, description, base_filters, theme_filters, sample_rate, sample_seed,
                                            date_range, clustering_config, schedule, enabled, built_in, llm)
                        VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7, $8, $9::text::jsonb, $10::text::jsonb, $11::text::jsonb, $12, $13,
                                $14::text::jsonb)
                        ON CONFLICT (project_id, theme_id) DO NOTHING""")
                .execute(Tuple.tuple().addString(projectId).addString(f.themeId()).addString(f.name()).addString(f.description())
                        .addString(f.baseFilters().toString()).addString(f.themeFilters().toString()).addDouble(f.sampleRate())
                        .addString(f.sampleSeed()).addString(f.dateRange().toString()).addString(f.clusteringConfig().toString())
                        .addString(f.schedule().toString()).addBoolean(f.enabled()).addBoolean(builtIn).addString(f.llm().toString()))
                .compose(r -> r.rowCount() == 0 ? Future.succeededFuture(false)
                        : conn.preparedQuery("INSERT INTO theme_prompts (project_id, theme_id, version, prompt) VALUES ($1, $2, 1, $3)")
                                .execute(Tuple.of(projectId, f.themeId(), f.prompt())).map(v -> true));
    }

    /** Updates every field; a changed prompt becomes a new version, the old one stays for the results made with it. */
    Future<Void> update(SqlConnection conn, String projectId, ThemeDraft.Fields f, boolean promptChanged) {
        return conn.preparedQuery("""
                        UPDATE themes SET name = $3, description = $4, base_filters = $5::text::jsonb, theme_filters = $6::text::jsonb,
                            sample_rate = $7, sample_seed = $8, date_range = $9::text::jsonb, clustering_config = $10::text::jsonb,
                            schedule = $11::text::jsonb, enabled = $12, prompt_version = prompt_version + $13, llm = $14::text::jsonb,
                            updated_at = now()
                        WHERE project_id = $1 AND theme_id = $2
                        RETURNING prompt_version""")
                .execute(Tuple.tuple().addString(projectId).addString(f.themeId()).addString(f.name()).addString(f.description())
                        .addString(f.baseFilters().toString()).addString(f.themeFilters().toString()).addDouble(f.sampleRate())
                        .addString(f.sampleSeed()).addString(f.dateRange().toString()).addString(f.clusteringConfig().toString())
                        .addString(f.schedule().toString()).addBoolean(f.enabled()).addInteger(promptChanged ? 1 : 0)
                        .addString(f.llm().toString()))
                .compose(rows -> !promptChanged ? Future.succeededFuture()
                        : conn.preparedQuery("INSERT INTO theme_prompts (project_id, theme_id, version, prompt) VALUES ($1, $2, $3, $4)")
                                .execute(Tuple.of(projectId, f.themeId(), rows.iterator().next().getInteger(0), f.prompt())).mapEmpty());
    }

    Future<Boolean> delete(String projectId, String themeId) {
        return pool.preparedQuery("DELETE FROM themes WHERE project_id = $1 AND theme_id = $2 AND NOT built_in")
                .execute(Tuple.of(projectId, themeId)).map(r -> r.rowCount() > 0);
    }

    /**
     * Property names of the events of the project's 200 most recent traces (both indexed lookups, so this stays cheap
     * on a large events table), plus the trace-level keys, filtered by prefix.
     */
    Future<List<String>> propertyNames(String projectId, String prefix, int limit) {
        return apiPool.preparedQuery("""
                        SELECT DISTINCT k FROM (
                            SELECT trace_id FROM traces WHERE project_id = $1 ORDER BY last_seen DESC LIMIT 200) t
                        JOIN events e ON e.project_id = $1 AND e.trace_id = t.trace_id
                        CROSS JOIN LATERAL jsonb_object_keys(e.properties) AS k
                        WHERE starts_with(lower(k), lower($2))
                        ORDER BY k LIMIT $3""")
                .execute(Tuple.of(projectId, prefix, limit)).map(rows -> {
                    List<String> names = new ArrayList<>();
                    for (String key : TRACE_KEYS) {
                        if (key.toLowerCase().startsWith(prefix.toLowerCase())) {
                            names.add(key);
                        }
                    }
                    rows.forEach(r -> names.add(r.getString(0)));
                    return names;
                });
    }

    static final List<String> TRACE_KEYS = List.of("trace.latency", "trace.cost_usd", "trace.error_count", "trace.event_count", "trace.tokens");

    /** A completed trace a theme's filters selected, with the size of its stored events. */
    record Candidate(String traceId, int version, long contentChars) {
    }

    /** Project-wide base filters, which every theme of the project applies. */
    Future<JsonNode> projectBaseFilters(String projectId) {
        return pool.preparedQuery("SELECT base_filters::text FROM projects WHERE id = $1").execute(Tuple.of(projectId))
                .map(rows -> rows.size() == 0 ? MAPPER.createArrayNode() : json(rows.iterator().next().getString(0)));
    }

    Future<Void> setProjectBaseFilters(String projectId, JsonNode filters) {
        return pool.preparedQuery("UPDATE projects SET base_filters = $2::text::jsonb WHERE id = $1")
                .execute(Tuple.of(projectId, filters.toString())).mapEmpty();
    }

    /** Completed traces in the window: how many, how many pass the base filters, and their stored size. */
    Future<long[]> rangeCounts(SqlClient client, String projectId, Instant from, Instant to, Filters base) {
        FilterSql.Compiled b = base.compile(4);
        Tuple params = window(projectId, from, to);
        b.params().forEach(params::addValue);
        return client.preparedQuery("SELECT count(*), count(*) FILTER (WHERE " + b.sql() + "), coalesce(sum(t.content_chars), 0)"
                        + " FROM traces t WHERE " + WINDOW)
                .execute(params).map(rows -> {
                    Row r = rows.iterator().next();
                    return new long[]{r.getLong(0), r.getLong(1), r.getLong(2)};
                });
    }

    /** Completed traces in the window that pass both the base and the theme filters. */
    Future<List<Candidate>> candidates(SqlClient client, String projectId, Instant from, Instant to, Filters base, Filters theme) {
        FilterSql.Compiled b = base.compile(4);
        FilterSql.Compiled t = theme.compile(4 + b.params().size());
        Tuple params = window(projectId, from, to);
        b.params().forEach(params::addValue);
        t.params().forEach(params::addValue);
        return client.preparedQuery("SELECT t.trace_id, t.version, t.content_chars FROM traces t WHERE " + WINDOW
                        + " AND (" + b.sql() + ") AND (" + t.sql() + ") ORDER BY t.last_seen DESC, t.trace_id")
                .execute(params).map(rows -> {
                    List<Candidate> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(new Candidate(r.getString(0), r.getInteger(1), r.getLong(2))));
                    return out;
                });
    }

    private static final String WINDOW = "t.project_id = $1 AND t.status = 'completed' AND t.last_seen >= $2"
            + " AND ($3::timestamptz IS NULL OR t.last_seen < $3)";

    private static Tuple window(String projectId, Instant from, Instant to) {
        return Tuple.tuple().addString(projectId).addOffsetDateTime(from.atOffset(ZoneOffset.UTC))
                .addOffsetDateTime(to == null ? null : to.atOffset(ZoneOffset.UTC));
    }

    /** A completed trace version theme dispatch has not marked as handled. */
    /**
     * @param versionEvents as {@code traces.version_events}: what arrived since the previous version (null: unknown or first)
     * @param scored        whether the relevance model's scores for this version are stored (the built-in pre-filters read them)
     */
    record Undispatched(String projectId, String traceId, int version, List<String> versionEvents, boolean scored) {
    }

    /** Completed versions not yet marked dispatched, completed at least {@code settleSeconds} ago, oldest first. */
    Future<List<Undispatched>> undispatched(int limit, int settleSeconds) {
        return pool.preparedQuery("""
                        SELECT project_id, trace_id, version, version_events,
                               EXISTS (SELECT 1 FROM trace_relevance r WHERE r.project_id = traces.project_id
                                       AND r.trace_id = traces.trace_id AND r.trace_version = traces.version)
                        FROM traces
                        WHERE status = 'completed' AND dispatched_version IS DISTINCT FROM version
                          AND completed_at < now() - make_interval(secs => $2)
                        ORDER BY completed_at LIMIT $1""")
                .execute(Tuple.of(limit, settleSeconds)).map(rows -> {
                    List<Undispatched> out = new ArrayList<>();
                    rows.forEach(r -> {
                        String[] events = r.getArrayOfStrings(3);
                        out.add(new Undispatched(r.getString(0), r.getString(1), r.getInteger(2), events == null ? null : List.of(events), r.getBoolean(4)));
                    });
                    return out;
                });
    }

    /** Marks these versions handled (a newer version, completed meanwhile, stays unmarked). */
    Future<Void> markDispatched(List<Undispatched> traces) {
        if (traces.isEmpty()) {
            return Future.succeededFuture();
        }
        return pool.preparedQuery("""
                        UPDATE traces t SET dispatched_version = d.version
                        FROM unnest($1::text[], $2::text[], $3::int[]) AS d(project_id, trace_id, version)
                        WHERE t.project_id = d.project_id AND t.trace_id = d.trace_id AND t.version = d.version""")
                .execute(Tuple.tuple().addArrayOfString(traces.stream().map(Undispatched::projectId).toArray(String[]::new))
                        .addArrayOfString(traces.stream().map(Undispatched::traceId).toArray(String[]::new))
                        .addArrayOfInteger(traces.stream().map(Undispatched::version).toArray(Integer[]::new)))
                .mapEmpty();
    }

    /** Of the given completed traces, those passing the base and theme filters (the SQL twin of streaming dispatch). */
    Future<List<Candidate>> candidatesAmong(String projectId, List<String> traceIds, Filters base, Filters theme) {
        FilterSql.Compiled b = base.compile(3);
        FilterSql.Compiled t = theme.compile(3 + b.params().size());
        Tuple params = Tuple.tuple().addString(projectId).addArrayOfString(traceIds.toArray(String[]::new));
        b.params().forEach(params::addValue);
        t.params().forEach(params::addValue);
        return pool.preparedQuery("SELECT t.trace_id, t.version, t.content_chars FROM traces t WHERE t.project_id = $1"
                        + " AND t.trace_id = ANY($2::text[]) AND t.status = 'completed' AND (" + b.sql() + ") AND (" + t.sql() + ")")
                .execute(params).map(rows -> {
                    List<Candidate> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(new Candidate(r.getString(0), r.getInteger(1), r.getLong(2))));
                    return out;
                });
    }

    /** Enabled themes of every project whose schedule is not manual. */
    Future<List<dev.prism.bus.ScheduledThemes.Entry>> scheduled() {
        return pool.query("SELECT project_id, theme_id, schedule::text FROM themes WHERE enabled AND schedule ->> 'type' <> 'manual'"
                        + " ORDER BY project_id, theme_id").execute()
                .map(rows -> {
                    List<dev.prism.bus.ScheduledThemes.Entry> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new dev.prism.bus.ScheduledThemes.Entry(r.getString(0), r.getString(1), json(r.getString(2)))));
                    return out;
                });
    }

    Future<List<String>> projects() {
        return pool.query("SELECT id FROM projects").execute().map(rows -> {
            List<String> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getString(0)));
            return ids;
        });
    }

    private static AnalysisTheme theme(Row r) {
        return new AnalysisTheme(r.getString(0), r.getString(1), r.getString(2), r.getString(3), json(r.getString(4)),
                json(r.getString(5)), r.getDouble(6), r.getString(7), r.getString(8), r.getInteger(9), json(r.getString(10)),
                json(r.getString(11)), json(r.getString(12)), r.getBoolean(13), r.getBoolean(14), json(r.getString(17)),
                r.getOffsetDateTime(15).toInstant(), r.getOffsetDateTime(16).toInstant());
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored theme JSON is unreadable", e);
        }
    }
}
