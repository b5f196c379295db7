package dev.prism.web;

import dev.prism.bus.Failure;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.prism.web.RouteParams.bearer;

/** {@code GET /ws}: the live WebSocket API; its {@link LiveHub} consumes the events clients may subscribe to. */
final class LiveRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(LiveRoutes.class);

    private final LiveHub hub;

    private LiveRoutes(LiveHub hub) {
        this.hub = hub;
    }

    /** Adds {@code /ws}; the hub starts with {@link #start()} and says goodbye to clients with {@link #close()}. */
    static LiveRoutes mount(Router router, Vertx vertx, PrismConfig.Http config, Metrics metrics) {
        LiveRoutes routes = new LiveRoutes(new LiveHub(vertx, config.webSocket(), metrics));
        router.get("/ws").handler(routes::webSocket);
        return routes;
    }

    Future<Void> start() {
        return hub.start();
    }

    /** WebSocket clients hear that the server goes away (1001) before the server closes under them. */
    Future<Void> close() {
        return hub.close();
    }

    /** The upgrade's bearer key, if any, is checked once the socket is open. */
    private void webSocket(RoutingContext ctx) {
        if (!ctx.request().canUpgradeToWebSocket()) {
            ctx.fail(new Failure(400, "websocket_required", "GET /ws is the WebSocket API: send an Upgrade: websocket request").exception());
            return;
        }
        String bearer = bearer(ctx);
        ctx.request().toWebSocket()
                .onSuccess(ws -> hub.accept(ws, bearer))
                .onFailure(e -> LOG.debug("WebSocket upgrade failed", e));
    }
}
