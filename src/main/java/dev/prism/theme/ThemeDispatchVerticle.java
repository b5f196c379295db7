package dev.prism.theme;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisRequest;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.TraceFormatted;
import dev.prism.bus.TraceScored;
import dev.prism.store.OutageLog;
import dev.prism.store.StoreErrors;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streaming dispatch: each completed, rendered and scored trace version goes through every enabled theme's filters
 * (project base, theme base, theme) and sampling, and the themes that select it are handed to analysis in one request.
 * A later version keeps a theme's earlier summary when its new events cannot change that theme's answer
 * ({@link Reanalysis}). A trace whose dispatch fails (the store away) is left to {@link DispatchSweepVerticle}.
 *
 * <p>Consumes {@value Addresses#TRACE_SCORED} (after relevance scoring: the built-in themes' filters read
 * {@code trace.relevance.<theme_id>}) and {@value Addresses#THEME_CHANGED}; publishes {@value Addresses#ANALYSIS_REQUESTED}.
 * Plans are read and cached on the event loop; filters run and prompts render on a worker thread.
 */
public final class ThemeDispatchVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ThemeDispatchVerticle.class);
    private final OutageLog dispatchLog = new OutageLog(LOG, "Streaming theme dispatch");

    private final DispatchPlanCache plans;
    private MessageConsumer<TraceScored> scored;
    private MessageConsumer<ThemeCommand.Changed> changed;

    public ThemeDispatchVerticle(Pool pool) {
        this.plans = new DispatchPlanCache(new ThemeRepository(pool, pool)); // no REST statement runs here
    }

    @Override
    public Future<?> start() {
        changed = vertx.eventBus().consumer(Addresses.THEME_CHANGED, msg -> plans.forget(msg.body().projectId()));
        scored = vertx.eventBus().consumer(Addresses.TRACE_SCORED, msg -> dispatch(msg.body())
                .onSuccess(x -> dispatchLog.succeeded())
                .onFailure(e -> {
                    if (StoreErrors.unavailable(e)) {
                        dispatchLog.failed(e);
                    } else {
                        LOG.warn("Theme dispatch failed for trace {}: {}", msg.body().formatted().traceId(), e.toString());
                    }
                }));
        return Future.all(changed.completion(), scored.completion());
    }

    private Future<Void> dispatch(TraceScored scored) {
        TraceFormatted t = scored.formatted();
        return plans.plan(t.projectId())
                .compose(plan -> vertx.executeBlocking(() -> plan.select(t, scored.relevance()), false))
                .map(selected -> {
                    if (!selected.isEmpty()) {
                        vertx.eventBus().publish(Addresses.ANALYSIS_REQUESTED, new AnalysisRequest(t.projectId(), t.traceId(),
                                t.version(), t.trace(), t.text(), selected));
                    }
                    return null;
                });
    }

    @Override
    public Future<?> stop() {
        return scored == null ? Future.succeededFuture() : Future.all(scored.unregister(), changed.unregister());
    }
}
