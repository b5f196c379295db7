package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.CaptureRequest;
import dev.prism.bus.CaptureResult;
import dev.prism.bus.Failure;
import dev.prism.bus.IngestTokenLookup;
import dev.prism.bus.OtlpExport;
import dev.prism.config.PrismConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.bearer;
import static dev.prism.web.RouteParams.client;

/**
 * Ingestion: every route current PostHog SDKs post events to, the flag routes they call on the same host (see
 * {@link PostHogRoutes}), and OTLP/HTTP trace and log export. The project token is checked before the body is read,
 * so a wrong one costs no read, inflate or parse. Translates between HTTP and the ingest and OTLP features' bus verbs.
 */
final class IngestRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(IngestRoutes.class);
    /** The body limit of the route being served, when it is not {@code http.bodyLimitBytes} (read by the 413 answer). */
    static final String BODY_LIMIT = "bodyLimit";
    /**
     * Where OTLP exporters post traces: the default path, and under PostHog's AI OTLP endpoint; {@code @posthog/ai/otel}'s
     * exporter posts to the endpoint itself ({@code url: host + "/i/v0/ai/otel"}), so that is traces too.
     */
    static final String[] OTLP_TRACES = {"/v1/traces", "/i/v0/ai/otel/v1/traces", "/i/v0/ai/otel"};
    /** Where OTLP exporters post log records, likewise. */
    static final String[] OTLP_LOGS = {"/v1/logs", "/i/v0/ai/otel/v1/logs"};

    private final Vertx vertx;
    private final PrismConfig.Http config;

    private IngestRoutes(Vertx vertx, PrismConfig.Http config) {
        this.vertx = vertx;
        this.config = config;
    }

    /**
     * Adds the routes; the large-event AI route shares {@code /batch/}'s body and limits.
     *
     * @param otlpFailure answers OTLP routes' errors (a {@code google.rpc.Status}, see {@link OtlpStatus})
     */
    static void mount(Router router, Vertx vertx, PrismConfig.Http config, Handler<RoutingContext> otlpFailure) {
        IngestRoutes routes = new IngestRoutes(vertx, config);
        if (config.bodyLimitBytes() < PostHogRoutes.AI_MAX_EVENT_BYTES) {
            LOG.warn("http.bodyLimitBytes ({}) is below the 8 MiB events PostHog SDKs send to /i/v0/ai/batch/: such events get 413",
                    config.bodyLimitBytes());
        }
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()).setHandleFileUploads(false);
        // Browsers may send events from any page (PostHog's JS SDK does), but no other site's script may call the API
        // with a key it holds: CORS is open on the capture and flag routes only.
        CorsHandler cors = CorsHandler.create().addOriginWithRegex(".*").allowedMethod(HttpMethod.POST).allowedMethod(HttpMethod.GET)
                .allowedHeader("Authorization").allowedHeader("Content-Type").allowedHeader("Content-Encoding");
        for (String path : PostHogRoutes.CAPTURE) {
            routes.captureRoutes(router, body, cors, path, false);
        }
        routes.captureRoutes(router, body, cors, PostHogRoutes.CAPTURE_V1, true);
        for (String path : PostHogRoutes.FLAGS) {
            for (String p : new String[] {path, path + "/"}) {
                router.route(p).handler(cors);
                // The SDK's body (distinct id, person properties) says nothing Prism uses: it is not read.
                router.route(p).method(HttpMethod.POST).method(HttpMethod.GET).handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                        .end(PostHogRoutes.emptyFlags(UUID.randomUUID().toString())));
            }
        }
        routes.otlpRoutes(router, cors, otlpFailure);
        router.get("/flags/definitions").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(PostHogRoutes.EMPTY_DEFINITIONS));
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
        resolveToken(ctx, token);
    }

    private void capture(RoutingContext ctx, boolean v1) {
        CaptureRequest request = CaptureRequest.http(ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer(),
                ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING), ctx.request().getParam("compression"),
                ctx.<String>get(PROJECT), client(ctx));
        vertx.eventBus().<CaptureResult>request(Addresses.INGEST_CAPTURE, request, new DeliveryOptions().setSendTimeout(60_000))
                // v1 clients read per-uuid "results" (absent = stored); Prism's own figures ride along.
                .onSuccess(reply -> HttpServerVerticle.json(ctx, 200, v1 ? Json.capture(reply.body()).set("results",
                        PostHogRoutes.v1Results(request.body().getBytes(), reply.body().rejected())) : Json.capture(reply.body())))
                .onFailure(ctx::fail);
    }

    /**
     * OTLP/HTTP trace and log export. The project token is checked before the body is read, like capture's header token, but
     * is required: OTLP bodies carry none. Errors answer a {@code google.rpc.Status} (see {@link OtlpStatus}).
     */
    private void otlpRoutes(Router router, CorsHandler cors, Handler<RoutingContext> otlpFailure) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.otlpBodyLimitBytes()).setHandleFileUploads(false);
        for (String[] signal : new String[][] {OTLP_TRACES, OTLP_LOGS}) {
            String address = signal == OTLP_TRACES ? Addresses.OTEL_EXPORT : Addresses.OTEL_LOGS;
            for (String path : signal) {
                for (String route : new String[] {path, path + "/"}) {
                    router.route(route).handler(cors);
                    router.post(route).handler(this::otlpToken);
                    router.post(route).handler(body).handler(ctx -> otlpExport(ctx, address));
                    router.route(route).failureHandler(otlpFailure);
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
        resolveToken(ctx, token);
    }

    private void resolveToken(RoutingContext ctx, String token) {
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
        String mime = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!mime.contains("json") && !mime.contains("protobuf")) {
            ctx.fail(new Failure(415, "unsupported_media_type",
                    "Send application/x-protobuf or application/json, not '" + (type == null ? "" : type) + "'").exception());
            return;
        }
        Buffer body = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
        OtlpExport export = new OtlpExport(body, mime.contains("protobuf"), ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING), ctx.get(PROJECT));
        vertx.eventBus().<OtlpExport.Accepted>request(address, export, new DeliveryOptions().setSendTimeout(60_000))
                .onSuccess(reply -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, reply.body().contentType()).end(reply.body().body()))
                .onFailure(ctx::fail);
    }
}
