package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.support.TestServer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Anthropic Messages and Gemini generateContent against a small local server speaking each protocol. */
@ExtendWith(VertxExtension.class)
class AnthropicAndGeminiProviderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "secret-provider-key-42";
    private static final String ANSWER = "{\"theme_relevant\": true, \"title\": \"Timeout\", \"summary\": \"The call timed out.\", \"severity\": \"high\"}";

    private HttpServer server;
    private volatile String path;
    private volatile MultiMap headers;
    private volatile JsonNode body;
    private volatile Consumer<HttpServerRequest> behaviour;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        server = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            path = req.path();
            headers = req.headers();
            try {
                body = JSON.readTree(b.toString());
            } catch (Exception e) {
                body = null;
            }
            behaviour.accept(req);
        })).listen(0, "127.0.0.1"));
    }

    @AfterEach
    void stop() throws Exception {
        TestServer.await(server.close());
    }

    private String base() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private static LlmProvider.Request request() {
        return new LlmProvider.Request("model-x", "You analyse traces.", "<<<TRACE_DATA …", 300);
    }

    private static LlmProvider.ProviderException failure(LlmProvider provider) throws Exception {
        try {
            TestServer.await(provider.complete(request()));
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return (LlmProvider.ProviderException) e.getCause();
        }
    }

    @Test
    @DisplayName("Anthropic: x-api-key and version headers, system and a '{' prefill; the answer and usage are read; 429 and 529 are retryable")
    void anthropic(Vertx vertx) throws Exception {
        AnthropicProvider provider = new AnthropicProvider(vertx, base(), KEY, 2_000, 8);
        behaviour = req -> req.response().putHeader("Content-Type", "application/json").end(JSON.createObjectNode()
                .put("id", "msg_1").put("type", "message").put("role", "assistant").put("model", "claude-3-5-haiku-20241022")
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("content", JSON.createArrayNode().add(JSON.createObjectNode()
                        .put("type", "text").put("text", ANSWER.substring(1))))
                .set("usage", JSON.createObjectNode().put("input_tokens", 900).put("output_tokens", 40)
                        .put("cache_read_input_tokens", 2_000).put("cache_creation_input_tokens", 300)).toString());
        LlmProvider.Reply reply = TestServer.await(provider.complete(request()));
        assertThat(AnswerParser.parse(reply.text()).title()).isEqualTo("Timeout");
        assertThat(reply.inputTokens()).as("uncached input plus cache reads and writes").isEqualTo(3_200);
        assertThat(reply.cacheReadTokens()).isEqualTo(2_000);
        assertThat(reply.cacheWriteTokens()).isEqualTo(300);
        assertThat(reply.model()).isEqualTo("claude-3-5-haiku-20241022");
        assertThat(path).isEqualTo("/v1/messages");
        assertThat(headers.get("x-api-key")).isEqualTo(KEY);
        assertThat(headers.get("anthropic-version")).isEqualTo(AnthropicProvider.VERSION);
        assertThat(body.get("system").asText()).isEqualTo("You analyse traces.");
        assertThat(body.get("messages").get(1).get("content").asText()).isEqualTo("{");

        behaviour = req -> req.response().setStatusCode(429).putHeader("retry-after", "7")
                .end("{\"type\": \"error\", \"error\": {\"type\": \"rate_limit_error\", \"message\": \"Number of request tokens has exceeded your per-minute rate limit\"}}");
        LlmProvider.ProviderException limited = failure(provider);
        assertThat(limited.retryable()).isTrue();
        assertThat(limited.retryAfterMillis()).isEqualTo(7_000);
        assertThat(limited.getMessage()).contains("per-minute rate limit").doesNotContain(KEY);
        behaviour = req -> req.response().setStatusCode(529).end("{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}");
        assertThat(failure(provider).retryable()).isTrue();
        provider.close();
    }

    @Test
    @DisplayName("Gemini: model in the path, x-goog-api-key, JSON mime type and schema; thought parts skipped; usage read; 500 retryable, 403 not")
    void gemini(Vertx vertx) throws Exception {
        GeminiProvider provider = new GeminiProvider(vertx, base(), KEY, 2_000, 8);
        String answerJson = JSON.writeValueAsString(ANSWER);
        behaviour = req -> req.response().putHeader("Content-Type", "application/json").end("""
                {"candidates": [{"content": {"role": "model", "parts": [{"text": "thinking…", "thought": true}, {"text": %s}]},
                  "finishReason": "STOP"}],
                 "usageMetadata": {"promptTokenCount": 700, "candidatesTokenCount": 30, "totalTokenCount": 730, "cachedContentTokenCount": 400},
                 "modelVersion": "gemini-2.5-flash"}""".formatted(answerJson));
        LlmProvider.Reply reply = TestServer.await(provider.complete(request()));
        assertThat(AnswerParser.parse(reply.text()).summary()).isEqualTo("The call timed out.");
        assertThat(reply.outputTokens()).isEqualTo(30);
        assertThat(reply.cacheReadTokens()).isEqualTo(400);
        assertThat(reply.model()).isEqualTo("gemini-2.5-flash");
        assertThat(path).isEqualTo("/v1beta/models/model-x:generateContent");
        assertThat(headers.get("x-goog-api-key")).isEqualTo(KEY);
        assertThat(body.get("generationConfig").get("responseMimeType").asText()).isEqualTo("application/json");
        assertThat(body.get("systemInstruction").get("parts").get(0).get("text").asText()).isEqualTo("You analyse traces.");

        behaviour = req -> req.response().setStatusCode(500).end("{\"error\": {\"code\": 500, \"message\": \"Internal error\", \"status\": \"INTERNAL\"}}");
        assertThat(failure(provider).retryable()).isTrue();
        behaviour = req -> req.response().setStatusCode(403).end("{\"error\": {\"code\": 403, \"message\": \"API key not valid\", \"status\": \"PERMISSION_DENIED\"}}");
        LlmProvider.ProviderException denied = failure(provider);
        assertThat(denied.retryable()).isFalse();
        assertThat(denied.getMessage()).contains("API key not valid").doesNotContain(KEY);
        provider.close();
    }

    @Test
    @DisplayName("Anthropic: the trace every theme's prompt starts with is a block of its own marked cache_control ephemeral, the theme's part a second block")
    void anthropicMarksTheSharedPrefix(Vertx vertx) throws Exception {
        AnthropicProvider provider = new AnthropicProvider(vertx, base(), KEY, 2_000, 8);
        java.util.List<JsonNode> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        behaviour = req -> {
            bodies.add(body);
            req.response().putHeader("Content-Type", "application/json").end(JSON.createObjectNode().put("model", "claude-haiku-4-5")
                    .<com.fasterxml.jackson.databind.node.ObjectNode>set("content", JSON.createArrayNode().add(JSON.createObjectNode()
                            .put("type", "text").put("text", ANSWER.substring(1))))
                    .set("usage", JSON.createObjectNode().put("input_tokens", 120).put("output_tokens", 40)
                            .put("cache_read_input_tokens", 1_800).put("cache_creation_input_tokens", 0)).toString());
        };
        String trace = "[user] Why does my login fail?\n[error] 401 token expired\n".repeat(40);
        java.util.Map<String, String> prompts = dev.prism.theme.BuiltInPrompts.rendered("trace-9", trace);
        LlmProvider.Reply last = null;
        for (String prompt : prompts.values()) {
            last = TestServer.await(provider.complete(LlmProvider.Request.analysis("claude-haiku-4-5", ProviderAnalyzer.SYSTEM, prompt, 300)));
        }
        int shared = dev.prism.bus.TracePrompt.sharedPrefixLength(prompts.get("ux_issues"));
        String prefix = prompts.get("ux_issues").substring(0, shared);
        assertThat(bodies).hasSize(6);
        java.util.Set<String> suffixes = new java.util.HashSet<>();
        for (JsonNode b : bodies) {
            assertThat(b.get("system").asText()).isEqualTo(ProviderAnalyzer.SYSTEM);
            JsonNode content = b.get("messages").get(0).get("content");
            assertThat(content).hasSize(2);
            assertThat(content.get(0).get("text").asText()).isEqualTo(prefix).contains(trace);
            assertThat(content.get(0).get("cache_control").get("type").asText()).isEqualTo("ephemeral");
            assertThat(content.get(1).has("cache_control")).isFalse();
            assertThat(content.get(1).get("text").asText()).contains("Look for:");
            suffixes.add(content.get(1).get("text").asText());
        }
        assertThat(suffixes).hasSize(6);
        assertThat(last.cacheReadTokens()).isEqualTo(1_800);
        // Reads at $0.10, uncached input at $1.00, output at $5.00 per million (claude-haiku-4-5).
        ProviderAnalyzer analyzer = new ProviderAnalyzer(vertx, "anthropic", provider,
                new FlowControl(new FlowControl.Limits(8, 1_000, 10_000_000, 5, 30_000), System::currentTimeMillis), dev.prism.pricing.Pricing.DEFAULTS);
        assertThat(analyzer.cost("claude-haiku-4-5", last)).isCloseTo((120 * 1.00 + 1_800 * 0.10 + 40 * 5.00) / 1e6,
                org.assertj.core.data.Offset.offset(1e-12));

        // A prompt that shares nothing (a custom layout, a repair call) is one unmarked block.
        TestServer.await(provider.complete(request()));
        JsonNode plain = body.get("messages").get(0).get("content");
        assertThat(plain).hasSize(1);
        assertThat(plain.get(0).has("cache_control")).isFalse();
        provider.close();
    }

    @Test
    @DisplayName("Gemini: the themes' requests for one trace begin with the same system instruction and trace text (implicit caching, nothing marked)")
    void geminiSharesThePrefix(Vertx vertx) throws Exception {
        GeminiProvider provider = new GeminiProvider(vertx, base(), KEY, 2_000, 8);
        java.util.List<JsonNode> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        String answerJson = JSON.writeValueAsString(ANSWER);
        behaviour = req -> {
            bodies.add(body);
            req.response().putHeader("Content-Type", "application/json").end("""
                    {"candidates": [{"content": {"role": "model", "parts": [{"text": %s}]}}],
                     "usageMetadata": {"promptTokenCount": 1500, "candidatesTokenCount": 30, "cachedContentTokenCount": 1024}}""".formatted(answerJson));
        };
        String trace = "[user] Summarise this 300-page PDF\n[error] context length exceeded\n".repeat(40);
        java.util.Map<String, String> prompts = dev.prism.theme.BuiltInPrompts.rendered("trace-3", trace);
        for (String prompt : prompts.values()) {
            TestServer.await(provider.complete(LlmProvider.Request.analysis("gemini-2.5-flash", ProviderAnalyzer.SYSTEM, prompt, 300)));
        }
        int shared = dev.prism.bus.TracePrompt.sharedPrefixLength(prompts.get("error_analysis"));
        String prefix = prompts.get("error_analysis").substring(0, shared);
        for (JsonNode b : bodies) {
            assertThat(b.get("systemInstruction").get("parts").get(0).get("text").asText()).isEqualTo(ProviderAnalyzer.SYSTEM);
            assertThat(b.get("contents").get(0).get("parts").get(0).get("text").asText()).startsWith(prefix);
            assertThat(b.toString()).doesNotContain("cache_control").doesNotContain("cachedContent\"");
        }
        provider.close();
    }
}
