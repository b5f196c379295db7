package dev.prism.metrics;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisBacklog;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.TraceCompleted;
import dev.prism.lifecycle.Quiescent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What flows through the pipeline, as {@code GET /metrics} shows it: one small observer of the bus, so no stage carries
 * meters for the others. Counts completed traces, analyses per theme and model (and whether they were relevant), LLM
 * tokens and dollars, call latency, vectors made and cluster updates per theme, and fired alerts from the events the
 * stages already publish; and reads the analysis backlog (queued, running, done, dead) every {@code backlogMillis}.
 *
 * <p>Tags are theme ids and model names, never trace, user or project data beyond the theme id, so the number of series
 * is bounded by the themes and models in use.
 */
public final class PipelineMetricsVerticle extends VerticleBase implements Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetricsVerticle.class);

    private final Metrics metrics;
    private final long backlogMillis;
    private long timer = -1;

    public PipelineMetricsVerticle(Metrics metrics, long backlogMillis) {
        this.metrics = metrics;
        this.backlogMillis = backlogMillis;
    }

    @Override
    public Future<?> start() {
        MeterRegistry registry = metrics.registry();
        Counter traces = Counter.builder("prism.traces.completed").description("Trace versions completed by assembly").register(registry);
        var bus = vertx.eventBus();
        bus.<TraceCompleted>localConsumer(Addresses.TRACE_COMPLETED, m -> traces.increment());
        bus.<SummaryCreated>localConsumer(Addresses.SUMMARY_CREATED, m -> analysed(registry, m.body()));
        bus.<EmbeddingCreated>localConsumer(Addresses.EMBEDDING_CREATED, m -> Counter.builder("prism.embed.vectors")
                .description("Summary vectors made, per theme").tag("theme", m.body().themeId()).register(registry).increment());
        bus.localConsumer(Addresses.CLUSTER_UPDATED, m -> Counter.builder("prism.cluster.updates")
                .description("Cluster changes published (assignments and re-clusterings), per theme").tag("theme", themeOf(m.body()))
                .register(registry).increment());
        bus.localConsumer(Addresses.ALERT_FIRED, m -> Counter.builder("prism.alerts.fired").description("Alerts fired, per theme")
                .tag("theme", themeOf(m.body())).register(registry).increment());
        AtomicLong queued = metrics.level("prism.analyses.queued", "Analyses waiting for a provider call (all projects)");
        AtomicLong running = metrics.level("prism.analyses.running", "Analyses leased by a worker, their call under way");
        AtomicLong done = metrics.level("prism.analyses.done", "Analyses stored");
        AtomicLong dead = metrics.level("prism.analyses.dead", "Analyses dead-lettered after their last attempt");
        if (backlogMillis > 0) {
            timer = vertx.setPeriodic(0, backlogMillis, id -> bus.<AnalysisBacklog.Counts>request(Addresses.ANALYSIS_BACKLOG, new AnalysisBacklog(),
                            new DeliveryOptions().setSendTimeout(backlogMillis))
                    .onSuccess(r -> {
                        queued.set(r.body().queued());
                        running.set(r.body().running());
                        done.set(r.body().done());
                        dead.set(r.body().dead());
                    })
                    // The gauges keep their last reading; an outage of the store shows in the stages' own logs.
                    .onFailure(e -> LOG.debug("Analysis backlog not read: {}", e.toString())));
        }
        return Future.succeededFuture();
    }

    private static void analysed(MeterRegistry registry, SummaryCreated s) {
        String model = s.model() == null ? "unknown" : s.model();
        Counter.builder("prism.analyses.completed").description("Analyses stored, per theme and model, by whether the trace was relevant")
                .tag("theme", s.themeId()).tag("model", model).tag("relevant", Boolean.toString(s.themeRelevant()))
                .register(registry).increment();
        Counter.builder("prism.llm.tokens").description("Tokens of analysis calls, per theme, model and direction")
                .tag("theme", s.themeId()).tag("model", model).tag("direction", "input").register(registry).increment(s.inputTokens());
        Counter.builder("prism.llm.tokens").description("Tokens of analysis calls, per theme, model and direction")
                .tag("theme", s.themeId()).tag("model", model).tag("direction", "output").register(registry).increment(s.outputTokens());
        Counter.builder("prism.llm.cost.usd").description("Dollars spent on analysis calls, per theme and model")
                .tag("theme", s.themeId()).tag("model", model).register(registry).increment(s.costUsd());
        DistributionSummary.builder("prism.llm.latency.seconds").description("Analysis call latency, per model").baseUnit("seconds")
                .tag("model", model).register(registry).record(s.latencyMillis() / 1000.0);
    }

    private static String themeOf(Object body) {
        return body instanceof LiveEvent e && e.themeId() != null ? e.themeId() : "none";
    }

    @Override
    public Future<Void> quiesce() {
        return Quiescent.onContext(context, () -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            return Future.succeededFuture();
        });
    }
}
