package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSearch;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

import static dev.prism.web.RouteParams.PROJECT;
import static dev.prism.web.RouteParams.boolParam;
import static dev.prism.web.RouteParams.cursorParam;
import static dev.prism.web.RouteParams.instantParam;
import static dev.prism.web.RouteParams.intParam;
import static dev.prism.web.RouteParams.severityParam;

/**
 * {@code /api/projects/{p}/summaries} (the analyses, as {@code $ai_trace_summary} events) and {@code …/search} (semantic
 * search over them). Translates between HTTP and the analysis and embedding features' bus verbs.
 */
final class SummaryRoutes {

    private final Vertx vertx;

    private SummaryRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Adds the routes; call after authorization and the body handler, before the catch-all. */
    static void mount(Router router, Vertx vertx) {
        SummaryRoutes routes = new SummaryRoutes(vertx);
        router.get("/api/projects/:" + PROJECT + "/summaries").handler(routes::summaries);
        router.get("/api/projects/:" + PROJECT + "/search").handler(routes::search);
    }

    private void summaries(RoutingContext ctx) {
        String relevant = ctx.request().getParam("relevant");
        SummaryQuery query = new SummaryQuery(ctx.pathParam(PROJECT), ctx.request().getParam("theme"),
                relevant == null ? null : boolParam(ctx, "relevant"), instantParam(ctx, "since"), ctx.request().getParam("trace_id"),
                intParam(ctx, "limit", 100), cursorParam(ctx, "before"), boolParam(ctx, "include_superseded"),
                severityParam(ctx));
        vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST, query)
                .onSuccess(r -> HttpServerVerticle.json(ctx, 200, Json.summaries(r.body().results()).put("next_cursor", r.body().nextCursor())))
                .onFailure(ctx::fail);
    }

    /** Semantic search: the nearest summaries to {@code q}, each with its title and text (one summary look-up per hit). */
    private void search(RoutingContext ctx) {
        String project = ctx.pathParam(PROJECT);
        int k = intParam(ctx, "k", 10);
        String q = ctx.request().getParam("q");
        vertx.eventBus().<EmbedSearch.Hits>request(Addresses.EMBED_SEARCH, new EmbedSearch(project, ctx.request().getParam("theme"), q, k))
                .compose(r -> {
                    List<EmbedSearch.Hit> hits = r.body().hits();
                    List<Future<SummaryCreated>> texts = hits.stream()
                            .map(h -> vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST,
                                            new SummaryQuery(project, h.themeId(), null, null, h.traceId(), 20))
                                    .map(s -> s.body().results().stream().filter(x -> x.traceVersion() == h.traceVersion()).findFirst()
                                            .orElse(s.body().results().isEmpty() ? null : s.body().results().get(0)))
                                    .otherwise((SummaryCreated) null))
                            .toList();
                    return Future.all(texts).map(x -> {
                        var out = Json.MAPPER.createObjectNode().put("query", q).put("model", r.body().model());
                        var results = out.putArray("results");
                        for (int i = 0; i < hits.size(); i++) {
                            results.add(Json.searchHit(hits.get(i), texts.get(i).result()));
                        }
                        return out;
                    });
                })
                .onSuccess(out -> HttpServerVerticle.json(ctx, 200, out))
                .onFailure(ctx::fail);
    }
}
