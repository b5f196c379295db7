package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OpenAI provider against a small local server speaking the Chat Completions protocol. */
@ExtendWith(VertxExtension.class)
class OpenAiProviderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-secret-key-123";

    private HttpServer server;
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpServerRequest> behaviour;
    private OpenAiProvider provider;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        server = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            if (!req.path().equals("/v1/chat/completions") || req.method() != io.vertx.core.http.HttpMethod.POST) {
                req.response().setStatusCode(404).end();
                return;
            }
            try {
                bodies.add(JSON.readTree(b.toString()));
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
                return;
            }
            authorizations.add(req.getHeader("Authorization"));
            behaviour.accept(req);
        })).listen(0, "127.0.0.1"));
        provider = new OpenAiProvider(vertx, "http://127.0.0.1:" + server.actualPort() + "/v1", KEY, 1_000, 8);
    }

    @AfterEach
    void stop() throws Exception {
        provider.close();
        TestServer.await(server.close());
    }

    private static String completion(String content) {
        return JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion").put("model", "gpt-4o-mini-2024-07-18")
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("choices", JSON.createArrayNode().add(JSON.createObjectNode().put("index", 0)
                        .put("finish_reason", "stop").<com.fasterxml.jackson.databind.node.ObjectNode>set("message",
                                JSON.createObjectNode().put("role", "assistant").put("content", content))))
                .set("usage", JSON.createObjectNode().put("prompt_tokens", 812).put("completion_tokens", 64).put("total_tokens", 876)
                        .<com.fasterxml.jackson.databind.node.ObjectNode>set("prompt_tokens_details", JSON.createObjectNode().put("cached_tokens", 512)))
                .toString();
    }

    private LlmProvider.Reply call() throws Exception {
        return TestServer.await(provider.complete(new LlmProvider.Request("gpt-4o-mini", "You analyse traces.", "<<<TRACE_DATA …", 300)));
    }

    private LlmProvider.ProviderException failure() {
        try {
            call();
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return (LlmProvider.ProviderException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("sends the messages, a strict JSON schema and the key as Bearer; reads the answer and the token usage")
    void success() throws Exception {
        behaviour = req -> req.response().putHeader("Content-Type", "application/json")
                .end(completion("{\"theme_relevant\": true, \"title\": \"t\", \"summary\": \"s\", \"severity\": \"low\"}"));
        LlmProvider.Reply reply = call();
        assertThat(AnswerParser.parse(reply.text()).title()).isEqualTo("t");
        assertThat(reply.inputTokens()).isEqualTo(812);
        assertThat(reply.outputTokens()).isEqualTo(64);
        assertThat(reply.cacheReadTokens()).as("cached prompt tokens, part of prompt_tokens").isEqualTo(512);
        assertThat(reply.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        JsonNode body = bodies.get(0);
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(body.get("messages").get(1).get("content").asText()).startsWith("<<<TRACE_DATA");
        assertThat(body.get("response_format").get("type").asText()).isEqualTo("json_schema");
        assertThat(body.get("response_format").get("json_schema").get("strict").asBoolean()).isTrue();
        assertThat(body.get("response_format").get("json_schema").get("schema").get("required")).hasSize(4);
        assertThat(authorizations.get(0)).isEqualTo("Bearer " + KEY);
    }

    @Test
    @DisplayName("429 with Retry-After is retryable after the given delay; 500 is retryable; 400 is not; the key never shows")
    void httpErrors() {
        behaviour = req -> req.response().setStatusCode(429).putHeader("Retry-After", "2")
                .end("{\"error\": {\"message\": \"Rate limit reached for gpt-4o-mini\", \"type\": \"requests\"}}");
        LlmProvider.ProviderException limited = failure();
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.retryable()).isTrue();
        assertThat(limited.retryAfterMillis()).isEqualTo(2_000);
        assertThat(limited.getMessage()).contains("Rate limit reached").doesNotContain(KEY);

        behaviour = req -> req.response().setStatusCode(500).end("oops");
        LlmProvider.ProviderException server = failure();
        assertThat(server.retryable()).isTrue();
        assertThat(server.retryAfterMillis()).isEqualTo(-1);

        behaviour = req -> req.response().setStatusCode(400).end("{\"error\": {\"message\": \"Invalid schema\"}}");
        LlmProvider.ProviderException bad = failure();
        assertThat(bad.retryable()).isFalse();
        assertThat(bad.getMessage()).contains("Invalid schema");
    }

    @Test
    @DisplayName("a reply slower than the deadline fails as a retryable timeout; an unreadable body fails as retryable")
    void timeoutsAndGarbage(Vertx vertx) {
        behaviour = req -> vertx.setTimer(3_000, id -> req.response().end(completion("{}")));
        long start = System.nanoTime();
        LlmProvider.ProviderException slow = failure();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_500);
        assertThat(slow.retryable()).isTrue();
        assertThat(slow.getMessage()).containsIgnoringCase("timeout");

        behaviour = req -> req.response().putHeader("Content-Type", "application/json").end("{not json");
        assertThat(failure().getMessage()).contains("unreadable");
    }

    @Test
    @DisplayName("a malformed answer from the model is caught by the contract parser, ready for one repair attempt")
    void malformedAnswer() throws Exception {
        behaviour = req -> req.response().end(completion("Sure! The trace is relevant."));
        LlmProvider.Reply reply = call();
        assertThatThrownBy(() -> AnswerParser.parse(reply.text())).isInstanceOf(dev.prism.common.ModelAnswer.Invalid.class)
                .hasMessageContaining("no JSON object");
    }

    @Test
    @DisplayName("the six built-in themes' requests for one trace begin with the same bytes (system, then the fenced trace); cached tokens are priced as cached input")
    void sharedPrefixAcrossThemes(Vertx vertx) throws Exception {
        behaviour = req -> req.response().putHeader("Content-Type", "application/json")
                .end(completion("{\"theme_relevant\": true, \"title\": \"Provider rate limit (429)\", \"summary\": \"s\", \"severity\": \"low\"}"));
        ProviderAnalyzer analyzer = new ProviderAnalyzer(vertx, "openai", provider,
                new FlowControl(new FlowControl.Limits(8, 1_000, 10_000_000, 5, 30_000), System::currentTimeMillis), dev.prism.pricing.Pricing.DEFAULTS);
        String trace = "[user] Export my invoices as CSV\n[assistant] tool export_csv(...)\n[error] RateLimitError: 429\n".repeat(20);
        java.util.Map<String, String> prompts = dev.prism.theme.BuiltInPrompts.rendered("trace-7", trace);
        AnalysisTasks.Result result = null;
        for (var e : prompts.entrySet()) {
            result = TestServer.await(analyzer.analyze(e.getValue(), "gpt-4o-mini", e.getKey(), () -> true));
        }
        assertThat(bodies).hasSize(6);
        int shared = dev.prism.bus.TracePrompt.sharedPrefixLength(prompts.get("error_analysis"));
        String system = bodies.get(0).get("messages").get(0).get("content").asText();
        String prefix = bodies.get(0).get("messages").get(1).get("content").asText().substring(0, shared);
        assertThat(prefix).contains(trace).doesNotContain("Look for:");
        for (JsonNode body : bodies) {
            assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo(system).isEqualTo(ProviderAnalyzer.SYSTEM);
            assertThat(body.get("messages").get(1).get("content").asText()).startsWith(prefix);
            assertThat(body.get("response_format")).isEqualTo(bodies.get(0).get("response_format"));
        }
        assertThat(bodies.stream().map(b -> b.get("messages").get(1).get("content").asText().substring(shared)).distinct()).hasSize(6);
        // 812 prompt tokens of which 512 cached, 64 out, gpt-4o-mini: $0.15 / $0.075 cached / $0.60 per million.
        assertThat(result.costUsd()).isCloseTo((300 * 0.15 + 512 * 0.075 + 64 * 0.60) / 1e6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(result.cacheReadTokens()).isEqualTo(512);
    }

    @Test
    @DisplayName("cached input is read from the Responses API's usage names too")
    void responsesUsageNames() {
        JsonNode usage = JSON.createObjectNode().put("input_tokens", 2_000).put("output_tokens", 50)
                .set("input_tokens_details", JSON.createObjectNode().put("cached_tokens", 1_920));
        assertThat(OpenAiProvider.cachedTokens(usage)).isEqualTo(1_920);
        assertThat(OpenAiProvider.cachedTokens(JSON.createObjectNode())).isZero();
    }

    @Test
    @DisplayName("of the themes' calls for one trace started together, the first goes alone and the others follow its answer, so they find the prefix cached; short traces never wait")
    void firstCallWarmsTheCache(Vertx vertx) throws Exception {
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        List<Integer> inFlightAtArrival = new CopyOnWriteArrayList<>();
        behaviour = req -> {
            inFlightAtArrival.add(inFlight.incrementAndGet());
            vertx.setTimer(150, id -> {
                inFlight.decrementAndGet();
                req.response().putHeader("Content-Type", "application/json")
                        .end(completion("{\"theme_relevant\": false, \"title\": \"\", \"summary\": \"\", \"severity\": \"low\"}"));
            });
        };
        ProviderAnalyzer analyzer = new ProviderAnalyzer(vertx, "openai", provider,
                new FlowControl(new FlowControl.Limits(8, 1_000, 10_000_000, 5, 30_000), System::currentTimeMillis), dev.prism.pricing.Pricing.DEFAULTS);
        String longTrace = "[user] Please reconcile these 40 invoices against the ledger\n[tool] ledger_lookup -> 40 rows\n".repeat(60);
        assertThat(longTrace.length() / 4).isGreaterThan(ProviderAnalyzer.MIN_CACHEABLE_TOKENS);
        List<io.vertx.core.Future<AnalysisTasks.Result>> calls = new CopyOnWriteArrayList<>();
        vertx.runOnContext(v -> dev.prism.theme.BuiltInPrompts.rendered("trace-long", longTrace).forEach((theme, prompt) ->
                calls.add(analyzer.analyze(prompt, "gpt-4o-mini", theme, () -> true))));
        while (calls.size() < 6) {
            Thread.onSpinWait();
        }
        TestServer.await(io.vertx.core.Future.all(List.copyOf(calls)));
        assertThat(inFlightAtArrival).hasSize(6);
        assertThat(inFlightAtArrival.get(0)).isEqualTo(1);
        assertThat(inFlightAtArrival.get(1)).as("the second call started after the first was answered").isEqualTo(1);
        assertThat(inFlightAtArrival).as("the other five then go together").contains(5);
        assertThat(analyzer.warmingPrefixes()).isZero();

        inFlightAtArrival.clear();
        List<io.vertx.core.Future<AnalysisTasks.Result>> shortCalls = new CopyOnWriteArrayList<>();
        vertx.runOnContext(v -> dev.prism.theme.BuiltInPrompts.rendered("trace-short", "[user] hi\n[assistant] hello\n").forEach((theme, prompt) ->
                shortCalls.add(analyzer.analyze(prompt, "gpt-4o-mini", theme, () -> true))));
        while (shortCalls.size() < 6) {
            Thread.onSpinWait();
        }
        TestServer.await(io.vertx.core.Future.all(List.copyOf(shortCalls)));
        assertThat(inFlightAtArrival).as("a trace too short to add a cached step: all six at once").contains(6);
    }
}
