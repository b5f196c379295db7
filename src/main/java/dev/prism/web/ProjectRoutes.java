package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.KeyCommand;
import dev.prism.bus.ProjectsQuery;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.bearer;
import static dev.prism.web.RouteParams.idPath;

/**
 * {@code /api/projects} (the projects a key may read) and {@code /api/projects/{p}/keys} (API keys: list, create, revoke;
 * {@code admin} only, see {@link HttpServerVerticle#scopeNeeded}). Translates between HTTP and the project feature's bus
 * verbs.
 */
final class ProjectRoutes {

    private final Vertx vertx;

    private ProjectRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        ProjectRoutes routes = new ProjectRoutes(vertx);
        router.get("/api/projects").handler(routes::projects);
        String keys = "/api/projects/:" + PROJECT + "/keys";
        router.get(keys).handler(routes::listKeys);
        router.post(keys).handler(routes::createKey);
        router.delete(keys + "/:keyId").handler(routes::revokeKey);
    }

    private void projects(RoutingContext ctx) {
        vertx.eventBus().<ProjectsQuery.Projects>request(Addresses.PROJECT_LIST, new ProjectsQuery(bearer(ctx)))
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.projects(r.body().projects())))
                .onFailure(ctx::fail);
    }

    private void listKeys(RoutingContext ctx) {
        keys(ctx, new KeyCommand.List(ctx.pathParam(PROJECT)), 200);
    }

    private void createKey(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, json -> keys(ctx, Json.keyCreate(ctx.pathParam(PROJECT), json), 201));
    }

    private void revokeKey(RoutingContext ctx) {
        keys(ctx, new KeyCommand.Revoke(ctx.pathParam(PROJECT), idPath(ctx, "keyId", "key_not_found", "key")), 200);
    }

    private void keys(RoutingContext ctx, KeyCommand command, int status) {
        vertx.eventBus().request(Addresses.PROJECT_KEYS, command)
                .onSuccess(r -> HttpServerVerticle.json(ctx, status,
                        r.body() instanceof KeyCommand.Keys list ? Json.keys(list.keys()) : Json.key((KeyCommand.Key) r.body())))
                .onFailure(ctx::fail);
    }
}
