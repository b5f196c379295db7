package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The analysis pipeline against a local OpenAI-compatible server: prompts, concurrency, repair, tokens and cost. */
@ExtendWith(VertxExtension.class)
@DisplayName("Streaming analysis through an OpenAI-compatible provider")
class ProviderPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("fenced prompts go out with the key, never more than the allowed calls at once; a malformed answer is repaired once; tokens and cost are recorded")
    void throughProvider(Vertx vertx, @TempDir Path dataDir) throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        List<String> prompts = new CopyOnWriteArrayList<>();
        List<String> keys = new CopyOnWriteArrayList<>();
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            int n = calls.incrementAndGet();
            keys.add(req.getHeader("Authorization"));
            String prompt;
            try {
                prompt = JSON.readTree(b.toString()).get("messages").get(1).get("content").asText();
            } catch (Exception e) {
                prompt = "";
            }
            prompts.add(prompt);
            // The first call answers prose, to make the analyzer repair; the rest answer the contract.
            String content = n == 1 ? "Sure, here is my analysis." : "{\"theme_relevant\": true, \"title\": \"Seen by the fake for dana@example.com, 3 times\", \"summary\": \"ok\", \"severity\": \"low\"}";
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini-2024-07-18");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", content);
            reply.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 50);
            vertx.setTimer(100, id -> {
                inFlight.decrementAndGet();
                req.response().putHeader("Content-Type", "application/json").end(reply.toString());
            });
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        settings.put("llm.apiKey", "sk-fake-key-for-tests");
        settings.put("llm.maxConcurrent", "2");
        TestServer server = TestServer.start(vertx, settings);
        List<dev.prism.bus.SummaryCreated> published = new CopyOnWriteArrayList<>();
        vertx.eventBus().<dev.prism.bus.SummaryCreated>consumer(dev.prism.bus.Addresses.SUMMARY_CREATED, m -> published.add(m.body()));
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            JsonNode errors = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 7, Duration.ofSeconds(60)).json().get("results");
            for (JsonNode s : errors) {
                JsonNode p = s.get("properties");
                assertThat(p.get("$ai_summary_title").asText()).isEqualTo("Seen by the fake for dana@example.com, 3 times");
                assertThat(p.get("$ai_model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
                assertThat(p.get("$ai_input_tokens").asLong()).isGreaterThanOrEqualTo(1000);
                assertThat(p.get("$ai_total_cost_usd").asDouble()).isPositive();
            }
            // A provider's title is embedded masked: no address, no figure.
            assertThat(published).filteredOn(c -> c.themeId().equals("error_analysis")).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.embedText()).isEqualTo("Seen by the fake for <email>, <n> times"));
            assertThat(maxInFlight.get()).as("calls in flight at once").isLessThanOrEqualTo(2);
            List<String> repairs = prompts.stream().filter(p -> p.contains("Your previous reply was:")).toList();
            assertThat(repairs).hasSize(1);
            assertThat(repairs.get(0)).contains("Your previous reply was:\nSure, here is my analysis.")
                    .as("the repair call does not resend the trace").doesNotContain("TRACE_DATA");
            // Analyses carry the fenced trace; cluster naming (a theme's first 10 summaries) fences summaries instead.
            assertThat(prompts).filteredOn(p -> !repairs.contains(p) && !p.startsWith("You name a cluster"))
                    .isNotEmpty().allMatch(p -> p.contains("<<<TRACE_DATA") && p.contains("TRACE_DATA>>>"));
            assertThat(prompts).filteredOn(p -> p.startsWith("You name a cluster")).allMatch(p -> p.contains("<<<SUMMARIES"));
            assertThat(keys).allMatch("Bearer sk-fake-key-for-tests"::equals);
        } finally {
            server.stop();
            TestServer.await(fake.close());
        }
    }
}
