package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.Failure;
import dev.prism.bus.ShareCommand;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.ThemeExport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Consumer;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.idPath;

/**
 * A theme's export ({@code …/themes/{t}/export}), its share links ({@code …/shares}: create, list, revoke; {@code admin}
 * only) and what a link reads ({@code /api/shared/{token}/…}, without an API key). Translates between HTTP and the share
 * and export features' bus verbs.
 */
final class ShareRoutes {

    private final Vertx vertx;
    /** Where links in exports and share answers point; null: relative to this server. */
    private final String publicUrl;

    private ShareRoutes(Vertx vertx, String publicUrl) {
        this.vertx = vertx;
        this.publicUrl = publicUrl;
    }

    /**
     * {@code /api/shared/{token}/…}: what a share link may read; call before (and so instead of) the API-key check. The
     * token is resolved on every request, so a revoked link stops at once; every method but GET is refused, and a share
     * token sent as an API key anywhere else is an unknown key (401).
     */
    static void mountShared(Router router, Vertx vertx, String publicUrl) {
        ShareRoutes routes = new ShareRoutes(vertx, publicUrl);
        String shared = "/api/shared/:token";
        router.get(shared).handler(ctx -> routes.withShare(ctx, s -> routes.sharedTheme(ctx, s)));
        router.get(shared + "/clusters/:clusterId").handler(ctx -> routes.withShare(ctx, s -> routes.sharedCluster(ctx, s)));
        router.get(shared + "/export").handler(ctx -> routes.withShare(ctx, s -> routes.export(ctx, s.projectId(), s.themeId())));
        router.route("/api/shared/*").handler(ctx -> ctx.fail(ctx.request().method() == HttpMethod.GET
                ? new Failure(404, "not_found", "Nothing at " + ctx.request().path()).exception()
                : new Failure(403, "read_only", "A share link only reads: GET /api/shared/{token}, …/clusters/{id}, …/export").exception()));
    }

    /** The export and the share links; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx, String publicUrl) {
        ShareRoutes routes = new ShareRoutes(vertx, publicUrl);
        String theme = "/api/projects/:" + PROJECT + "/themes/:themeId";
        router.get(theme + "/export").handler(ctx -> routes.export(ctx, ctx.pathParam(PROJECT), ctx.pathParam("themeId")));
        String shares = theme + "/shares";
        router.post(shares).handler(routes::create);
        router.get(shares).handler(routes::list);
        router.delete(shares + "/:shareId").handler(routes::revoke);
    }

    private void create(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, json -> {
            Instant expires;
            try {
                expires = json != null && json.hasNonNull("expires_at") ? Instant.parse(json.get("expires_at").asText()) : null;
            } catch (DateTimeParseException e) {
                ctx.fail(new Failure(400, "invalid_expires_at", "expires_at must be an ISO-8601 instant such as 2025-01-31T00:00:00Z").exception());
                return;
            }
            share(ctx, new ShareCommand.Create(ctx.pathParam(PROJECT), ctx.pathParam("themeId"), expires), 201);
        });
    }

    private void list(RoutingContext ctx) {
        share(ctx, new ShareCommand.List(ctx.pathParam(PROJECT), ctx.pathParam("themeId")), 200);
    }

    private void revoke(RoutingContext ctx) {
        long id = idPath(ctx, "shareId", "share_not_found", "share link");
        share(ctx, new ShareCommand.Revoke(ctx.pathParam(PROJECT), ctx.pathParam("themeId"), id), 200);
    }

    private void share(RoutingContext ctx, ShareCommand command, int status) {
        vertx.eventBus().request(Addresses.SHARE_COMMAND, command)
                .onSuccess(r -> HttpServerVerticle.json(ctx, status, r.body() instanceof ShareCommand.Shares list
                        ? Json.shares(list.shares(), publicUrl)
                        : Json.share((ShareCommand.Share) r.body(), publicUrl)))
                .onFailure(ctx::fail);
    }

    private void withShare(RoutingContext ctx, Consumer<ShareCommand.Share> then) {
        vertx.eventBus().<ShareCommand.Share>request(Addresses.SHARE_COMMAND, new ShareCommand.Resolve(ctx.pathParam("token")))
                .onSuccess(r -> {
                    // A shared page is as private as the link: no cache may keep it past a revocation.
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    then.accept(r.body());
                })
                .onFailure(ctx::fail);
    }

    private void sharedTheme(RoutingContext ctx, ShareCommand.Share s) {
        vertx.eventBus().<ClusterCommand.Clusters>request(Addresses.CLUSTER_LIST, new ClusterCommand.List(s.projectId(), s.themeId()),
                        new DeliveryOptions().setSendTimeout(60_000))
                .compose(list -> vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(s.projectId(), s.themeId()))
                        .map(theme -> Json.sharedTheme(theme.body(), s, list.body())))
                .onSuccess(out -> HttpServerVerticle.json(ctx, 200, out))
                .onFailure(ctx::fail);
    }

    private void sharedCluster(RoutingContext ctx, ShareCommand.Share s) {
        vertx.eventBus().<ClusterCommand.Detail>request(Addresses.CLUSTER_GET, new ClusterCommand.Get(s.projectId(), ctx.pathParam("clusterId")),
                        new DeliveryOptions().setSendTimeout(60_000))
                .compose(r -> s.themeId().equals(r.body().cluster().themeId()) ? Future.succeededFuture(r.body())
                        : Future.failedFuture(new Failure(404, "cluster_not_found", "No cluster " + ctx.pathParam("clusterId")).exception()))
                .onSuccess(detail -> {
                    var out = Json.clusterDetail(detail);
                    out.remove("lineage"); // ids of other clusters' pasts: not part of what was shared
                    HttpServerVerticle.json(ctx, 200, out);
                })
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
                        .end(Buffer.buffer(r.body().body())))
                .onFailure(ctx::fail);
    }
}
