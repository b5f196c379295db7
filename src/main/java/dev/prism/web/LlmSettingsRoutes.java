package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.LlmSettings;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static dev.prism.web.RouteParams.PROJECT;

/** {@code /api/projects/{p}/llm}: the project's provider, model and daily budget, and what it spent. */
final class LlmSettingsRoutes {

    private final Vertx vertx;

    private LlmSettingsRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        LlmSettingsRoutes routes = new LlmSettingsRoutes(vertx);
        String llm = "/api/projects/:" + PROJECT + "/llm";
        router.get(llm).handler(routes::get);
        router.put(llm).handler(routes::update);
    }

    private void get(RoutingContext ctx) {
        llmSettings(ctx, new LlmSettings.Get(ctx.pathParam(PROJECT)));
    }

    private void update(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, json -> llmSettings(ctx, new LlmSettings.Update(ctx.pathParam(PROJECT), json)));
    }

    private void llmSettings(RoutingContext ctx, LlmSettings command) {
        vertx.eventBus().<LlmSettings.Status>request(Addresses.LLM_SETTINGS, command)
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.llmStatus(r.body())))
                .onFailure(ctx::fail);
    }
}
