package dev.prism.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.Instances;
import dev.prism.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Health and readiness probes, the Prometheus scrape, and {@code /api/instances} (which instances share the store;
 * {@code admin} only).
 */
final class ProbeRoutes {

    private final Vertx vertx;
    private final Pool pool;
    private final Metrics metrics;

    private ProbeRoutes(Vertx vertx, Pool pool, Metrics metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.metrics = metrics;
    }

    /** The probes, which need no key; call before authorization. */
    static void mount(Router router, Vertx vertx, Pool pool, Metrics metrics) {
        ProbeRoutes routes = new ProbeRoutes(vertx, pool, metrics);
        router.get("/health").handler(ctx -> HttpServerVerticle.json(ctx, 200, Json.MAPPER.createObjectNode().put("status", "ok")));
        router.get("/ready").handler(routes::ready);
        router.get("/metrics").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));
    }

    /** {@code /api/instances}; call after authorization. */
    static void mountApi(Router router, Vertx vertx) {
        router.get("/api/instances").handler(ctx -> vertx.eventBus().<Instances.Members>request(Addresses.INSTANCES, new Instances())
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, instances(r.body())))
                .onFailure(ctx::fail));
    }

    /** Ready when PostgreSQL answers; also says which instances share it (ids, hosts and heartbeats only). */
    private void ready(RoutingContext ctx) {
        pool.query("SELECT 1").execute()
                .timeout(2, TimeUnit.SECONDS)
                .onSuccess(r -> vertx.eventBus().<Instances.Members>request(Addresses.INSTANCES, new Instances(),
                                new DeliveryOptions().setSendTimeout(2_000))
                        .onComplete(members -> {
                            ObjectNode out = Json.MAPPER.createObjectNode().put("status", "ready");
                            if (members.succeeded()) {
                                out.setAll(instances(members.result().body()));
                            }
                            HttpServerVerticle.json(ctx, 200, out);
                        }))
                .onFailure(e -> HttpServerVerticle.json(ctx, 503, Json.error("store_unreachable", "PostgreSQL does not answer: " + e.getMessage())));
    }

    private static ObjectNode instances(Instances.Members members) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        var list = out.putArray("instances");
        for (Instances.Member m : members.members()) {
            list.addObject().put("id", m.id()).put("host", m.host()).put("pid", m.pid()).put("version", m.version())
                    .put("started_at", m.startedAt().toString()).put("last_seen", m.lastSeen().toString()).put("self", m.self());
            if (m.self()) {
                out.put("instance", m.id());
            }
        }
        return out;
    }
}
