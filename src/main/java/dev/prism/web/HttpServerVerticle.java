package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.ApiAccess;
import dev.prism.bus.Failure;
import dev.prism.bus.KeyScope;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.bearer;
import static dev.prism.web.RouteParams.client;

/**
 * The HTTP edge: the server, what every request goes through (security headers, the API-key check, body limits, one
 * error answer {@code {"error", "detail"}} with the matching status) and the features' routes, each mounted from its
 * own class: {@link IngestRoutes}, {@link LiveRoutes}, {@link ProbeRoutes}, {@link ShareRoutes}, {@link ProjectRoutes},
 * {@link TraceRoutes}, {@link ThemeRoutes}, {@link SummaryRoutes}, {@link DeadLetterRoutes}, {@link RunRoutes},
 * {@link LlmSettingsRoutes}, {@link ClusterRoutes}, {@link AlertRoutes}, then the static dashboard. Routes only translate
 * between HTTP and bus messages. Deploy one instance per core; Vert.x spreads connections.
 *
 * <p>Sends {@value Addresses#PROJECT_AUTHORIZE}; the route classes name the addresses they send.
 */
public final class HttpServerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVerticle.class);
    private static final Pattern RETRY_IN = Pattern.compile("retry in (\\d+) s");
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
    private LiveRoutes live;

    /** @param pool used only by the readiness probe */
    public HttpServerVerticle(PrismConfig.Http config, Pool pool, Metrics metrics) {
        this(config, pool, metrics, new PrismConfig.Dashboard(Optional.empty()));
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
        router.route().handler(HttpServerVerticle::securityHeaders);
        IngestRoutes.mount(router, vertx, config, this::otlpFailure);
        for (PostHogRoutes.UnknownClass c : PostHogRoutes.UnknownClass.values()) {
            unknownRoutes(c); // registered up front, so the series read 0 before the first miss
        }
        live = LiveRoutes.mount(router, vertx, config, metrics);
        ProbeRoutes.mount(router, vertx, pool, metrics);
        ShareRoutes.mountShared(router, vertx, publicUrl);

        // The key is checked before the body is read: the request stays paused meanwhile (or its chunks would be lost),
        // and the body handler resumes it.
        router.route("/api/projects/:" + PROJECT + "/*").handler(this::authorize);
        router.route("/api/*").handler(this::authorize);
        router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(1024 * 1024).setHandleFileUploads(false));
        ProbeRoutes.mountApi(router, vertx);
        ProjectRoutes.mount(router, vertx);
        TraceRoutes.mount(router, vertx);
        ThemeRoutes.mount(router, vertx);
        SummaryRoutes.mount(router, vertx);
        DeadLetterRoutes.mount(router, vertx);
        RunRoutes.mount(router, vertx);
        LlmSettingsRoutes.mount(router, vertx);
        ShareRoutes.mount(router, vertx, publicUrl);
        ClusterRoutes.mount(router, vertx);
        AlertRoutes.mount(router, vertx);
        router.route("/api/*").handler(this::unknownRoute);

        router.route().handler(StaticHandler.create("webroot").setCachingEnabled(false));
        router.route().handler(this::unknownRoute);
        router.route().failureHandler(this::failure);

        // Client requests on /ws are a few hundred bytes; the default would let one client make us hold 256 KiB.
        return live.start().compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                        .setCompressionSupported(true).setMaxWebSocketMessageSize(MAX_WS_REQUEST_BYTES))
                .requestHandler(router)
                .listen()
                .onSuccess(s -> server = s));
    }

    /** WebSocket clients hear that the server goes away (1001) before the server closes under them. */
    @Override
    public Future<?> stop() {
        return live == null ? Future.succeededFuture() : live.close();
    }

    /** The port actually bound, useful with port 0. */
    public int actualPort() {
        return server.actualPort();
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

    private Counter unknownRoutes(PostHogRoutes.UnknownClass c) {
        return Counter.builder("prism.http.unknown.route")
                .description("Requests to a path Prism does not serve, by class of path")
                .tag("class", c.label).register(metrics.registry());
    }

    /** Last in the router: nothing served the path. JSON like every other error, and counted by class. */
    private void unknownRoute(RoutingContext ctx) {
        unknownRoutes(PostHogRoutes.classify(ctx.request().path())).increment();
        ctx.fail(new Failure(404, "not_found", "Nothing at " + ctx.request().method() + " " + ctx.request().path()).exception());
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
                    .end(Buffer.buffer(OtlpStatus.encode(protobuf, f.status(), f.error() + ": " + f.detail())));
        }
    }

    private Failure failureOf(RoutingContext ctx) {
        Throwable cause = ctx.failure();
        if (cause == null || cause instanceof HttpException) {
            int status = cause == null ? ctx.statusCode() : ((HttpException) cause).getStatusCode();
            long limit = ctx.get(IngestRoutes.BODY_LIMIT) != null ? ctx.<Long>get(IngestRoutes.BODY_LIMIT) : config.bodyLimitBytes();
            return switch (status) {
                case 413 -> new Failure(413, "payload_too_large", "The body exceeds the limit of " + limit + " bytes");
                case 404 -> new Failure(404, "not_found", "Nothing at " + ctx.request().path());
                case 400 -> new Failure(400, "bad_request", "The request cannot be read");
                default -> new Failure(status < 400 ? 500 : status, "error", "Request failed");
            };
        }
        Failure f = Failure.from(cause);
        if (f.status() == 500 && !(cause instanceof ReplyException)) {
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
        var m = RETRY_IN.matcher(detail == null ? "" : detail);
        return m.find() ? m.group(1) : "60";
    }

    /** Parses the request body as JSON, answering 400 when it is not. */
    static void withJson(RoutingContext ctx, Consumer<JsonNode> then) {
        JsonNode body;
        try {
            body = ctx.body().buffer() == null ? null : Json.MAPPER.readTree(ctx.body().buffer().getBytes());
        } catch (IOException e) {
            ctx.fail(new Failure(400, "invalid_json", "The body is not valid JSON").exception());
            return;
        }
        then.accept(body);
    }

    static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(Json.write(body));
    }
}
