package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.Failure;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceListQuery;
import dev.prism.bus.TracePage;
import dev.prism.bus.TraceQuery;
import dev.prism.bus.TraceText;
import dev.prism.bus.TraceTextQuery;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.blankToNull;
import static dev.prism.web.RouteParams.boolParam;
import static dev.prism.web.RouteParams.doubleParam;
import static dev.prism.web.RouteParams.instantParam;
import static dev.prism.web.RouteParams.intParam;

/**
 * {@code /api/projects/{p}/traces}: the trace list, one trace with every theme's result for it, one event, and the
 * trace as plain text. Translates between HTTP and the trace and format features' bus verbs. A trace's clusters are
 * {@link ClusterRoutes}.
 */
final class TraceRoutes {

    private final Vertx vertx;

    private TraceRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        TraceRoutes routes = new TraceRoutes(vertx);
        String traces = "/api/projects/:" + PROJECT + "/traces";
        router.get(traces).handler(routes::list);
        router.get(traces + "/:traceId").handler(routes::get);
        router.get(traces + "/:traceId/text").handler(routes::text);
        router.get(traces + "/:traceId/events/:uuid").handler(routes::event);
    }

    private void list(RoutingContext ctx) {
        TraceListQuery query = new TraceListQuery(ctx.pathParam(PROJECT), intParam(ctx, "limit", 50), ctx.request().getParam("cursor"),
                instantParam(ctx, "since"), instantParam(ctx, "until"), ctx.request().getParam("status"),
                ctx.request().getParam("errors") == null ? null : boolParam(ctx, "errors"), blankToNull(ctx.request().getParam("model")),
                blankToNull(ctx.request().getParam("user")), doubleParam(ctx, "min_cost"), doubleParam(ctx, "min_latency"));
        vertx.eventBus().<TracePage>request(Addresses.TRACE_LIST, query)
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.page(r.body())))
                .onFailure(ctx::fail);
    }

    /** The trace with every theme's result for it, side by side. */
    private void get(RoutingContext ctx) {
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
                .onSuccess(out -> HttpServerVerticle.json(ctx, 200, out))
                .onFailure(ctx::fail);
    }

    /** One event of a trace with its properties: the trace page opens a span's details with it. */
    private void event(RoutingContext ctx) {
        String uuid = ctx.pathParam("uuid");
        vertx.eventBus().<TraceDetail>request(Addresses.TRACE_GET, new TraceQuery(ctx.pathParam(PROJECT), ctx.pathParam("traceId")))
                .onSuccess(r -> r.body().trace().events().stream().filter(e -> uuid.equals(e.uuid())).findFirst().ifPresentOrElse(
                        e -> HttpServerVerticle.json(ctx, 200, Json.event(e)),
                        () -> ctx.fail(new Failure(404, "event_not_found", "No event " + uuid + " in trace " + ctx.pathParam("traceId")).exception())))
                .onFailure(ctx::fail);
    }

    /** Plain text for people and LLM prompts; the version and whether it came from the cache ride in headers. */
    private void text(RoutingContext ctx) {
        TraceTextQuery query = new TraceTextQuery(ctx.pathParam(PROJECT), ctx.pathParam("traceId"), boolParam(ctx, "line_numbers"),
                intParam(ctx, "max_length", 0));
        vertx.eventBus().<TraceText>request(Addresses.FORMAT_TEXT, query, new DeliveryOptions().setSendTimeout(60_000))
                .onSuccess(r -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .putHeader("X-Prism-Trace-Version", String.valueOf(r.body().version()))
                        .putHeader("X-Prism-Cache", r.body().cached() ? "hit" : "miss")
                        .end(r.body().text()))
                .onFailure(ctx::fail);
    }
}
