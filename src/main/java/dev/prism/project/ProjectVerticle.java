package dev.prism.project;

import dev.prism.bus.Addresses;
import dev.prism.bus.ApiAccess;
import dev.prism.bus.Failure;
import dev.prism.bus.IngestTokenLookup;
import dev.prism.bus.KeyCommand;
import dev.prism.bus.KeyScope;
import dev.prism.bus.ProjectsQuery;
import dev.prism.config.PrismConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Projects and credentials. At start it creates the {@code default} project with its ingestion token and an admin API
 * key (from configuration, or generated and printed once), storing only their hashes; a configured admin token revokes
 * the generated key. It answers who an ingestion credential belongs to (project tokens and {@code ingest} keys, cached
 * for {@code auth.tokenCacheMillis} because every capture request asks), and whether an API key may read or change a
 * project (from the database on every request, so a key revoked on any instance is refused everywhere at once).
 * Clients that keep failing are refused with 429 for the rest of the minute.
 *
 * <p>Consumes {@value Addresses#PROJECT_RESOLVE_TOKEN}, {@value Addresses#PROJECT_AUTHORIZE},
 * {@value Addresses#PROJECT_KEYS} and {@value Addresses#PROJECT_LIST}.
 */
public final class ProjectVerticle extends VerticleBase {

    public static final String DEFAULT_PROJECT = "default";
    static final String CONFIGURED_ADMIN_KEY = "admin (configured)";
    static final String GENERATED_ADMIN_KEY = "admin (generated)";
    static final String KEY_PREFIX = "prism_key_";
    /** Enough of a key to tell keys apart in a list (4 of its 43 random characters), far too little to guess the rest. */
    static final int DISPLAYED_CHARS = KEY_PREFIX.length() + 4;
    static final int MAX_NAME_CHARS = 200;

    private final Pool pool;
    private final PrismConfig.Auth auth;
    private final PrintStream console;
    private final CredentialCache ingestCredentials;
    private final AuthFailures failures;
    /** Projects are never renamed and only deleted with all their data, so knowing one exists can be kept. */
    private final Set<String> projects = new HashSet<>();

    public ProjectVerticle(Pool pool, PrismConfig.Auth auth, PrintStream console) {
        this.pool = pool;
        this.auth = auth;
        this.console = console;
        this.ingestCredentials = new CredentialCache(auth.tokenCacheMillis(), 10_000);
        this.failures = new AuthFailures(auth.maxFailuresPerMinute(), 10_000);
    }

    @Override
    public Future<?> start() {
        return pool.withTransaction(this::bootstrap)
                .compose(v -> {
                    vertx.eventBus().<IngestTokenLookup>consumer(Addresses.PROJECT_RESOLVE_TOKEN, msg ->
                            resolveToken(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
                    vertx.eventBus().<ApiAccess>consumer(Addresses.PROJECT_AUTHORIZE, msg ->
                            authorize(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
                    vertx.eventBus().<KeyCommand>consumer(Addresses.PROJECT_KEYS, msg ->
                            keys(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
                    vertx.eventBus().<ProjectsQuery>consumer(Addresses.PROJECT_LIST, msg ->
                            projects(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
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
                return token.compose(v -> revokeGeneratedAdminKey(conn)).compose(v -> upsertConfiguredAdminKey(conn)).mapEmpty();
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
                                    .execute(Tuple.of(GENERATED_ADMIN_KEY, Tokens.hash(generatedAdmin.get()))).mapEmpty()
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

    /** The README promises that setting PRISM_ADMIN_TOKEN replaces the generated key: it must stop working. */
    private Future<Void> revokeGeneratedAdminKey(SqlConnection conn) {
        if (auth.adminToken().isEmpty()) {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND project_id IS NULL AND revoked_at IS NULL")
                .execute(Tuple.of(GENERATED_ADMIN_KEY)).mapEmpty();
    }

    private Future<Void> upsertConfiguredAdminKey(SqlConnection conn) {
        if (auth.adminToken().isEmpty()) {
            return Future.succeededFuture();
        }
        // A user who copies the generated key into PRISM_ADMIN_TOKEN gets the same hash: that row becomes the
        // configured key again (revoked a moment ago above) instead of locking them out.
        return conn.preparedQuery("DELETE FROM api_keys WHERE name = $1").execute(Tuple.of(CONFIGURED_ADMIN_KEY))
                .compose(v -> conn.preparedQuery("""
                                INSERT INTO api_keys (name, key_hash, scopes) VALUES ($1, $2, '{admin}')
                                ON CONFLICT (key_hash) DO UPDATE SET name = EXCLUDED.name, project_id = NULL, scopes = '{admin}', revoked_at = NULL""")
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

    /** Project tokens and ingest-scoped keys both ingest; this runs for every capture request, hence the short-lived cache. */
    private Future<String> resolveToken(IngestTokenLookup lookup) {
        long now = System.currentTimeMillis();
        Future<Void> allowed = throttle(lookup.client(), now);
        if (allowed != null) {
            return allowed.mapEmpty();
        }
        String hash = Tokens.hash(lookup.token());
        String known = ingestCredentials.get(hash, now);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        return pool.preparedQuery("""
                        SELECT id FROM projects WHERE ingest_token_hash = $1
                        UNION ALL
                        SELECT project_id FROM api_keys
                         WHERE key_hash = $1 AND revoked_at IS NULL AND project_id IS NOT NULL AND 'ingest' = ANY (scopes)
                        LIMIT 1""")
                .execute(Tuple.of(hash))
                .transform(ar -> {
                    if (ar.failed()) {
                        return storeDown(ar.cause());
                    }
                    if (ar.result().size() == 0) {
                        failures.failed(lookup.client(), System.currentTimeMillis());
                        return Future.failedFuture(new Failure(401, "invalid_token", "Unknown project token").exception());
                    }
                    String id = ar.result().iterator().next().getString(0);
                    ingestCredentials.put(hash, id, System.currentTimeMillis());
                    return Future.succeededFuture(id);
                });
    }

    private Future<String> authorize(ApiAccess access) {
        if (access.apiKey() == null || access.apiKey().isBlank()) {
            return Future.failedFuture(new Failure(401, "unauthorized", "Send an API key as Authorization: Bearer <key>").exception());
        }
        Future<Void> throttled = throttle(access.client(), System.currentTimeMillis());
        if (throttled != null) {
            return throttled.mapEmpty();
        }
        // No cache: one indexed look-up per API request is cheap next to what the request does, and it makes
        // revocation take effect on the very next request on every instance.
        return pool.preparedQuery("SELECT project_id, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(Tokens.hash(access.apiKey())))
                .transform(ar -> {
                    if (ar.failed()) {
                        return storeDown(ar.cause());
                    }
                    if (ar.result().size() == 0) {
                        failures.failed(access.client(), System.currentTimeMillis());
                        return Future.failedFuture(new Failure(401, "unauthorized", "Invalid API key").exception());
                    }
                    Row key = ar.result().iterator().next();
                    String keyProject = key.getString(0);
                    Set<KeyScope> scopes = scopes(key.getArrayOfStrings(1));
                    if (keyProject != null && access.projectId() != null && !keyProject.equals(access.projectId())) {
                        return Future.failedFuture(new Failure(403, "forbidden", "This key does not cover project '" + access.projectId() + "'").exception());
                    }
                    if (!allows(scopes, access.scope())) {
                        return Future.failedFuture(new Failure(403, "forbidden", "This key has the scopes " + wire(scopes)
                                + "; this request needs " + access.scope().wire()).exception());
                    }
                    return projectExists(access.projectId());
                });
    }

    /** {@code admin} includes {@code read}; {@code ingest} is only ever for sending events. */
    static boolean allows(Set<KeyScope> scopes, KeyScope needed) {
        return scopes.contains(needed) || (needed == KeyScope.READ && scopes.contains(KeyScope.ADMIN));
    }

    private Future<String> projectExists(String projectId) {
        if (projectId == null || projects.contains(projectId)) {
            return Future.succeededFuture(projectId);
        }
        return pool.preparedQuery("SELECT 1 FROM projects WHERE id = $1").execute(Tuple.of(projectId)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.failedFuture(new Failure(404, "project_not_found", "No project '" + projectId + "'").exception());
            }
            projects.add(projectId);
            return Future.succeededFuture(projectId);
        });
    }

    /** Null when the client may try; else a 429 whose detail names the wait (the HTTP edge copies it into Retry-After). */
    private Future<Void> throttle(String client, long now) {
        long wait = failures.retryAfterSeconds(client, now);
        return wait == 0 ? null : Future.failedFuture(new Failure(429, "too_many_failures",
                "Too many failed authentications from this address; retry in " + wait + " s").exception());
    }

    /** A credential that cannot be checked is neither accepted nor refused: the caller should retry. */
    private static <T> Future<T> storeDown(Throwable cause) {
        // Server-side errors other than "shutting down" (class 57) or "connection" (class 08) are bugs: a 500, logged.
        if (cause instanceof PgException pg && pg.getSqlState() != null && !pg.getSqlState().startsWith("57") && !pg.getSqlState().startsWith("08")) {
            return Future.failedFuture(cause);
        }
        return Future.failedFuture(new Failure(503, "store_unavailable", "Credentials cannot be checked now; retry").exception());
    }

    /** The projects the (already authorized) key covers: all of them for a key without a project. */
    private Future<ProjectsQuery.Projects> projects(ProjectsQuery query) {
        return pool.preparedQuery("""
                        SELECT p.id, p.name, p.created_at FROM projects p
                         WHERE EXISTS (SELECT 1 FROM api_keys k WHERE k.key_hash = $1 AND k.revoked_at IS NULL
                                          AND (k.project_id IS NULL OR k.project_id = p.id))
                         ORDER BY p.id""")
                .execute(Tuple.of(Tokens.hash(query.apiKey() == null ? "" : query.apiKey())))
                .map(rows -> {
                    List<ProjectsQuery.Project> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ProjectsQuery.Project(r.getString(0), r.getString(1), r.getOffsetDateTime(2).toInstant())));
                    return new ProjectsQuery.Projects(out);
                });
    }

    private Future<?> keys(KeyCommand command) {
        if (command instanceof KeyCommand.Create c) {
            return create(c);
        }
        if (command instanceof KeyCommand.Revoke r) {
            return pool.preparedQuery("""
                            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND project_id = $2
                            RETURNING id, project_id, name, scopes, display, created_at, revoked_at, key_hash""")
                    .execute(Tuple.of(r.id(), r.projectId()))
                    .compose(rows -> {
                        if (rows.size() == 0) {
                            return Future.failedFuture(new Failure(404, "key_not_found", "Project '" + r.projectId() + "' has no key " + r.id()).exception());
                        }
                        Row row = rows.iterator().next();
                        ingestCredentials.remove(row.getString("key_hash"));
                        return Future.succeededFuture(key(row, null));
                    });
        }
        return pool.preparedQuery("SELECT id, project_id, name, scopes, display, created_at, revoked_at FROM api_keys WHERE project_id = $1 ORDER BY id")
                .execute(Tuple.of(command.projectId()))
                .map(rows -> {
                    List<KeyCommand.Key> out = new ArrayList<>();
                    rows.forEach(row -> out.add(key(row, null)));
                    return new KeyCommand.Keys(out);
                });
    }

    private Future<KeyCommand.Key> create(KeyCommand.Create c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            return Future.failedFuture(new Failure(400, "invalid_name", "A key needs a name of 1 to " + MAX_NAME_CHARS + " characters").exception());
        }
        if (c.scopes() == null || c.scopes().isEmpty()) {
            return Future.failedFuture(new Failure(400, "invalid_scopes", "A key needs at least one scope: ingest, read or admin").exception());
        }
        String secret = Tokens.generate(KEY_PREFIX);
        String display = secret.substring(0, DISPLAYED_CHARS) + "…";
        return pool.preparedQuery("""
                        INSERT INTO api_keys (name, key_hash, project_id, scopes, display) VALUES ($1, $2, $3, $4, $5)
                        RETURNING id, project_id, name, scopes, display, created_at, revoked_at""")
                .execute(Tuple.of(name, Tokens.hash(secret), c.projectId(), wire(c.scopes()).toArray(new String[0]), display))
                .map(rows -> key(rows.iterator().next(), secret));
    }

    private static KeyCommand.Key key(Row row, String secret) {
        var revoked = row.getOffsetDateTime("revoked_at");
        return new KeyCommand.Key(row.getLong("id"), row.getString("project_id"), row.getString("name"), scopes(row.getArrayOfStrings("scopes")),
                row.getString("display"), row.getOffsetDateTime("created_at").toInstant(), revoked == null ? null : revoked.toInstant(), secret);
    }

    private static Set<KeyScope> scopes(String[] names) {
        Set<KeyScope> out = EnumSet.noneOf(KeyScope.class);
        for (String n : names == null ? new String[0] : names) {
            KeyScope.parse(n).ifPresent(out::add);
        }
        return out;
    }

    private static List<String> wire(Set<KeyScope> scopes) {
        return scopes.stream().sorted().map(KeyScope::wire).toList();
    }
}
