package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ApiAccess;
import dev.prism.bus.CaptureRequest;
import dev.prism.bus.CaptureResult;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.EmbedSearch;
import dev.prism.bus.Failure;
import dev.prism.bus.IngestTokenLookup;
import dev.prism.bus.Instances;
import dev.prism.bus.KeyCommand;
import dev.prism.bus.KeyScope;
import dev.prism.bus.LlmSettings;
import dev.prism.bus.OtlpExport;
import dev.prism.bus.RunCommand;
import dev.prism.bus.ShareCommand;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.ThemeExport;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceListQuery;
import dev.prism.bus.TracePage;
import dev.prism.bus.TraceQuery;
import dev.prism.bus.TraceText;
import dev.prism.bus.TraceTextQuery;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: PostHog-compatible ingestion, the REST API, health probes and the static dashboard. Handlers only
 * translate between HTTP and bus messages; every failure goes through one handler that answers
 * {@code {"error", "detail"}} with the matching status. Deploy one instance per core; Vert.x spreads connections.
 *
 * <p>{@code GET /ws} is the live WebSocket API; its {@link LiveHub} consumes the events clients may subscribe to.
 *
 * <p>Sends {@value Addresses#INGEST_CAPTURE}, {@value Addresses#PROJECT_RESOLVE_TOKEN}, {@value Addresses#PROJECT_AUTHORIZE},
 * {@value Addresses#PROJECT_KEYS}, {@value Addresses#TRACE_LIST},
 * {@value Addresses#TRACE_GET}, {@value Addresses#FORMAT_TEXT}, {@value Addresses#THEME_GET} (share links),
 * the cluster verbs ({@code prism.cluster.*}), {@value Addresses#EMBED_SEARCH}, the theme verbs ({@link ThemeRoutes}) and the
 * alert commands ({@link AlertRoutes}).
 */
public final class HttpServerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVerticle.class);
    private static final String PROJECT = "projectId";
    /** The body limit of the route being served, when it is not {@code http.bodyLimitBytes} (read by the 413 answer). */
    private static final String BODY_LIMIT = "bodyLimit";
    /**
     * Where OTLP exporters post traces: the default path, and under PostHog's AI OTLP endpoint; {@code @posthog/ai/otel}'s
     * exporter posts to the endpoint itself ({@code url: host + "/i/v0/ai/otel"}), so that is traces too.
     */
    static final String[] OTLP_TRACES = {"/v1/traces", "/i/v0/ai/otel/v1/traces", "/i/v0/ai/otel"};
    /** Where OTLP exporters post log records, likewise. */
    static final String[] OTLP_LOGS = {"/v1/logs", "/i/v0/ai/otel/v1/logs"};
    static final int MAX_WS_REQUEST_BYTES = 64 * 1024;
    static final String STORE_RETRY_AFTER_SECONDS = "5";
    /** The dashboard loads only its own modules and stylesheet and talks only to this origin (REST and /ws). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final PrismConfig.Http config;
    private final Pool pool;
    private final Metrics metrics;
    /** Where links in exports and share answers point; null: relative to this server. */
    private final String publicUrl;
    private HttpServer server;
    private LiveHub hub;

    /** @param pool used only by the readiness probe */
    public HttpServerVerticle(PrismConfig.Http config, Pool pool, Metrics metrics) {
        this(config, pool, metrics, new PrismConfig.Dashboard(java.util.Optional.empty()));
    }

    public HttpServerVerticle(PrismConfig.Http config, Pool pool, Metrics metrics, PrismConfig.Dashboard dashboard) {
        this.config = config;
        this.pool = pool;
        this.metrics = metrics;
        this.publicUrl = dashboard.publicUrl().orElse(null);
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()).setHandleFileUploads(false);

        router.route().handler(HttpServerVerticle::securityHeaders);
        postHogRoutes(router, body);

        hub = new LiveHub(vertx, config.webSocket(), metrics);
        router.get("/ws").handler(this::webSocket);

        router.get("/health").handler(ctx -> json(ctx, 200, Json.MAPPER.createObjectNode().put("status", "ok")));
        router.get("/ready").handler(this::ready);
        router.get("/metrics").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));

        sharedRoutes(router);
        // The key is checked before the body is read: the request stays paused meanwhile (or its chunks would be lost),
        // and the body handler resumes it.
        router.route("/api/projects/:" + PROJECT + "/*").handler(this::authorize);
        router.route("/api/*").handler(this::authorize);
        router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(1024 * 1024).setHandleFileUploads(false));
        router.get("/api/instances").handler(ctx -> vertx.eventBus().<Instances.Members>request(Addresses.INSTANCES, new Instances())
                .onSuccess(r -> json(ctx, 200, instances(r.body())))
                .onFailure(ctx::fail));
        router.get("/api/projects").handler(ctx -> vertx.eventBus()
                .<dev.prism.bus.ProjectsQuery.Projects>request(Addresses.PROJECT_LIST, new dev.prism.bus.ProjectsQuery(bearer(ctx)))
                .onSuccess(r -> json(ctx, 200, Json.projects(r.body().projects())))
                .onFailure(ctx::fail));
        router.get("/api/projects/:" + PROJECT + "/traces").handler(this::listTraces);
        router.get("/api/projects/:" + PROJECT + "/traces/:traceId").handler(this::getTrace);
        router.get("/api/projects/:" + PROJECT + "/traces/:traceId/text").handler(this::traceText);
        router.get("/api/projects/:" + PROJECT + "/traces/:traceId/events/:uuid").handler(this::traceEvent);
        String keys = "/api/projects/:" + PROJECT + "/keys";
        router.get(keys).handler(ctx -> keys(ctx, new KeyCommand.List(ctx.pathParam(PROJECT)), 200));
        router.post(keys).handler(ctx -> withJson(ctx, json -> {
            KeyCommand.Create create;
            try {
                create = Json.keyCreate(ctx.pathParam(PROJECT), json);
            } catch (Failure.FailureException e) {
                ctx.fail(e);
                return;
            }
            keys(ctx, create, 201);
        }));
        router.delete(keys + "/:keyId").handler(ctx -> {
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("keyId"));
            } catch (NumberFormatException e) {
                ctx.fail(new Failure(404, "key_not_found", "No key " + ctx.pathParam("keyId")).exception());
                return;
            }
            keys(ctx, new KeyCommand.Revoke(ctx.pathParam(PROJECT), id), 200);
        });
        String themes = "/api/projects/:" + PROJECT + "/themes";
        ThemeRoutes.mount(router, vertx);
        router.get("/api/projects/:" + PROJECT + "/summaries").handler(this::summaries);
        router.get("/api/projects/:" + PROJECT + "/analyses/dead").handler(ctx -> {
            int limit;
            Long after;
            try {
                limit = intParam(ctx, "limit", 100);
                after = idCursor(cursorParam(ctx, "after"));
            } catch (Failure.FailureException e) {
                ctx.fail(e);
                return;
            }
            vertx.eventBus().<dev.prism.bus.DeadLetters.Listed>request(Addresses.DEAD_LETTERS,
                            new dev.prism.bus.DeadLetters.List(ctx.pathParam(PROJECT), limit, after))
                    .onSuccess(r -> json(ctx, 200, Json.deadLetters(r.body().entries(), Math.min(limit, 1_000))))
                    .onFailure(ctx::fail);
        });
        router.post("/api/projects/:" + PROJECT + "/analyses/requeue").handler(ctx -> withJson(ctx, json -> {
            if (json == null || !json.path("ids").isArray()) {
                ctx.fail(new Failure(400, "invalid_body", "Send {\"ids\": [dead-letter ids]}").exception());
                return;
            }
            java.util.List<Long> ids = new java.util.ArrayList<>();
            json.get("ids").forEach(id -> ids.add(id.asLong()));
            vertx.eventBus().<dev.prism.bus.DeadLetters.Requeued>request(Addresses.DEAD_LETTERS, new dev.prism.bus.DeadLetters.Requeue(ctx.pathParam(PROJECT), ids))
                    .onSuccess(r -> json(ctx, 200, Json.MAPPER.createObjectNode().put("requeued", r.body().count())))
                    .onFailure(ctx::fail);
        }));
        router.post(themes + "/:themeId/runs").handler(ctx -> withJson(ctx, json -> run(ctx, new RunCommand.Start(ctx.pathParam(PROJECT),
                ctx.pathParam("themeId"), text(json, "date_from"), text(json, "date_to")), 202)));
        router.post(themes + "/:themeId/test").handler(ctx -> withJson(ctx, json -> run(ctx, new RunCommand.Test(ctx.pathParam(PROJECT),
                ctx.pathParam("themeId"), json != null && json.has("traces") ? json.get("traces").asInt(-1) : 3), 200)));
        router.get("/api/projects/:" + PROJECT + "/llm").handler(ctx -> llmSettings(ctx, new LlmSettings.Get(ctx.pathParam(PROJECT))));
        router.put("/api/projects/:" + PROJECT + "/llm").handler(ctx -> withJson(ctx, json ->
                llmSettings(ctx, new LlmSettings.Update(ctx.pathParam(PROJECT), json))));
        router.get("/api/projects/:" + PROJECT + "/runs").handler(ctx -> {
            try {
                run(ctx, new RunCommand.List(ctx.pathParam(PROJECT), ctx.request().getParam("theme"), intParam(ctx, "limit", 50),
                        idCursor(cursorParam(ctx, "before"))), 200);
            } catch (Failure.FailureException e) {
                ctx.fail(e);
            }
        });
        // Before /runs/:runId: "latest" is not a run id.
        router.get("/api/projects/:" + PROJECT + "/runs/latest").handler(ctx -> vertx.eventBus()
                .<RunCommand.Runs>request(Addresses.RUN_COMMAND, new RunCommand.Latest(ctx.pathParam(PROJECT)))
                // One run per theme, all of them: never a next page.
                .onSuccess(r -> json(ctx, 200, Json.runs(r.body().runs(), Integer.MAX_VALUE).putNull("next_cursor")))
                .onFailure(ctx::fail));
        router.get("/api/projects/:" + PROJECT + "/runs/:runId").handler(ctx -> {
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("runId"));
            } catch (NumberFormatException e) {
                ctx.fail(new Failure(404, "run_not_found", "No run " + ctx.pathParam("runId")).exception());
                return;
            }
            run(ctx, new RunCommand.Get(ctx.pathParam(PROJECT), id), 200);
        });
        router.get(themes + "/:themeId/export").handler(ctx -> export(ctx, ctx.pathParam(PROJECT), ctx.pathParam("themeId")));
        String shares = themes + "/:themeId/shares";
        router.post(shares).handler(ctx -> withJson(ctx, json -> {
            Instant expires;
            try {
                expires = json != null && json.hasNonNull("expires_at") ? Instant.parse(json.get("expires_at").asText()) : null;
            } catch (DateTimeParseException e) {
                ctx.fail(new Failure(400, "invalid_expires_at", "expires_at must be an ISO-8601 instant such as 2025-01-31T00:00:00Z").exception());
                return;
            }
            share(ctx, new ShareCommand.Create(ctx.pathParam(PROJECT), ctx.pathParam("themeId"), expires), 201);
        }));
        router.get(shares).handler(ctx -> share(ctx, new ShareCommand.List(ctx.pathParam(PROJECT), ctx.pathParam("themeId")), 200));
        router.delete(shares + "/:shareId").handler(ctx -> {
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("shareId"));
            } catch (NumberFormatException e) {
                ctx.fail(new Failure(404, "share_not_found", "No share link " + ctx.pathParam("shareId")).exception());
                return;
            }
            share(ctx, new ShareCommand.Revoke(ctx.pathParam(PROJECT), ctx.pathParam("themeId"), id), 200);
        });
        router.get(themes + "/:themeId/clusters").handler(ctx -> cluster(ctx,
                new ClusterCommand.List(ctx.pathParam(PROJECT), ctx.pathParam("themeId"))));
        router.get(themes + "/:themeId/map").handler(ctx -> {
            int limit;
            try {
                limit = intParam(ctx, "limit", ClusterCommand.MapQuery.DEFAULT_LIMIT);
            } catch (Failure.FailureException e) {
                ctx.fail(e);
                return;
            }
            if (limit < 1 || limit > ClusterCommand.MapQuery.MAX_LIMIT) {
                ctx.fail(new Failure(400, "invalid_limit", "limit must be from 1 to " + ClusterCommand.MapQuery.MAX_LIMIT + ", got " + limit).exception());
                return;
            }
            cluster(ctx, new ClusterCommand.MapQuery(ctx.pathParam(PROJECT), ctx.pathParam("themeId"), limit));
        });
        router.post(themes + "/:themeId/clusters/refresh").handler(ctx -> cluster(ctx,
                new ClusterCommand.Refresh(ctx.pathParam(PROJECT), ctx.pathParam("themeId"))));
        router.get("/api/projects/:" + PROJECT + "/clusters/:clusterId").handler(ctx -> {
            int membersLimit;
            try {
                membersLimit = intParam(ctx, "members_limit", ClusterCommand.Get.DEFAULT_MEMBERS);
            } catch (Failure.FailureException e) {
                ctx.fail(e);
                return;
            }
            if (membersLimit < 1 || membersLimit > ClusterCommand.Get.MAX_MEMBERS) {
                ctx.fail(new Failure(400, "invalid_members_limit",
                        "members_limit must be from 1 to " + ClusterCommand.Get.MAX_MEMBERS + ", got " + membersLimit).exception());
                return;
            }
            int membersOffset;
            try {
                membersOffset = intParam(ctx, "members_offset", 0);
            } catch (Failure.FailureException e) {
                ctx.fail(e);
                return;
            }
            boolean titles = "true".equals(ctx.request().getParam("member_titles"));
            if (membersOffset < 0) {
                ctx.fail(new Failure(400, "invalid_members_offset", "members_offset must be 0 or more, got " + membersOffset).exception());
                return;
            }
            if (titles && membersLimit > ClusterCommand.Get.MAX_TITLED) {
                ctx.fail(new Failure(400, "invalid_members_limit", "with member_titles=true, members_limit must be at most "
                        + ClusterCommand.Get.MAX_TITLED + ", got " + membersLimit).exception());
                return;
            }
            cluster(ctx, new ClusterCommand.Get(ctx.pathParam(PROJECT), ctx.pathParam("clusterId"), membersLimit, membersOffset, titles));
        });
        router.get("/api/projects/:" + PROJECT + "/traces/:traceId/clusters").handler(ctx -> cluster(ctx,
                new ClusterCommand.OfTrace(ctx.pathParam(PROJECT), ctx.pathParam("traceId"))));
        router.get("/api/projects/:" + PROJECT + "/search").handler(this::search);
        AlertRoutes.mount(router, vertx);
        router.route("/api/*").handler(this::unknownRoute);

        router.route().handler(StaticHandler.create("webroot").setCachingEnabled(false));
        router.route().handler(this::unknownRoute);
        router.route().failureHandler(this::failure);

        // Client requests on /ws are a few hundred bytes; the default would let one client make us hold 256 KiB.
        return hub.start().compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                        .setCompressionSupported(true).setMaxWebSocketMessageSize(MAX_WS_REQUEST_BYTES))
                .requestHandler(router)
                .listen()
                .onSuccess(s -> server = s));
    }

    /**
     * {@code /api/shared/{token}/…}: what a share link may read, before (and instead of) the API-key check. The token is
     * resolved on every request, so a revoked link stops at once; every method but GET is refused, and a share token
     * sent as an API key anywhere else is an unknown key (401).
     */
    private void sharedRoutes(Router router) {
        String shared = "/api/shared/:token";
        router.get(shared).handler(ctx -> withShare(ctx, s -> vertx.eventBus()
                .<ClusterCommand.Clusters>request(Addresses.CLUSTER_LIST, new ClusterCommand.List(s.projectId(), s.themeId()),
                        new DeliveryOptions().setSendTimeout(60_000))
                .compose(list -> vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(s.projectId(), s.themeId()))
                        .map(theme -> Json.sharedTheme(theme.body(), s, list.body())))
                .onSuccess(out -> json(ctx, 200, out))
                .onFailure(ctx::fail)));
        router.get(shared + "/clusters/:clusterId").handler(ctx -> withShare(ctx, s -> vertx.eventBus()
                .<ClusterCommand.Detail>request(Addresses.CLUSTER_GET, new ClusterCommand.Get(s.projectId(), ctx.pathParam("clusterId")),
                        new DeliveryOptions().setSendTimeout(60_000))
                .compose(r -> s.themeId().equals(r.body().cluster().themeId()) ? Future.succeededFuture(r.body())
                        : Future.failedFuture(new Failure(404, "cluster_not_found", "No cluster " + ctx.pathParam("clusterId")).exception()))
                .onSuccess(detail -> {
                    var out = Json.clusterDetail(detail);
                    out.remove("lineage"); // ids of other clusters' pasts: not part of what was shared
                    json(ctx, 200, out);
                })
                .onFailure(ctx::fail)));
        router.get(shared + "/export").handler(ctx -> withShare(ctx, s -> export(ctx, s.projectId(), s.themeId())));
        router.route("/api/shared/*").handler(ctx -> ctx.fail(ctx.request().method() == HttpMethod.GET
                ? new Failure(404, "not_found", "Nothing at " + ctx.request().path()).exception()
                : new Failure(403, "read_only", "A share link only reads: GET /api/shared/{token}, …/clusters/{id}, …/export").exception()));
    }

    private void withShare(RoutingContext ctx, java.util.function.Consumer<ShareCommand.Share> then) {
        vertx.eventBus().<ShareCommand.Share>request(Addresses.SHARE_COMMAND, new ShareCommand.Resolve(ctx.pathParam("token")))
                .onSuccess(r -> {
                    // A shared page is as private as the link: no cache may keep it past a revocation.
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    then.accept(r.body());
                })
                .onFailure(ctx::fail);
    }

    private void share(RoutingContext ctx, ShareCommand command, int status) {
        vertx.eventBus().request(Addresses.SHARE_COMMAND, command)
                .onSuccess(r -> json(ctx, status, r.body() instanceof ShareCommand.Shares list ? Json.shares(list.shares(), publicUrl)
                        : Json.share((ShareCommand.Share) r.body(), publicUrl)))
                .onFailure(ctx::fail);
    }

    /** A theme's clusters as a file to download ({@code ?format=md|ipynb|csv|json}, Markdown when absent). */
    private void export(RoutingContext ctx, String project, String themeId) {
        String format = ctx.request().getParam("format");
        vertx.eventBus().<ThemeExport.File>request(Addresses.EXPORT_THEME, new ThemeExport(project, themeId, format == null ? "md" : format, publicUrl),
                        new DeliveryOptions().setSendTimeout(300_000))
                .onSuccess(r -> ctx.response().setStatusCode(200)
                        .putHeader(HttpHeaders.CONTENT_TYPE, r.body().contentType())
                        .putHeader("Content-Disposition", "attachment; filename=\"" + r.body().filename() + "\"")
                        .end(io.vertx.core.buffer.Buffer.buffer(r.body().body())))
                .onFailure(ctx::fail);
    }

    /** WebSocket clients hear that the server goes away (1001) before the server closes under them. */
    @Override
    public Future<?> stop() {
        return hub == null ? Future.succeededFuture() : hub.close();
    }

    /** {@code GET /ws}: the live API. The upgrade's bearer key, if any, is checked once the socket is open. */
    private void webSocket(RoutingContext ctx) {
        if (!ctx.request().canUpgradeToWebSocket()) {
            ctx.fail(new Failure(400, "websocket_required", "GET /ws is the WebSocket API: send an Upgrade: websocket request").exception());
            return;
        }
        String bearer = bearer(ctx);
        ctx.request().toWebSocket()
                .onSuccess(ws -> hub.accept(ws, bearer))
                .onFailure(e -> LOG.debug("WebSocket upgrade failed", e));
    }

    /** The port actually bound, useful with port 0. */
    public int actualPort() {
        return server.actualPort();
    }

    /**
     * With an {@code Authorization: Bearer} token, the request is paused while the token is checked, so the body
     * handler reads (and the ingest stage inflates and parses) only bodies of known projects; the failure handler
     * drains a refused body unread.
     */
    private void headerToken(RoutingContext ctx) {
        String token = bearer(ctx);
        if (token == null) {
            ctx.next();
            return;
        }
        ctx.request().pause();
        vertx.eventBus().<String>request(Addresses.PROJECT_RESOLVE_TOKEN, new IngestTokenLookup(token, client(ctx)))
                .onSuccess(reply -> {
                    ctx.put(PROJECT, reply.body());
                    ctx.next(); // the body handler resumes the request
                })
                .onFailure(ctx::fail);
    }

    /**
     * Every route current PostHog SDKs post events to, plus the flag routes they call on the same host (see
     * {@link PostHogRoutes}); the large-event AI route shares {@code /batch/}'s body and limits.
     */
    private void postHogRoutes(Router router, BodyHandler body) {
        if (config.bodyLimitBytes() < PostHogRoutes.AI_MAX_EVENT_BYTES) {
            LOG.warn("http.bodyLimitBytes ({}) is below the 8 MiB events PostHog SDKs send to /i/v0/ai/batch/: such events get 413",
                    config.bodyLimitBytes());
        }
        // Browsers may send events from any page (PostHog's JS SDK does), but no other site's script may call the API
        // with a key it holds: CORS is open on the capture and flag routes only.
        CorsHandler cors = CorsHandler.create().addOriginWithRegex(".*").allowedMethod(HttpMethod.POST).allowedMethod(HttpMethod.GET)
                .allowedHeader("Authorization").allowedHeader("Content-Type").allowedHeader("Content-Encoding");
        for (String path : PostHogRoutes.CAPTURE) {
            captureRoutes(router, body, cors, path, false);
        }
        captureRoutes(router, body, cors, PostHogRoutes.CAPTURE_V1, true);
        for (String path : PostHogRoutes.FLAGS) {
            for (String p : new String[] {path, path + "/"}) {
                router.route(p).handler(cors);
                // The SDK's body (distinct id, person properties) says nothing Prism uses: it is not read.
                router.route(p).method(HttpMethod.POST).method(HttpMethod.GET).handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                        .end(PostHogRoutes.emptyFlags(java.util.UUID.randomUUID().toString())));
            }
        }
        otlpRoutes(router, cors);
        router.get("/flags/definitions").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(PostHogRoutes.EMPTY_DEFINITIONS));
        for (PostHogRoutes.UnknownClass c : PostHogRoutes.UnknownClass.values()) {
            unknownRoutes(c); // registered up front, so the series read 0 before the first miss
        }
    }

    private void captureRoutes(Router router, BodyHandler body, CorsHandler cors, String path, boolean v1) {
        for (String route : new String[] {path, path + "/"}) {
            router.route(route).handler(cors);
            // A header token is checked before the body is read: a wrong one costs no read, inflate or parse.
            // (Two routes: Vert.x Web wants a body handler first on its route.)
            router.post(route).handler(this::headerToken);
            router.post(route).handler(body).handler(ctx -> capture(ctx, v1));
        }
    }

    /**
     * OTLP/HTTP trace and log export. The project token is checked before the body is read, like capture's header token, but
     * is required: OTLP bodies carry none. Errors answer a {@code google.rpc.Status} (see {@link OtlpStatus}).
     */
    private void otlpRoutes(Router router, CorsHandler cors) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.otlpBodyLimitBytes()).setHandleFileUploads(false);
        for (String[] signal : new String[][] {OTLP_TRACES, OTLP_LOGS}) {
            String address = signal == OTLP_TRACES ? Addresses.OTEL_EXPORT : Addresses.OTEL_LOGS;
            for (String path : signal) {
                for (String route : new String[] {path, path + "/"}) {
                    router.route(route).handler(cors);
                    router.post(route).handler(this::otlpToken);
                    router.post(route).handler(body).handler(ctx -> otlpExport(ctx, address));
                    router.route(route).failureHandler(this::otlpFailure);
                }
            }
        }
    }

    /** {@code Authorization: Bearer} as the OTLP exporters' headers send it; {@code ?api_key=} / {@code ?token=} as PostHog takes. */
    private void otlpToken(RoutingContext ctx) {
        ctx.put(BODY_LIMIT, config.otlpBodyLimitBytes());
        String token = bearer(ctx);
        if (token == null) {
            token = ctx.request().getParam("api_key") != null ? ctx.request().getParam("api_key") : ctx.request().getParam("token");
        }
        if (token == null || token.isBlank()) {
            ctx.fail(new Failure(401, "missing_token", "Send the project token as Authorization: Bearer <token>").exception());
            return;
        }
        ctx.request().pause();
        vertx.eventBus().<String>request(Addresses.PROJECT_RESOLVE_TOKEN, new IngestTokenLookup(token, client(ctx)))
                .onSuccess(reply -> {
                    ctx.put(PROJECT, reply.body());
                    ctx.next(); // the body handler resumes the request
                })
                .onFailure(ctx::fail);
    }

    private void otlpExport(RoutingContext ctx, String address) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String mime = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
        if (!mime.contains("json") && !mime.contains("protobuf")) {
            ctx.fail(new Failure(415, "unsupported_media_type",
                    "Send application/x-protobuf or application/json, not '" + (type == null ? "" : type) + "'").exception());
            return;
        }
        io.vertx.core.buffer.Buffer body = ctx.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer() : ctx.body().buffer();
        OtlpExport export = new OtlpExport(body, mime.contains("protobuf"), ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING), ctx.get(PROJECT));
        vertx.eventBus().<OtlpExport.Accepted>request(address, export, new DeliveryOptions().setSendTimeout(60_000))
                .onSuccess(reply -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, reply.body().contentType()).end(reply.body().body()))
                .onFailure(ctx::fail);
    }

    private io.micrometer.core.instrument.Counter unknownRoutes(PostHogRoutes.UnknownClass c) {
        return io.micrometer.core.instrument.Counter.builder("prism.http.unknown.route")
                .description("Requests to a path Prism does not serve, by class of path")
                .tag("class", c.label).register(metrics.registry());
    }

    /** Last in the router: nothing served the path. JSON like every other error, and counted by class. */
    private void unknownRoute(RoutingContext ctx) {
        unknownRoutes(PostHogRoutes.classify(ctx.request().path())).increment();
        ctx.fail(new Failure(404, "not_found", "Nothing at " + ctx.request().method() + " " + ctx.request().path()).exception());
    }

    private void capture(RoutingContext ctx, boolean v1) {
        CaptureRequest request = CaptureRequest.http(ctx.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer() : ctx.body().buffer(),
                ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING), ctx.request().getParam("compression"),
                ctx.<String>get(PROJECT), client(ctx));
        vertx.eventBus().<CaptureResult>request(Addresses.INGEST_CAPTURE, request, new DeliveryOptions().setSendTimeout(60_000))
                // v1 clients read per-uuid "results" (absent = stored); Prism's own figures ride along.
                .onSuccess(reply -> json(ctx, 200, v1 ? Json.capture(reply.body()).set("results",
                        PostHogRoutes.v1Results(request.body().getBytes(), reply.body().rejected())) : Json.capture(reply.body())))
                .onFailure(ctx::fail);
    }

    /** Ready when PostgreSQL answers; also says which instances share it (ids, hosts and heartbeats only). */
    private void ready(RoutingContext ctx) {
        pool.query("SELECT 1").execute()
                .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
                .onSuccess(r -> vertx.eventBus().<Instances.Members>request(Addresses.INSTANCES, new Instances(),
                                new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2_000))
                        .onComplete(members -> {
                            com.fasterxml.jackson.databind.node.ObjectNode out = Json.MAPPER.createObjectNode().put("status", "ready");
                            if (members.succeeded()) {
                                out.setAll(instances(members.result().body()));
                            }
                            json(ctx, 200, out);
                        }))
                .onFailure(e -> json(ctx, 503, Json.error("store_unreachable", "PostgreSQL does not answer: " + e.getMessage())));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode instances(Instances.Members members) {
        com.fasterxml.jackson.databind.node.ObjectNode out = Json.MAPPER.createObjectNode();
        var list = out.putArray("instances");
        for (Instances.Member m : members.members()) {
            list.addObject().put("id", m.id()).put("host", m.host()).put("pid", m.pid()).put("version", m.version())
                    .put("started_at", m.startedAt().toString()).put("last_seen", m.lastSeen().toString()).put("self", m.self());
            if (m.self()) {
                out.put("instance", m.id());
            }
        }
        return out;
    }

    private void authorize(RoutingContext ctx) {
        if (ctx.get("authorized") != null) {
            ctx.next();
            return;
        }
        ctx.request().pause();
        vertx.eventBus().request(Addresses.PROJECT_AUTHORIZE, new ApiAccess(bearer(ctx), ctx.pathParam(PROJECT), scopeNeeded(ctx), client(ctx)))
                .onSuccess(r -> {
                    ctx.put("authorized", true);
                    ctx.next();
                })
                .onFailure(ctx::fail);
    }

    /**
     * Reading needs {@code read}; anything that changes a project, spends on a provider or manages keys needs
     * {@code admin}. A theme preview is a POST that only reads.
     */
    static KeyScope scopeNeeded(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        String path = ctx.request().path();
        if (path.matches("/api/projects/[^/]+/keys(/.*)?") || path.matches("/api/projects/[^/]+/themes/[^/]+/shares(/.*)?")
                || path.equals("/api/instances")) {
            return KeyScope.ADMIN;
        }
        if (method == HttpMethod.GET || method == HttpMethod.HEAD
                || (method == HttpMethod.POST && path.matches("/api/projects/[^/]+/themes/preview/?"))) {
            return KeyScope.READ;
        }
        return KeyScope.ADMIN;
    }

    /** Headers for every answer: the dashboard runs only its own scripts and styles and is never framed. */
    private static void securityHeaders(RoutingContext ctx) {
        ctx.response().putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer");
        ctx.next();
    }

    /** The peer's IP address; behind a proxy this is the proxy, so failures are then limited for all its clients. */
    private static String client(RoutingContext ctx) {
        var address = ctx.request().remoteAddress();
        return address == null ? null : address.hostAddress();
    }

    private void keys(RoutingContext ctx, KeyCommand command, int status) {
        vertx.eventBus().request(Addresses.PROJECT_KEYS, command)
                .onSuccess(r -> json(ctx, status, r.body() instanceof KeyCommand.Keys list ? Json.keys(list.keys()) : Json.key((KeyCommand.Key) r.body())))
                .onFailure(ctx::fail);
    }

    private void listTraces(RoutingContext ctx) {
        TraceListQuery query;
        try {
            query = new TraceListQuery(ctx.pathParam(PROJECT), intParam(ctx, "limit", 50), ctx.request().getParam("cursor"),
                    instantParam(ctx, "since"), instantParam(ctx, "until"), ctx.request().getParam("status"),
                    ctx.request().getParam("errors") == null ? null : boolParam(ctx, "errors"), blankToNull(ctx.request().getParam("model")),
                    blankToNull(ctx.request().getParam("user")), doubleParam(ctx, "min_cost"), doubleParam(ctx, "min_latency"));
        } catch (Failure.FailureException e) {
            ctx.fail(e);
            return;
        }
        vertx.eventBus().<TracePage>request(Addresses.TRACE_LIST, query)
                .onSuccess(r -> json(ctx, 200, Json.page(r.body())))
                .onFailure(ctx::fail);
    }

    /** The trace with every theme's result for it, side by side. */
    private void getTrace(RoutingContext ctx) {
        String project = ctx.pathParam(PROJECT);
        String traceId = ctx.pathParam("traceId");
        // events=false: what the trace page draws (header, tree), without every event's properties.
        boolean withEvents = !"false".equals(ctx.request().getParam("events"));
        vertx.eventBus().<TraceDetail>request(Addresses.TRACE_GET, new TraceQuery(project, traceId))
                .compose(detail -> vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST,
                                new SummaryQuery(project, null, null, null, traceId, 1_000))
                        .map(summaries -> {
                            var out = Json.detail(detail.body(), withEvents);
                            out.set("analyses", Json.summaries(summaries.body().results()).get("results"));
                            return out;
                        }))
                .onSuccess(out -> json(ctx, 200, out))
                .onFailure(ctx::fail);
    }

    /** One event of a trace with its properties: the trace page opens a span's details with it. */
    private void traceEvent(RoutingContext ctx) {
        String uuid = ctx.pathParam("uuid");
        vertx.eventBus().<TraceDetail>request(Addresses.TRACE_GET, new TraceQuery(ctx.pathParam(PROJECT), ctx.pathParam("traceId")))
                .onSuccess(r -> r.body().trace().events().stream().filter(e -> uuid.equals(e.uuid())).findFirst().ifPresentOrElse(
                        e -> json(ctx, 200, Json.event(e)),
                        () -> ctx.fail(new Failure(404, "event_not_found", "No event " + uuid + " in trace " + ctx.pathParam("traceId")).exception())))
                .onFailure(ctx::fail);
    }

    /** Plain text for people and LLM prompts; the version and whether it came from the cache ride in headers. */
    private void traceText(RoutingContext ctx) {
        TraceTextQuery query;
        try {
            query = new TraceTextQuery(ctx.pathParam(PROJECT), ctx.pathParam("traceId"), boolParam(ctx, "line_numbers"),
                    intParam(ctx, "max_length", 0));
        } catch (Failure.FailureException e) {
            ctx.fail(e);
            return;
        }
        vertx.eventBus().<TraceText>request(Addresses.FORMAT_TEXT, query, new DeliveryOptions().setSendTimeout(60_000))
                .onSuccess(r -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .putHeader("X-Prism-Trace-Version", String.valueOf(r.body().version()))
                        .putHeader("X-Prism-Cache", r.body().cached() ? "hit" : "miss")
                        .end(r.body().text()))
                .onFailure(ctx::fail);
    }

    /** Runs answer with the run, a list of runs, or a theme test's results (which may wait for a provider). */
    private void run(RoutingContext ctx, RunCommand command, int status) {
        vertx.eventBus().request(Addresses.RUN_COMMAND, command, new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(180_000))
                .onSuccess(r -> json(ctx, status, r.body() instanceof RunCommand.Runs list
                        ? Json.runs(list.runs(), command instanceof RunCommand.List l ? l.limit() : Integer.MAX_VALUE)
                        : r.body() instanceof RunCommand.Tested tested ? Json.tested(tested) : Json.run((dev.prism.bus.Run) r.body())))
                .onFailure(ctx::fail);
    }

    /** Clusters answer with a list, one cluster, or a finished re-clustering (which may take a while). */
    private void cluster(RoutingContext ctx, ClusterCommand<?> command) {
        vertx.eventBus().request(command.address(), command, new DeliveryOptions().setSendTimeout(300_000))
                .onSuccess(r -> json(ctx, 200, r.body() instanceof ClusterCommand.Clusters list ? Json.clusters(list)
                        : r.body() instanceof ClusterCommand.Detail detail ? Json.clusterDetail(detail)
                        : r.body() instanceof ClusterCommand.TraceClusters t ? Json.traceClusters(t)
                        : r.body() instanceof ClusterCommand.MapPoints m ? Json.clusterMap(m)
                        : Json.clusterRun((ClusterCommand.RunResult) r.body())))
                .onFailure(ctx::fail);
    }

    /** Semantic search: the nearest summaries to {@code q}, each with its title and text (one summary look-up per hit). */
    private void search(RoutingContext ctx) {
        String project = ctx.pathParam(PROJECT);
        int k;
        try {
            k = intParam(ctx, "k", 10);
        } catch (Failure.FailureException e) {
            ctx.fail(e);
            return;
        }
        String q = ctx.request().getParam("q");
        vertx.eventBus().<EmbedSearch.Hits>request(Addresses.EMBED_SEARCH, new EmbedSearch(project, ctx.request().getParam("theme"), q, k))
                .compose(r -> {
                    java.util.List<EmbedSearch.Hit> hits = r.body().hits();
                    java.util.List<Future<SummaryCreated>> texts = hits.stream()
                            .map(h -> vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST,
                                            new SummaryQuery(project, h.themeId(), null, null, h.traceId(), 20))
                                    .map(s -> s.body().results().stream().filter(x -> x.traceVersion() == h.traceVersion()).findFirst()
                                            .orElse(s.body().results().isEmpty() ? null : s.body().results().get(0)))
                                    .otherwise((SummaryCreated) null))
                            .toList();
                    return Future.all(texts).map(x -> {
                        var out = Json.MAPPER.createObjectNode().put("query", q).put("model", r.body().model());
                        var results = out.putArray("results");
                        for (int i = 0; i < hits.size(); i++) {
                            results.add(Json.searchHit(hits.get(i), texts.get(i).result()));
                        }
                        return out;
                    });
                })
                .onSuccess(out -> json(ctx, 200, out))
                .onFailure(ctx::fail);
    }

    private void llmSettings(RoutingContext ctx, LlmSettings command) {
        vertx.eventBus().<LlmSettings.Status>request(Addresses.LLM_SETTINGS, command)
                .onSuccess(r -> json(ctx, 200, Json.llmStatus(r.body())))
                .onFailure(ctx::fail);
    }

    /** Every list pages with {@code cursor}; the name a list used before (summaries' {@code before}) is still read. */
    private static String cursorParam(RoutingContext ctx, String oldName) {
        String cursor = ctx.request().getParam("cursor");
        return cursor != null && !cursor.isEmpty() ? cursor : ctx.request().getParam(oldName);
    }

    /** A runs or dead-letters cursor is the id of the last entry on the previous page. */
    private static Long idCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw new Failure(400, "invalid_cursor", "cursor: pass back the next_cursor of the previous page").exception();
        }
    }

    private static String text(JsonNode json, String field) {
        return json != null && json.hasNonNull(field) ? json.get(field).asText() : null;
    }

    private void summaries(RoutingContext ctx) {
        SummaryQuery query;
        try {
            String relevant = ctx.request().getParam("relevant");
            query = new SummaryQuery(ctx.pathParam(PROJECT), ctx.request().getParam("theme"),
                    relevant == null ? null : boolParam(ctx, "relevant"), instantParam(ctx, "since"), ctx.request().getParam("trace_id"),
                    intParam(ctx, "limit", 100), cursorParam(ctx, "before"), boolParam(ctx, "include_superseded"),
                    severityParam(ctx));
        } catch (Failure.FailureException e) {
            ctx.fail(e);
            return;
        }
        vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST, query)
                .onSuccess(r -> json(ctx, 200, Json.summaries(r.body().results()).put("next_cursor", r.body().nextCursor())))
                .onFailure(ctx::fail);
    }

    /** Parses the request body as JSON, answering 400 when it is not. */
    static void withJson(RoutingContext ctx, java.util.function.Consumer<JsonNode> then) {
        JsonNode body;
        try {
            body = ctx.body().buffer() == null ? null : Json.MAPPER.readTree(ctx.body().buffer().getBytes());
        } catch (java.io.IOException e) {
            ctx.fail(new Failure(400, "invalid_json", "The body is not valid JSON").exception());
            return;
        }
        then.accept(body);
    }

    private void failure(RoutingContext ctx) {
        Failure f = failureOf(ctx);
        if (prepareErrorResponse(ctx, f)) {
            json(ctx, f.status(), Json.error(f.error(), f.detail()));
        }
    }

    /** OTLP routes answer errors with a {@code google.rpc.Status} in the request's encoding, as the OTLP spec asks. */
    private void otlpFailure(RoutingContext ctx) {
        Failure f = failureOf(ctx);
        if (prepareErrorResponse(ctx, f)) {
            boolean protobuf = OtlpStatus.protobuf(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
            ctx.response().setStatusCode(f.status())
                    .putHeader(HttpHeaders.CONTENT_TYPE, protobuf ? "application/x-protobuf" : "application/json")
                    .end(io.vertx.core.buffer.Buffer.buffer(OtlpStatus.encode(protobuf, f.status(), f.error() + ": " + f.detail())));
        }
    }

    private Failure failureOf(RoutingContext ctx) {
        Throwable cause = ctx.failure();
        if (cause == null || cause instanceof HttpException) {
            int status = cause == null ? ctx.statusCode() : ((HttpException) cause).getStatusCode();
            long limit = ctx.get(BODY_LIMIT) != null ? ctx.<Long>get(BODY_LIMIT) : config.bodyLimitBytes();
            return switch (status) {
                case 413 -> new Failure(413, "payload_too_large", "The body exceeds the limit of " + limit + " bytes");
                case 404 -> new Failure(404, "not_found", "Nothing at " + ctx.request().path());
                case 400 -> new Failure(400, "bad_request", "The request cannot be read");
                default -> new Failure(status < 400 ? 500 : status, "error", "Request failed");
            };
        }
        Failure f = Failure.from(cause);
        if (f.status() == 500 && !(cause instanceof io.vertx.core.eventbus.ReplyException)) {
            LOG.error("{} {} failed", ctx.request().method(), loggable(ctx.request().path()), cause);
        }
        return f;
    }

    /** Drains an unread body and sets Retry-After; false when the response is already gone. */
    private boolean prepareErrorResponse(RoutingContext ctx, Failure f) {
        if (ctx.response().ended()) {
            return false;
        }
        if (!ctx.request().isEnded()) {
            // Refused before its body was read (a credential checked first, a Content-Length over the limit), the
            // request may still be paused: drain the rest unread, or a client blocked sending it never sees the answer;
            // the connection is not reused after such a request.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            ctx.request().handler(ignored -> {
            });
            ctx.request().resume();
        }
        if (f.status() == 503) {
            // A restarting PostgreSQL or Kafka broker takes seconds, not one: clients that all come back each second only add load.
            boolean outage = Failure.STORE_UNAVAILABLE.equals(f.error()) || "kafka_unavailable".equals(f.error());
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, outage ? STORE_RETRY_AFTER_SECONDS : "1");
        } else if (f.status() == 429) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfter(f.detail()));
        }
        return true;
    }

    /** A path as logs may show it: a share link's token is a secret like an API key. */
    static String loggable(String path) {
        return path == null ? null : path.replaceFirst("^/api/shared/[^/]+", "/api/shared/<token>");
    }

    /** A Failure carries no headers; the project feature names the wait in its detail ("retry in N s"). */
    static String retryAfter(String detail) {
        var m = java.util.regex.Pattern.compile("retry in (\\d+) s").matcher(detail == null ? "" : detail);
        return m.find() ? m.group(1) : "60";
    }

    private static String bearer(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static int intParam(RoutingContext ctx, String name, int fallback) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Failure(400, "invalid_" + name, name + " must be an integer").exception();
        }
    }

    private static boolean boolParam(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null || v.isEmpty() || v.equals("false") || v.equals("0")) {
            return false;
        }
        if (v.equals("true") || v.equals("1")) {
            return true;
        }
        throw new Failure(400, "invalid_" + name, name + " must be true or false").exception();
    }

    private static String severityParam(RoutingContext ctx) {
        String v = blankToNull(ctx.request().getParam("severity"));
        if (v != null && !v.equals("low") && !v.equals("medium") && !v.equals("high")) {
            throw new Failure(400, "invalid_severity", "severity must be low, medium or high").exception();
        }
        return v;
    }

    /** A non-negative number, or null when absent or blank (a cleared filter field). */
    private static Double doubleParam(RoutingContext ctx, String name) {
        String v = blankToNull(ctx.request().getParam(name));
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Failure(400, "invalid_" + name, name + " must be a number ≥ 0").exception();
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static Instant instantParam(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new Failure(400, "invalid_" + name, name + " must be an ISO-8601 instant such as 2025-01-31T00:00:00Z").exception();
        }
    }

    static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(Json.write(body));
    }
}
