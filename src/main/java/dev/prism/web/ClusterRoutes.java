package dev.prism.web;

import dev.prism.bus.ClusterCommand;
import dev.prism.bus.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.intParam;

/**
 * A theme's clusters, their map and re-clustering, one cluster with its members, and the clusters a trace is in.
 * Translates between HTTP and the cluster feature's command address. A cluster's tickets are {@link AlertRoutes}.
 */
final class ClusterRoutes {

    private final Vertx vertx;

    private ClusterRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        ClusterRoutes routes = new ClusterRoutes(vertx);
        String project = "/api/projects/:" + PROJECT;
        String theme = project + "/themes/:themeId";
        router.get(theme + "/clusters").handler(routes::list);
        router.get(theme + "/map").handler(routes::map);
        router.post(theme + "/clusters/refresh").handler(routes::refresh);
        router.get(project + "/clusters/:clusterId").handler(routes::get);
        router.get(project + "/traces/:traceId/clusters").handler(routes::ofTrace);
    }

    private void list(RoutingContext ctx) {
        cluster(ctx, new ClusterCommand.List(ctx.pathParam(PROJECT), ctx.pathParam("themeId")));
    }

    private void map(RoutingContext ctx) {
        int limit = intParam(ctx, "limit", ClusterCommand.MapQuery.DEFAULT_LIMIT);
        if (limit < 1 || limit > ClusterCommand.MapQuery.MAX_LIMIT) {
            ctx.fail(new Failure(400, "invalid_limit", "limit must be from 1 to " + ClusterCommand.MapQuery.MAX_LIMIT + ", got " + limit).exception());
            return;
        }
        cluster(ctx, new ClusterCommand.MapQuery(ctx.pathParam(PROJECT), ctx.pathParam("themeId"), limit));
    }

    private void refresh(RoutingContext ctx) {
        cluster(ctx, new ClusterCommand.Refresh(ctx.pathParam(PROJECT), ctx.pathParam("themeId")));
    }

    private void get(RoutingContext ctx) {
        int membersLimit = intParam(ctx, "members_limit", ClusterCommand.Get.DEFAULT_MEMBERS);
        if (membersLimit < 1 || membersLimit > ClusterCommand.Get.MAX_MEMBERS) {
            ctx.fail(new Failure(400, "invalid_members_limit",
                    "members_limit must be from 1 to " + ClusterCommand.Get.MAX_MEMBERS + ", got " + membersLimit).exception());
            return;
        }
        int membersOffset = intParam(ctx, "members_offset", 0);
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
    }

    private void ofTrace(RoutingContext ctx) {
        cluster(ctx, new ClusterCommand.OfTrace(ctx.pathParam(PROJECT), ctx.pathParam("traceId")));
    }

    /** Clusters answer with a list, one cluster, or a finished re-clustering (which may take a while). */
    private void cluster(RoutingContext ctx, ClusterCommand<?> command) {
        vertx.eventBus().request(command.address(), command, new DeliveryOptions().setSendTimeout(300_000))
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, r.body() instanceof ClusterCommand.Clusters list ? Json.clusters(list)
                        : r.body() instanceof ClusterCommand.Detail detail ? Json.clusterDetail(detail)
                        : r.body() instanceof ClusterCommand.TraceClusters t ? Json.traceClusters(t)
                        : r.body() instanceof ClusterCommand.MapPoints m ? Json.clusterMap(m)
                        : Json.clusterRun((ClusterCommand.RunResult) r.body())))
                .onFailure(ctx::fail);
    }
}
