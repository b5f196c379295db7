package dev.prism.theme;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.AnalysisTheme;
import dev.prism.config.PrismConfig;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.Optional;

import static dev.prism.support.TestServer.await;

/** A database of its own for one theme verticle test: the real schema, projects {@code p} and {@code q}, and ways to add rows. */
final class ThemeTestDatabase implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final ServicePostgres postgres;
    private final Database database;

    private ThemeTestDatabase(Vertx vertx, ServicePostgres postgres, Database database) {
        this.vertx = vertx;
        this.postgres = postgres;
        this.database = database;
    }

    static ThemeTestDatabase start(Vertx vertx) throws Exception {
        ServicePostgres postgres = ServicePostgres.createDatabase();
        Database database = await(Database.start(vertx, new PrismConfig.Store(Optional.of(postgres.url()), Path.of("unused"), 4)));
        await(database.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h'), ('q', 'q', 'h2')").execute());
        return new ThemeTestDatabase(vertx, postgres, database);
    }

    Pool pool() {
        return database.pool();
    }

    /** A custom theme as the CRUD verticle would store it from this JSON body. */
    AnalysisTheme theme(String projectId, String body) throws Exception {
        ThemeRepository repository = new ThemeRepository(pool(), pool());
        ThemeDraft.Fields fields = ThemeDraft.apply(JSON.readTree(body), null, ThemeDraft.Mode.CREATE, null);
        await(pool().withTransaction(conn -> repository.insert(conn, projectId, fields, false)));
        return await(repository.existing(projectId, fields.themeId()));
    }

    /**
     * A completed trace version.
     *
     * @param completedSecondsAgo when it completed (and was last seen)
     * @param dispatched          whether theme dispatch already handled this version
     */
    void trace(String projectId, String traceId, int version, int completedSecondsAgo, long contentChars, boolean dispatched) throws Exception {
        await(pool().preparedQuery("""
                        INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, completed_at, name, event_count,
                                            content_chars, dispatched_version)
                        VALUES ($1, $2, $3, 'completed', now() - make_interval(secs => $4::int + 5), now() - make_interval(secs => $4::int),
                                now() - make_interval(secs => $4::int), $2, 3, $5, CASE WHEN $6 THEN $3 END)""")
                .execute(Tuple.of(projectId, traceId, version, completedSecondsAgo, contentChars, dispatched)));
    }

    Integer dispatchedVersion(String projectId, String traceId) throws Exception {
        return await(pool().preparedQuery("SELECT dispatched_version FROM traces WHERE project_id = $1 AND trace_id = $2")
                .execute(Tuple.of(projectId, traceId))).iterator().next().getInteger(0);
    }

    @Override
    public void close() throws Exception {
        await(database.close(vertx));
        postgres.close();
    }
}
