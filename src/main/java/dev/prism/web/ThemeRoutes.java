package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ThemeCommand;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /api/projects/{p}/themes} (CRUD and the draft preview), the project's {@code base_filters} and the
 * {@code properties} suggestions: the theme feature's REST API. Translates between HTTP and the theme feature's bus
 * verbs, one address each. A theme's runs, tests, clusters, export and share links are other features' routes. Reading
 * needs a {@code read} key (so does the preview, a POST that only reads), everything else {@code admin} (see
 * {@link HttpServerVerticle#scopeNeeded}).
 */
final class ThemeRoutes {

    private static final String PROJECT = "projectId";
    private static final String THEME = "themeId";

    private final Vertx vertx;

    private ThemeRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        ThemeRoutes routes = new ThemeRoutes(vertx);
        String project = "/api/projects/:" + PROJECT;
        String themes = project + "/themes";
        String one = themes + "/:" + THEME;
        router.get(themes).handler(routes::list);
        router.post(themes).handler(routes::create);
        router.post(themes + "/preview").handler(routes::preview);
        router.get(one).handler(routes::get);
        router.put(one).handler(routes::replace);
        router.patch(one).handler(routes::patch);
        router.delete(one).handler(routes::delete);
        router.get(project + "/base_filters").handler(routes::baseFilters);
        router.put(project + "/base_filters").handler(routes::setBaseFilters);
        router.get(project + "/properties").handler(routes::properties);
    }

    private void list(RoutingContext ctx) {
        vertx.eventBus().<ThemeCommand.Themes>request(Addresses.THEME_LIST, new ThemeCommand.List(ctx.pathParam(PROJECT)))
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.themes(r.body().themes())))
                .onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> theme(ctx, Addresses.THEME_CREATE, new ThemeCommand.Create(ctx.pathParam(PROJECT), body), 201));
    }

    private void get(RoutingContext ctx) {
        theme(ctx, Addresses.THEME_GET, new ThemeCommand.Get(ctx.pathParam(PROJECT), ctx.pathParam(THEME)), 200);
    }

    private void replace(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> theme(ctx, Addresses.THEME_REPLACE,
                new ThemeCommand.Replace(ctx.pathParam(PROJECT), ctx.pathParam(THEME), body), 200));
    }

    private void patch(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> theme(ctx, Addresses.THEME_PATCH,
                new ThemeCommand.Patch(ctx.pathParam(PROJECT), ctx.pathParam(THEME), body), 200));
    }

    private void delete(RoutingContext ctx) {
        theme(ctx, Addresses.THEME_DELETE, new ThemeCommand.Delete(ctx.pathParam(PROJECT), ctx.pathParam(THEME)), 200);
    }

    private void theme(RoutingContext ctx, String address, ThemeCommand<AnalysisTheme> command, int status) {
        vertx.eventBus().<AnalysisTheme>request(address, command)
                .onSuccess(r -> HttpServerVerticle.json(ctx, status, Json.theme(r.body())))
                .onFailure(ctx::fail);
    }

    private void preview(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> vertx.eventBus()
                .<ThemeCommand.Preview>request(Addresses.THEME_PREVIEW, new ThemeCommand.PreviewDraft(ctx.pathParam(PROJECT), body))
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.preview(r.body())))
                .onFailure(ctx::fail));
    }

    private void baseFilters(RoutingContext ctx) {
        filters(ctx, Addresses.THEME_BASE_FILTERS, new ThemeCommand.ReadBaseFilters(ctx.pathParam(PROJECT)));
    }

    /** The body is {@code {"base_filters": [...]}} or the bare list; null clears them. */
    private void setBaseFilters(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> {
            JsonNode filters = body == null ? NullNode.getInstance() : body.has("base_filters") ? body.get("base_filters") : body;
            filters(ctx, Addresses.THEME_SET_BASE_FILTERS, new ThemeCommand.SetBaseFilters(ctx.pathParam(PROJECT), filters));
        });
    }

    private void filters(RoutingContext ctx, String address, ThemeCommand<ThemeCommand.BaseFilters> command) {
        vertx.eventBus().<ThemeCommand.BaseFilters>request(address, command)
                .onSuccess(r -> {
                    var out = Json.MAPPER.createObjectNode();
                    out.set("base_filters", r.body().filters());
                    HttpServerVerticle.json(ctx, 200, out);
                })
                .onFailure(ctx::fail);
    }

    private void properties(RoutingContext ctx) {
        vertx.eventBus().<ThemeCommand.Properties>request(Addresses.THEME_PROPERTIES,
                        new ThemeCommand.SuggestProperties(ctx.pathParam(PROJECT), ctx.request().getParam("prefix")))
                .onSuccess(r -> {
                    var out = Json.MAPPER.createObjectNode();
                    r.body().names().forEach(out.putArray("results")::add);
                    HttpServerVerticle.json(ctx, 200, out);
                })
                .onFailure(ctx::fail);
    }
}
