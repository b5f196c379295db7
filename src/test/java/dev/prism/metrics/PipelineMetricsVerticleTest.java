package dev.prism.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisBacklog;
import dev.prism.bus.Codecs;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.TraceCompleted;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Pipeline metrics from the bus")
class PipelineMetricsVerticleTest {

    @Test
    @DisplayName("completed traces, analyses with tokens, cost and latency, vectors, cluster updates, alerts and the backlog reach /metrics")
    void countsWhatTheStagesPublish(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        Metrics metrics = new Metrics();
        // A fake analysis stage answering the backlog question.
        vertx.eventBus().consumer(Addresses.ANALYSIS_BACKLOG, m -> m.reply(new AnalysisBacklog.Counts(7, 2, 40, 1)));
        await(vertx.deployVerticle(new PipelineMetricsVerticle(metrics, 50)));

        Instant now = Instant.now();
        var bus = vertx.eventBus();
        bus.publish(Addresses.TRACE_COMPLETED, new TraceCompleted("default", "t1", 1, now, null));
        bus.publish(Addresses.TRACE_COMPLETED, new TraceCompleted("default", "t2", 1, now, null));
        bus.publish(Addresses.SUMMARY_CREATED, new SummaryCreated("default", "error_analysis", "t1", 1, 1, true, "Provider rate limit (429)",
                "…", "high", "gpt-4.1-mini", 1200, 80, 0.0021, 1500, now));
        bus.publish(Addresses.SUMMARY_CREATED, new SummaryCreated("default", "error_analysis", "t2", 1, 1, false, "", "", null,
                "gpt-4.1-mini", 1000, 20, 0.0011, 500, now));
        bus.publish(Addresses.EMBEDDING_CREATED, new EmbeddingCreated("default", "error_analysis", "t1", 1, 1, new float[]{1, 0}, "local", now));
        bus.publish(Addresses.CLUSTER_UPDATED, new LiveEvent("cluster.updated", "default", "error_analysis", "c1", JsonNodeFactory.instance.objectNode()));
        bus.publish(Addresses.ALERT_FIRED, new LiveEvent("alert.fired", "default", "error_analysis", null, JsonNodeFactory.instance.objectNode()));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.scrape().contains("prism_analyses_queued 7.0"));
        String text = metrics.scrape();
        assertThat(text).contains("prism_traces_completed_total 2.0")
                .contains("prism_analyses_completed_total{model=\"gpt-4.1-mini\",relevant=\"true\",theme=\"error_analysis\"} 1.0")
                .contains("prism_analyses_completed_total{model=\"gpt-4.1-mini\",relevant=\"false\",theme=\"error_analysis\"} 1.0")
                .contains("prism_llm_tokens_total{direction=\"input\",model=\"gpt-4.1-mini\",theme=\"error_analysis\"} 2200.0")
                .contains("prism_llm_tokens_total{direction=\"output\",model=\"gpt-4.1-mini\",theme=\"error_analysis\"} 100.0")
                .contains("prism_llm_cost_usd_total{model=\"gpt-4.1-mini\",theme=\"error_analysis\"} 0.003")
                .contains("prism_llm_latency_seconds_count{model=\"gpt-4.1-mini\"} 2")
                .contains("prism_llm_latency_seconds_sum{model=\"gpt-4.1-mini\"} 2.0")
                .contains("prism_embed_vectors_total{theme=\"error_analysis\"} 1.0")
                .contains("prism_cluster_updates_total{theme=\"error_analysis\"} 1.0")
                .contains("prism_alerts_fired_total{theme=\"error_analysis\"} 1.0")
                .contains("prism_analyses_running 2.0").contains("prism_analyses_done 40.0").contains("prism_analyses_dead 1.0");
        assertThat(text).as("no trace ids or summary text in labels").doesNotContain("t1", "rate limit");
    }
}
