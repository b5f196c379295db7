package dev.prism.store;

import dev.prism.config.PrismConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL every feature stores into: the embedded server when no URL is configured, migrations applied
 * with Flyway before anything else runs, and one reactive pool shared by the verticles.
 * Startup blocks (process start, JDBC migrations), so it runs on a worker thread.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /**
     * A server that does not answer (host down, packets dropped) fails a connect in seconds, not the default minute,
     * so requests waiting for a connection answer 503 instead of hanging.
     */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final Pool pool;
    private final Pool apiPool;
    private final Optional<EmbeddedPostgresServer> embedded;
    private final String description;
    private final PgConnectOptions connectOptions;

    private Database(Pool pool, Pool apiPool, Optional<EmbeddedPostgresServer> embedded, String description, PgConnectOptions connectOptions) {
        this.pool = pool;
        this.apiPool = apiPool;
        this.embedded = embedded;
        this.description = description;
        this.connectOptions = connectOptions;
    }

    /** Where the store is, for a dedicated connection (LISTEN needs one of its own, outside the pools). */
    public PgConnectOptions connectOptions() {
        return new PgConnectOptions(connectOptions);
    }

    /** Whether the store is a PostgreSQL of the user's ({@code pg.url}), which other instances may share. */
    public boolean shared() {
        return embedded.isEmpty();
    }

    public static Future<Database> start(Vertx vertx, PrismConfig.Store config) {
        return vertx.executeBlocking(() -> {
            Optional<EmbeddedPostgresServer> embedded = config.pgUrl().isPresent()
                    ? Optional.empty()
                    : Optional.of(EmbeddedPostgresServer.start(config.dataDir()));
            try {
                ConnectionSettings settings = embedded.map(EmbeddedPostgresServer::settings)
                        .orElseGet(() -> ConnectionSettings.parse(config.pgUrl().orElseThrow()));
                migrate(settings);
                if (embedded.isPresent()) {
                    releaseLeasesOfDeadProcesses(settings);
                }
                Pool pool = PgBuilder.pool()
                        .with(new PoolOptions().setMaxSize(config.poolSize()))
                        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS))
                        .connectingTo(settings.connectOptions().addProperty("application_name", "prism"))
                        .using(vertx)
                        .build();
                // The REST API's own connections carry a statement timeout from their first statement on: a preview
                // with regular expressions over a week of traces cannot hold a connection (and a core) for ever, while
                // the stages' long legitimate statements (a run's selection, a re-cluster's load) are not cut short.
                PgConnectOptions api = settings.connectOptions().addProperty("application_name", "prism-api");
                if (config.apiStatementTimeoutMillis() > 0) {
                    api.addProperty("statement_timeout", Long.toString(config.apiStatementTimeoutMillis()));
                }
                Pool apiPool = PgBuilder.pool()
                        .with(new PoolOptions().setMaxSize(Math.max(2, config.poolSize() / 2)))
                        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS))
                        .connectingTo(api)
                        .using(vertx)
                        .build();
                String description = embedded.isPresent()
                        ? "embedded PostgreSQL in " + embedded.get().dataDirectory().toAbsolutePath()
                        : "PostgreSQL at " + settings.host() + ":" + settings.port() + "/" + settings.database();
                LOG.info("Store: {}", description);
                return new Database(pool, apiPool, embedded, description, settings.connectOptions().addProperty("application_name", "prism-live"));
            } catch (RuntimeException e) {
                embedded.ifPresent(EmbeddedPostgresServer::close);
                throw e;
            }
        });
    }

    private static void migrate(ConnectionSettings settings) {
        Flyway.configure()
                .dataSource(settings.jdbcUrl(), settings.user(), settings.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /**
     * With the embedded server this process is the only instance (it holds the data directory's lock), so an analysis
     * still leased at start was claimed by a process that died (a crash, {@code kill -9}): queue it again now rather
     * than after its lease runs out, minutes later. Its attempt still counts, so a task that kills the process is not
     * retried forever.
     */
    private static void releaseLeasesOfDeadProcesses(ConnectionSettings settings) {
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
             Statement s = c.createStatement()) {
            int released = s.executeUpdate("""
                    UPDATE analyses SET status = 'queued', lease_until = NULL, leased_by = NULL, next_attempt_at = now()
                    WHERE status = 'running'""");
            if (released > 0) {
                LOG.info("Queued again {} analyses left running by a previous process that did not stop cleanly", released);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot release the analyses leased by a previous process: " + e.getMessage(), e);
        }
    }

    public Pool pool() {
        return pool;
    }

    /**
     * Connections for statements run on behalf of a REST API request: each statement is cancelled by PostgreSQL after
     * {@code pg.apiStatementTimeoutMillis} (SQLSTATE 57014, answered 504). Background stages use {@link #pool()}.
     */
    public Pool apiPool() {
        return apiPool;
    }

    public String description() {
        return description;
    }

    /** Closes the pool, then stops the embedded server (if any) cleanly so its data directory stays consistent. */
    public Future<Void> close(Vertx vertx) {
        return pool.close().eventually(apiPool::close).eventually(() -> vertx.executeBlocking(() -> {
            embedded.ifPresent(EmbeddedPostgresServer::close);
            return null;
        }));
    }

    /** Where to connect, parsed from a {@code postgresql://user:password@host:port/database} URL. */
    public record ConnectionSettings(String host, int port, String database, String user, String password) {

        public static ConnectionSettings parse(String url) {
            URI uri = URI.create(url.replaceFirst("^postgres(ql)?://", "postgresql://"));
            String user = "postgres";
            String password = "";
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : "";
            }
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            return new ConnectionSettings(uri.getHost() == null ? "localhost" : uri.getHost(),
                    uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password);
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }

        String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        PgConnectOptions connectOptions() {
            return new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
                    .setUser(user).setPassword(password)
                    // Statements repeat on hot paths (ingestion, trace sweeps): prepare them once per connection.
                    .setCachePreparedStatements(true).setPipeliningLimit(16);
        }

        @Override
        public String toString() {
            return "ConnectionSettings[" + host + ":" + port + "/" + database + " as " + user + "]";
        }
    }
}
