package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.RunCommand;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.cursorParam;
import static dev.prism.web.RouteParams.idCursor;
import static dev.prism.web.RouteParams.idPath;
import static dev.prism.web.RouteParams.intParam;
import static dev.prism.web.RouteParams.text;

/**
 * A theme's runs (start one, list, the latest per theme, one run) and its test on a few traces. Translates between
 * HTTP and the run feature's command address.
 */
final class RunRoutes {

    private final Vertx vertx;

    private RunRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        RunRoutes routes = new RunRoutes(vertx);
        String project = "/api/projects/:" + PROJECT;
        String theme = project + "/themes/:themeId";
        router.post(theme + "/runs").handler(routes::start);
        router.post(theme + "/test").handler(routes::test);
        router.get(project + "/runs").handler(routes::list);
        // Before /runs/:runId: "latest" is not a run id.
        router.get(project + "/runs/latest").handler(routes::latest);
        router.get(project + "/runs/:runId").handler(routes::get);
    }

    private void start(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, json -> run(ctx, new RunCommand.Start(ctx.pathParam(PROJECT),
                ctx.pathParam("themeId"), text(json, "date_from"), text(json, "date_to")), 202));
    }

    private void test(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, json -> run(ctx, new RunCommand.Test(ctx.pathParam(PROJECT),
                ctx.pathParam("themeId"), json != null && json.has("traces") ? json.get("traces").asInt(-1) : 3), 200));
    }

    private void list(RoutingContext ctx) {
        run(ctx, new RunCommand.List(ctx.pathParam(PROJECT), ctx.request().getParam("theme"), intParam(ctx, "limit", 50),
                idCursor(cursorParam(ctx, "before"))), 200);
    }

    private void latest(RoutingContext ctx) {
        vertx.eventBus().<RunCommand.Runs>request(Addresses.RUN_COMMAND, new RunCommand.Latest(ctx.pathParam(PROJECT)))
                // One run per theme, all of them: never a next page.
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.runs(r.body().runs(), Integer.MAX_VALUE).putNull("next_cursor")))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        run(ctx, new RunCommand.Get(ctx.pathParam(PROJECT), idPath(ctx, "runId", "run_not_found", "run")), 200);
    }

    /** Runs answer with the run, a list of runs, or a theme test's results (which may wait for a provider). */
    private void run(RoutingContext ctx, RunCommand command, int status) {
        vertx.eventBus().request(Addresses.RUN_COMMAND, command, new DeliveryOptions().setSendTimeout(180_000))
                .onSuccess(r -> HttpServerVerticle.json(ctx, status, r.body() instanceof RunCommand.Runs list
                        ? Json.runs(list.runs(), command instanceof RunCommand.List l ? l.limit() : Integer.MAX_VALUE)
                        : r.body() instanceof RunCommand.Tested tested ? Json.tested(tested) : Json.run((dev.prism.bus.Run) r.body())))
                .onFailure(ctx::fail);
    }
}
