package dev.prism.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AlertCommand;
import dev.prism.bus.Failure;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;

/**
 * {@code /api/projects/{p}/alerts}: alert rules (CRUD), their delivery log and "send test alert". Translates between
 * HTTP and the alerting feature's bus commands; destination secrets never reach this class (the feature answers only
 * their public view). Reading needs a {@code read} key, everything else {@code admin} (see
 * {@link HttpServerVerticle#scopeNeeded}).
 */
final class AlertRoutes {

    private static final String PROJECT = "projectId";
    private static final String RULE = "ruleId";
    static final int MAX_DELIVERIES_PAGE = 500;

    private final Vertx vertx;

    private AlertRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        AlertRoutes routes = new AlertRoutes(vertx);
        String alerts = "/api/projects/:" + PROJECT + "/alerts";
        String one = alerts + "/:" + RULE;
        router.get(alerts).handler(routes::list);
        router.post(alerts).handler(routes::create);
        router.get(one).handler(routes::get);
        router.put(one).handler(routes::replace);
        router.patch(one).handler(routes::patch);
        router.delete(one).handler(routes::delete);
        router.get(one + "/deliveries").handler(routes::deliveries);
        router.post(one + "/test").handler(routes::test);
        router.get("/api/projects/:" + PROJECT + "/clusters/:clusterId/tickets").handler(routes::clusterTickets);
    }

    /** The Linear and GitHub issues opened for a cluster, for "open in Linear/GitHub" on its page. */
    private void clusterTickets(RoutingContext ctx) {
        vertx.eventBus().<AlertCommand.Tickets>request(Addresses.ALERT_TICKETS,
                        new AlertCommand.ClusterTickets(ctx.pathParam(PROJECT), ctx.pathParam("clusterId")))
                .onSuccess(r -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ArrayNode results = out.putArray("results");
                    r.body().tickets().forEach(t -> results.addObject().put("destination_type", t.destinationType())
                            .put("number", t.number()).put("url", t.url()).put("state", t.state()).put("closed_at", iso(t.closedAt())));
                    HttpServerVerticle.json(ctx, 200, out);
                })
                .onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        vertx.eventBus().<AlertCommand.Rules>request(Addresses.ALERT_LIST, new AlertCommand.List(ctx.pathParam(PROJECT)))
                .onSuccess(r -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ArrayNode results = out.putArray("results");
                    r.body().rules().forEach(x -> results.add(rule(x)));
                    out.putNull("next_cursor"); // a project's rules are one page; the field keeps list answers alike
                    HttpServerVerticle.json(ctx, 200, out);
                })
                .onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> rule(ctx, Addresses.ALERT_CREATE, new AlertCommand.Create(ctx.pathParam(PROJECT), body), 201));
    }

    private void get(RoutingContext ctx) {
        rule(ctx, Addresses.ALERT_GET, new AlertCommand.Get(ctx.pathParam(PROJECT), ctx.pathParam(RULE)), 200);
    }

    private void replace(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> rule(ctx, Addresses.ALERT_REPLACE,
                new AlertCommand.Replace(ctx.pathParam(PROJECT), ctx.pathParam(RULE), body), 200));
    }

    private void patch(RoutingContext ctx) {
        HttpServerVerticle.withJson(ctx, body -> rule(ctx, Addresses.ALERT_PATCH,
                new AlertCommand.Patch(ctx.pathParam(PROJECT), ctx.pathParam(RULE), body), 200));
    }

    private void delete(RoutingContext ctx) {
        rule(ctx, Addresses.ALERT_DELETE, new AlertCommand.Delete(ctx.pathParam(PROJECT), ctx.pathParam(RULE)), 200);
    }

    private void rule(RoutingContext ctx, String address, AlertCommand command, int status) {
        vertx.eventBus().<AlertCommand.Rule>request(address, command)
                .onSuccess(r -> HttpServerVerticle.json(ctx, status, rule(r.body())))
                .onFailure(ctx::fail);
    }

    private void deliveries(RoutingContext ctx) {
        int limit;
        Long before;
        try {
            limit = intParam(ctx, "limit", 50);
            before = cursor(ctx);
        } catch (Failure.FailureException e) {
            ctx.fail(e);
            return;
        }
        vertx.eventBus().<AlertCommand.Deliveries>request(Addresses.ALERT_DELIVERIES,
                        new AlertCommand.ListDeliveries(ctx.pathParam(PROJECT), ctx.pathParam(RULE), limit, before))
                .onSuccess(r -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ArrayNode results = out.putArray("results");
                    r.body().deliveries().forEach(d -> results.add(delivery(d)));
                    out.put("next_cursor", r.body().nextCursor() == null ? null : String.valueOf(r.body().nextCursor()));
                    HttpServerVerticle.json(ctx, 200, out);
                })
                .onFailure(ctx::fail);
    }

    private void test(RoutingContext ctx) {
        vertx.eventBus().<AlertCommand.Tested>request(Addresses.ALERT_TEST, new AlertCommand.Test(ctx.pathParam(PROJECT), ctx.pathParam(RULE)))
                .onSuccess(r -> {
                    ObjectNode out = Json.MAPPER.createObjectNode().put("rule_id", r.body().ruleId()).put("firing_id", r.body().firingId());
                    ArrayNode queued = out.putArray("deliveries");
                    r.body().deliveries().forEach(d -> queued.add(delivery(d)));
                    HttpServerVerticle.json(ctx, 202, out);
                })
                .onFailure(ctx::fail);
    }

    static ObjectNode rule(AlertCommand.Rule r) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("id", r.ruleId()).put("name", r.name()).put("theme_id", r.themeId());
        out.set("trigger", r.trigger());
        out.set("conditions", r.conditions());
        ArrayNode destinations = out.putArray("destinations");
        r.destinations().forEach(destinations::add);
        return out.put("cooldown_seconds", r.cooldownSeconds()).put("enabled", r.enabled())
                .put("created_at", iso(r.createdAt())).put("updated_at", iso(r.updatedAt()));
    }

    static ObjectNode delivery(AlertCommand.Delivery d) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("id", d.id()).put("firing_id", d.firingId()).put("kind", d.kind())
                .put("cluster_id", d.clusterId()).put("dedupe_key", d.dedupeKey()).put("destination_index", d.destinationIndex())
                .put("destination_type", d.destinationType()).put("status", d.status()).put("attempts", d.attempts())
                .put("response_code", d.lastStatusCode()).put("error", d.lastError()).put("external_ref", d.externalRef())
                .put("created_at", iso(d.createdAt())).put("next_attempt_at", "pending".equals(d.status()) ? iso(d.nextAttemptAt()) : null)
                .put("delivered_at", iso(d.deliveredAt()));
        ArrayNode log = out.putArray("log");
        d.log().forEach(a -> log.addObject().put("attempt", a.attempt()).put("at", iso(a.at())).put("response_code", a.statusCode())
                .put("error", a.error()).put("elapsed_ms", a.elapsedMillis()));
        return out;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static int intParam(RoutingContext ctx, String name, int fallback) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > MAX_DELIVERIES_PAGE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Failure(400, "invalid_" + name, name + " must be an integer from 1 to " + MAX_DELIVERIES_PAGE).exception();
        }
    }

    private static Long cursor(RoutingContext ctx) {
        String c = ctx.request().getParam("cursor");
        if (c == null || c.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(c);
        } catch (NumberFormatException e) {
            throw new Failure(400, "invalid_cursor", "cursor: pass back the next_cursor of the previous page").exception();
        }
    }
}
