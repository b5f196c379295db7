package dev.prism.project;

import dev.prism.bus.Addresses;
import dev.prism.bus.ApiAccess;
import dev.prism.bus.Failure;
import dev.prism.bus.IngestTokenLookup;
import dev.prism.config.PrismConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Projects and credentials. At start it creates the {@code default} project with its ingestion token and an admin API
 * key (from configuration, or generated and printed once), storing only their hashes. It then answers who a token
 * belongs to, from memory, falling back to the database for credentials created by another instance.
 *
 * <p>Consumes {@value Addresses#PROJECT_RESOLVE_TOKEN} and {@value Addresses#PROJECT_AUTHORIZE}.
 */
public final class ProjectVerticle extends VerticleBase {

    public static final String DEFAULT_PROJECT = "default";
    static final String CONFIGURED_ADMIN_KEY = "admin (configured)";

    private final Pool pool;
    private final PrismConfig.Auth auth;
    private final PrintStream console;
    private final Map<String, String> projectByTokenHash = new HashMap<>();
    private final Set<String> adminKeyHashes = new HashSet<>();
    private final Set<String> projects = new HashSet<>();

    public ProjectVerticle(Pool pool, PrismConfig.Auth auth, PrintStream console) {
        this.pool = pool;
        this.auth = auth;
        this.console = console;
    }

    @Override
    public Future<?> start() {
        return pool.withTransaction(this::bootstrap)
                .compose(v -> reload())
                .compose(v -> {
                    vertx.eventBus().<IngestTokenLookup>consumer(Addresses.PROJECT_RESOLVE_TOKEN, msg ->
                            resolveToken(msg.body().token()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
                    vertx.eventBus().<ApiAccess>consumer(Addresses.PROJECT_AUTHORIZE, msg ->
                            authorize(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
                    return Future.succeededFuture();
                });
    }

    /** First start creates the default project; configured tokens replace stored ones on every start. */
    private Future<Void> bootstrap(SqlConnection conn) {
        return conn.preparedQuery("SELECT 1 FROM projects WHERE id = $1").execute(Tuple.of(DEFAULT_PROJECT)).compose(rows -> {
            if (rows.size() > 0) {
                Future<?> token = auth.projectToken().isPresent()
                        ? conn.preparedQuery("UPDATE projects SET ingest_token_hash = $2 WHERE id = $1")
                                .execute(Tuple.of(DEFAULT_PROJECT, Tokens.hash(auth.projectToken().get())))
                        : Future.succeededFuture();
                return token.compose(v -> upsertConfiguredAdminKey(conn)).mapEmpty();
            }
            String ingestToken = auth.projectToken().orElseGet(() -> Tokens.generate("prism_ingest_"));
            Optional<String> generatedAdmin = auth.adminToken().isPresent() ? Optional.empty()
                    : Optional.of(Tokens.generate("prism_admin_"));
            // Instances sharing a database may start together: only the one whose insert lands creates the keys.
            return conn.preparedQuery("INSERT INTO projects (id, name, ingest_token_hash) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
                    .execute(Tuple.of(DEFAULT_PROJECT, "Default project", Tokens.hash(ingestToken)))
                    .compose(inserted -> inserted.rowCount() == 0 ? Future.failedFuture(new ConcurrentBootstrap()) : Future.succeededFuture())
                    .compose(v -> generatedAdmin.isPresent()
                            ? conn.preparedQuery("INSERT INTO api_keys (name, key_hash) VALUES ($1, $2)")
                                    .execute(Tuple.of("admin (generated)", Tokens.hash(generatedAdmin.get()))).mapEmpty()
                            : upsertConfiguredAdminKey(conn))
                    .onSuccess(v -> printFirstStart(auth.projectToken().isPresent() ? null : ingestToken, generatedAdmin.orElse(null)))
                    .recover(e -> e instanceof ConcurrentBootstrap ? Future.succeededFuture() : Future.failedFuture(e))
                    .mapEmpty();
        });
    }

    /** Another instance created the default project between our check and our insert. */
    private static final class ConcurrentBootstrap extends RuntimeException {
        ConcurrentBootstrap() {
            super(null, null, false, false);
        }
    }

    private Future<Void> upsertConfiguredAdminKey(SqlConnection conn) {
        if (auth.adminToken().isEmpty()) {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("DELETE FROM api_keys WHERE name = $1").execute(Tuple.of(CONFIGURED_ADMIN_KEY))
                .compose(v -> conn.preparedQuery("INSERT INTO api_keys (name, key_hash) VALUES ($1, $2) ON CONFLICT (key_hash) DO NOTHING")
                        .execute(Tuple.of(CONFIGURED_ADMIN_KEY, Tokens.hash(auth.adminToken().get()))))
                .mapEmpty();
    }

    /** The only place secrets are shown: once, on the console, when they were just generated. */
    private void printFirstStart(String ingestToken, String adminKey) {
        if (ingestToken == null && adminKey == null) {
            return;
        }
        StringBuilder out = new StringBuilder("\n=== Prism first start: keep these, they are shown only once ===\n");
        if (ingestToken != null) {
            out.append("Project 'default' ingestion token (PostHog api_key): ").append(ingestToken).append('\n');
        }
        if (adminKey != null) {
            out.append("Admin API key (Authorization: Bearer ...):         ").append(adminKey).append('\n');
        }
        out.append("Set PRISM_PROJECT_TOKEN / PRISM_ADMIN_TOKEN to choose your own.\n");
        console.println(out);
    }

    private Future<Void> reload() {
        Future<Void> tokens = pool.query("SELECT id, ingest_token_hash FROM projects").execute().map(rows -> {
            projectByTokenHash.clear();
            projects.clear();
            for (Row r : rows) {
                projects.add(r.getString(0));
                projectByTokenHash.put(r.getString(1), r.getString(0));
            }
            return null;
        });
        Future<Void> keys = pool.query("SELECT key_hash FROM api_keys WHERE project_id IS NULL").execute().map(rows -> {
            adminKeyHashes.clear();
            rows.forEach(r -> adminKeyHashes.add(r.getString(0)));
            return null;
        });
        return Future.all(tokens, keys).mapEmpty();
    }

    private Future<String> resolveToken(String token) {
        String hash = Tokens.hash(token);
        String known = projectByTokenHash.get(hash);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        return pool.preparedQuery("SELECT id FROM projects WHERE ingest_token_hash = $1").execute(Tuple.of(hash)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.failedFuture(new Failure(401, "invalid_token", "Unknown project token").exception());
            }
            String id = rows.iterator().next().getString(0);
            projectByTokenHash.put(hash, id);
            return Future.succeededFuture(id);
        });
    }

    private Future<String> authorize(ApiAccess access) {
        if (access.apiKey() == null || access.apiKey().isBlank()) {
            return Future.failedFuture(new Failure(401, "unauthorized", "Send an API key as Authorization: Bearer <key>").exception());
        }
        String hash = Tokens.hash(access.apiKey());
        Future<Void> known = adminKeyHashes.contains(hash) ? Future.succeededFuture()
                : pool.preparedQuery("SELECT 1 FROM api_keys WHERE key_hash = $1 AND project_id IS NULL").execute(Tuple.of(hash))
                        .compose(rows -> {
                            if (rows.size() == 0) {
                                return Future.failedFuture(new Failure(401, "unauthorized", "Invalid API key").exception());
                            }
                            adminKeyHashes.add(hash);
                            return Future.succeededFuture();
                        });
        return known.compose(v -> {
            if (access.projectId() == null || projects.contains(access.projectId())) {
                return Future.succeededFuture(access.projectId());
            }
            return pool.preparedQuery("SELECT 1 FROM projects WHERE id = $1").execute(Tuple.of(access.projectId())).compose(rows -> {
                if (rows.size() == 0) {
                    return Future.failedFuture(new Failure(404, "project_not_found", "No project '" + access.projectId() + "'").exception());
                }
                projects.add(access.projectId());
                return Future.succeededFuture(access.projectId());
            });
        });
    }
}
