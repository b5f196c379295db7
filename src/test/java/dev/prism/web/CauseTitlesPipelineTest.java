package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: traces failing with one cause in three SDKs' words, ingested over HTTP, get one title from the offline
 * analyzer and one embedded text, so their vectors are the same; another cause stays apart.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Cause titles through the pipeline")
class CauseTitlesPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> failingTrace(String traceId, String model, String provider, Object error, Integer status) {
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        ObjectNode root = JSON.createObjectNode().put("event", "$ai_trace").put("distinct_id", "u").put("timestamp", at.toString());
        root.putObject("properties").put("$ai_trace_id", traceId).put("$ai_span_name", "assistant").put("$ai_is_error", true);
        ObjectNode gen = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "u").put("timestamp", at.plusSeconds(1).toString());
        ObjectNode p = gen.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", model).put("$ai_provider", provider)
                .put("$ai_is_error", true).put("$ai_latency", 0.4);
        p.putArray("$ai_input").addObject().put("role", "user").put("content", "Summarise my open tickets");
        if (error instanceof String s) {
            p.put("$ai_error", s);
        } else {
            p.set("$ai_error", JSON.valueToTree(error));
        }
        if (status != null) {
            p.put("$ai_http_status", status);
        }
        return List.of(root, gen);
    }

    @Test
    @DisplayName("rate limits from OpenAI, Anthropic and Gemini share one title and one vector; a quota failure gets its own")
    void oneCauseOneTitleOneVector(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        List<SummaryCreated> summaries = new CopyOnWriteArrayList<>();
        List<EmbeddingCreated> embeddings = new CopyOnWriteArrayList<>();
        vertx.eventBus().<SummaryCreated>consumer(Addresses.SUMMARY_CREATED, m -> summaries.add(m.body()));
        vertx.eventBus().<EmbeddingCreated>consumer(Addresses.EMBEDDING_CREATED, m -> embeddings.add(m.body()));
        try {
            List<JsonNode> events = new ArrayList<>();
            events.addAll(failingTrace("rl-openai", "gpt-4.1-mini", "openai",
                    "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached on requests per min (RPM)', 'code': 'rate_limit_exceeded'}}", null));
            events.addAll(failingTrace("rl-anthropic", "claude-sonnet-4", "anthropic",
                    Map.of("type", "error", "error", Map.of("type", "rate_limit_error", "message", "Number of request tokens has exceeded your per-minute rate limit")), 429));
            events.addAll(failingTrace("rl-gemini", "gemini-2.0-flash", "google",
                    "google.api_core.exceptions.ResourceExhausted: 429 Resource has been exhausted", null));
            events.addAll(failingTrace("quota", "gpt-4o", "openai",
                    "Error: 429 You exceeded your current quota, please check your plan and billing details.", 429));
            assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events)).status()).isEqualTo(200);

            JsonNode results = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 4, Duration.ofSeconds(60)).json().get("results");
            Map<String, String> titles = new HashMap<>();
            results.forEach(s -> titles.put(s.get("properties").get("$ai_trace_id").asText(), s.get("properties").get("$ai_summary_title").asText()));
            assertThat(titles).containsEntry("rl-openai", "Provider rate limit (429)").containsEntry("rl-anthropic", "Provider rate limit (429)")
                    .containsEntry("rl-gemini", "Provider rate limit (429)").containsEntry("quota", "Quota or billing limit reached");
            results.forEach(s -> assertThat(s.get("properties").get("$ai_summary").asText())
                    .contains(s.get("properties").get("$ai_trace_id").asText().equals("rl-anthropic") ? "claude-sonnet-4" : "")
                    .contains("Not recovered"));

            await("four error vectors").atMost(Duration.ofSeconds(60))
                    .until(() -> embeddings.stream().filter(e -> e.themeId().equals("error_analysis")).count() >= 4);
            Map<String, float[]> vectors = new HashMap<>();
            embeddings.stream().filter(e -> e.themeId().equals("error_analysis")).forEach(e -> vectors.put(e.traceId(), e.vector()));
            assertThat(vectors).containsOnlyKeys("rl-openai", "rl-anthropic", "rl-gemini", "quota");
            assertThat(vectors.get("rl-anthropic")).isEqualTo(vectors.get("rl-openai")).isEqualTo(vectors.get("rl-gemini"));
            assertThat(vectors.get("quota")).isNotEqualTo(vectors.get("rl-openai"));
            assertThat(summaries).filteredOn(s -> s.themeId().equals("error_analysis"))
                    .extracting(SummaryCreated::embedText).contains("Provider rate limit (<n>)", "Quota or billing limit reached");
        } finally {
            server.stop();
        }
    }
}
