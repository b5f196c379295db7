package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Streaming analysis with the offline analyzer")
class AnalysisPipelineTest {

    @Test
    @DisplayName("completed fixtures go through the built-in themes' filters; selected ones are analysed once each and served as $ai_trace_summary")
    void fixturesStreamThrough(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        List<SummaryCreated> published = new CopyOnWriteArrayList<>();
        vertx.eventBus().<SummaryCreated>consumer(Addresses.SUMMARY_CREATED, m -> published.add(m.body()));
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            JsonNode errors = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 7, Duration.ofSeconds(60)).json().get("results");
            Set<String> errorTraces = new HashSet<>();
            for (JsonNode s : errors) {
                assertThat(s.get("event").asText()).isEqualTo("$ai_trace_summary");
                JsonNode p = s.get("properties");
                assertThat(p.get("$ai_theme_relevant").asBoolean()).isTrue();
                assertThat(p.get("$ai_summary_title").asText()).isNotBlank();
                assertThat(p.get("$ai_prompt_version").asInt()).isEqualTo(1);
                errorTraces.add(p.get("$ai_trace_id").asText());
            }
            assertThat(errorTraces).contains(Fixtures.named("s03").traceId(), Fixtures.named("s16").traceId())
                    .doesNotContain(Fixtures.named("s01").traceId());

            // Wait until the other themes are done: the stored count stops changing and every result was published.
            JsonNode all = server.http.api("/api/projects/default/summaries?limit=1000").json().get("results");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                JsonNode again = server.http.api("/api/projects/default/summaries?limit=1000").json().get("results");
                if (again.size() == all.size() && published.size() == again.size()) {
                    break;
                }
                all = again;
            }
            int traces = 24;
            int themes = 6;
            System.out.printf("LLM calls: %d of %d naive (%.0f%%)%n", all.size(), traces * themes, 100.0 * all.size() / (traces * themes));
            // The 24 fixtures are nearly all problem traces, so they pass pre-filters far more often than traffic does:
            // the bound here is a third of the naive calls; the demo mix, traffic-like, stays at 16 % (PreFilterDemoMixTest,
            // whose bound is issue 13's 30 %).
            assertThat(all.size()).as("calls against the naive traces × themes").isLessThanOrEqualTo((int) (0.33 * traces * themes));
            Set<String> unique = new HashSet<>();
            all.forEach(s -> unique.add(s.get("properties").get("$ai_analysis_theme_id").asText() + "/" + s.get("properties").get("$ai_trace_id").asText()));
            assertThat(unique).as("one result per theme and trace").hasSize(all.size());
            assertThat(published).hasSize(all.size());

            JsonNode relevantOnly = server.http.api("/api/projects/default/summaries?relevant=true&limit=1000").json().get("results");
            assertThat(relevantOnly.size()).isPositive().isLessThanOrEqualTo(all.size());
            relevantOnly.forEach(s -> assertThat(s.get("properties").get("$ai_theme_relevant").asBoolean()).isTrue());
            assertThat(server.http.api("/api/projects/default/summaries?limit=0").status()).isEqualTo(400);

            JsonNode s16 = server.http.api("/api/projects/default/traces/" + Fixtures.named("s16").traceId()).json();
            Set<String> themesOfTrace = new HashSet<>();
            s16.get("analyses").forEach(a -> themesOfTrace.add(a.get("properties").get("$ai_analysis_theme_id").asText()));
            assertThat(themesOfTrace).as("every theme's result for the trace").contains("error_analysis", "unhappy_users");
        } finally {
            server.stop();
        }
    }
}
