package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.DeadLetters;
import dev.prism.bus.Failure;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.cursorParam;
import static dev.prism.web.RouteParams.idCursor;
import static dev.prism.web.RouteParams.intParam;

/** {@code /api/projects/{p}/analyses/dead} and {@code …/requeue}: analyses that kept failing, and sending them again. */
final class DeadLetterRoutes {

    private final Vertx vertx;

    private DeadLetterRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        DeadLetterRoutes routes = new DeadLetterRoutes(vertx);
        router.get("/api/projects/:" + PROJECT + "/analyses/dead").handler(routes::list);
        router.post("/api/projects/:" + PROJECT + "/analyses/requeue").handler(routes::requeue);
    }

    private void list(RoutingContext ctx) {
        int limit = intParam(ctx, "limit", 100);
        Long after = idCursor(cursorParam(ctx, "after"));
        vertx.eventBus().<DeadLetters.Listed>request(Addresses.DEAD_LETTERS, new DeadLetters.List(ctx.pathParam(PROJECT), limit, after))
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.deadLetters(r.body().entries(), Math.min(limit, 1_000))))
                .onFailure(ctx::fail);
    }

    private void requeue(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, json -> {
            if (json == null || !json.path("ids").isArray()) {
                ctx.fail(new Failure(400, "invalid_body", "Send {\"ids\": [dead-letter ids]}").exception());
                return;
            }
            List<Long> ids = new ArrayList<>();
            json.get("ids").forEach(id -> ids.add(id.asLong()));
            vertx.eventBus().<DeadLetters.Requeued>request(Addresses.DEAD_LETTERS, new DeadLetters.Requeue(ctx.pathParam(PROJECT), ids))
                    .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.MAPPER.createObjectNode().put("requeued", r.body().count())))
                    .onFailure(ctx::fail);
        });
    }
}
