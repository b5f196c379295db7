package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.HttpApi.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Issue 12, point 2: traffic of the PostHog SDK wrappers (model and tokens, no cost) gets its cost on the server, and
 * that cost reaches trace aggregates, the performance theme's cost filter (SQL preview and the in-memory dispatch)
 * and the dashboard's API.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Server-side cost of wrapper traffic")
class ServerSideCostTest {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    /** claude-opus-4 via Anthropic with prompt caching: 26,000 tokens, far below the token criterion, about $0.54. */
    private static final String EXPENSIVE = "cost-expensive-" + RUN;
    private static final String CHEAP = "cost-cheap-" + RUN;
    private static final String CLIENT_PRICED = "cost-client-" + RUN;
    private static final String UNKNOWN = "cost-unknown-" + RUN;
    private static final String CONFIGURED = "cost-configured-" + RUN;

    private TestServer server;

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("llm.prices", "acme-chat=10/20");
        server = TestServer.start(vertx, settings);
        Instant t = Instant.now().minusSeconds(60);

        ArrayNode batch = JSON.createArrayNode();
        // @posthog/ai's Anthropic wrapper: input tokens without the cache, cache reads and writes apart.
        batch.add(generation(EXPENSIVE, t, "anthropic", "claude-opus-4-20250514", props -> props
                .put("$ai_input_tokens", 2_000).put("$ai_output_tokens", 6_000)
                .put("$ai_cache_read_input_tokens", 16_000).put("$ai_cache_creation_input_tokens", 2_000)));
        // The OpenAI wrapper through OpenRouter, with a dated model name.
        batch.add(generation(EXPENSIVE, t.plusSeconds(1), "openrouter", "openai/gpt-4o-mini-2024-07-18", props -> props
                .put("$ai_input_tokens", 1_000).put("$ai_output_tokens", 100)));
        batch.add(root(EXPENSIVE, t.plusSeconds(2)));
        batch.add(generation(CHEAP, t, "openai", "gpt-4o-mini", props -> props.put("$ai_input_tokens", 1_200).put("$ai_output_tokens", 80)));
        batch.add(root(CHEAP, t.plusSeconds(1)));
        batch.add(generation(CLIENT_PRICED, t, "openai", "gpt-4o-mini", props -> props
                .put("$ai_input_tokens", 10).put("$ai_output_tokens", 10).put("$ai_total_cost_usd", 0.9)));
        batch.add(root(CLIENT_PRICED, t.plusSeconds(1)));
        batch.add(generation(UNKNOWN, t, "in-house", "mystery-9000", props -> props.put("$ai_input_tokens", 900_000).put("$ai_output_tokens", 9_000)));
        batch.add(root(UNKNOWN, t.plusSeconds(1)));
        batch.add(generation(CONFIGURED, t, "acme", "acme/acme-chat-2025-01-01", props -> props.put("$ai_input_tokens", 1_000).put("$ai_output_tokens", 1_000)));
        batch.add(root(CONFIGURED, t.plusSeconds(1)));

        ObjectNode body = JSON.createObjectNode().put("api_key", TestServer.PROJECT_TOKEN);
        body.set("batch", batch);
        body.put("sent_at", Instant.now().toString());
        HttpApi.Response r = server.http.post("/batch/", body.toString());
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
        for (String trace : new String[]{EXPENSIVE, CHEAP, CLIENT_PRICED, UNKNOWN, CONFIGURED}) {
            server.http.awaitApi("/api/projects/default/traces/" + trace, x -> x.status() == 200 && "completed".equals(x.json().get("status").asText()),
                    Duration.ofSeconds(30));
        }
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
    }

    /** An event as posthog-node sends it for an @posthog/ai wrapper call: model, provider and tokens, no cost. */
    private static ObjectNode generation(String traceId, Instant at, String provider, String model,
                                         java.util.function.Consumer<ObjectNode> tokens) {
        ObjectNode e = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-1")
                .put("uuid", UUID.randomUUID().toString()).put("timestamp", at.toString()).put("type", "capture").put("library", "posthog-node");
        ObjectNode p = e.putObject("properties");
        p.put("$ai_provider", provider).put("$ai_model", model).put("$ai_trace_id", traceId).put("$ai_span_id", UUID.randomUUID().toString())
                .put("$ai_latency", 0.8).put("$ai_http_status", 200).put("$ai_base_url", "https://api.example.com/v1")
                .put("$ai_lib", "posthog-ai").put("$lib", "posthog-node");
        p.putArray("$ai_input").addObject().put("role", "user").put("content", "Plan a trip to Lisbon");
        p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", "Here is a plan.");
        tokens.accept(p);
        return e;
    }

    private static ObjectNode root(String traceId, Instant at) {
        ObjectNode e = JSON.createObjectNode().put("event", "$ai_trace").put("distinct_id", "user-1")
                .put("uuid", UUID.randomUUID().toString()).put("timestamp", at.toString());
        e.putObject("properties").put("$ai_trace_id", traceId).put("$ai_span_name", "trip planner");
        return e;
    }

    private JsonNode trace(String id) throws Exception {
        return server.http.api("/api/projects/default/traces/" + id).json();
    }

    @Test
    @DisplayName("the trace's cost is the sum of the generations' computed costs, marked estimated on events and aggregates")
    void traceCost() throws Exception {
        JsonNode t = trace(EXPENSIVE);
        // claude-opus-4: $15 in, $75 out, $1.50 cache read, $18.75 cache write per million; gpt-4o-mini: $0.15 in, $0.60 out.
        double opus = (2_000 * 15.0 + 16_000 * 1.5 + 2_000 * 18.75 + 6_000 * 75.0) / 1e6;
        double mini = (1_000 * 0.15 + 100 * 0.60) / 1e6;
        assertThat(t.get("aggregates").get("cost_usd").asDouble()).isCloseTo(opus + mini, within(1e-9));
        assertThat(t.get("aggregates").get("cost_estimated").asBoolean()).isTrue();
        for (JsonNode e : t.get("events")) {
            if (e.get("event").asText().equals("$ai_generation")) {
                JsonNode p = e.get("properties");
                assertThat(p.get("$ai_cost_estimated").asBoolean()).isTrue();
                assertThat(p.get("$ai_total_cost_usd").asDouble()).isPositive();
                assertThat(p.get("$ai_model_cost_used").asText()).isIn("claude-opus-4", "gpt-4o-mini");
            }
        }
        assertThat(rawText(EXPENSIVE)).as("the rendered header carries the cost").contains("cost: $0.5417 ");

        JsonNode listed = server.http.api("/api/projects/default/traces?limit=100&since=2000-01-01T00:00:00Z").json().get("results");
        boolean seen = false;
        for (JsonNode row : listed) {
            if (row.get("trace_id").asText().equals(EXPENSIVE)) {
                seen = true;
                assertThat(row.get("aggregates").get("cost_usd").asDouble()).isCloseTo(opus + mini, within(1e-9));
                assertThat(row.get("aggregates").get("cost_estimated").asBoolean()).isTrue();
            }
        }
        assertThat(seen).as("the dashboard's trace list shows it").isTrue();
    }

    private String rawText(String id) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.server.httpPort() + "/api/projects/default/traces/" + id + "/text"))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    @DisplayName("a client's own cost stands, an unpriced model stays unpriced (not $0 estimated), llm.prices prices a configured model")
    void otherTraces() throws Exception {
        JsonNode client = trace(CLIENT_PRICED).get("aggregates");
        assertThat(client.get("cost_usd").asDouble()).isCloseTo(0.9, within(1e-12));
        assertThat(client.get("cost_estimated").asBoolean()).isFalse();
        JsonNode unknown = trace(UNKNOWN);
        assertThat(unknown.get("aggregates").get("cost_usd").asDouble()).isZero();
        assertThat(unknown.get("aggregates").get("cost_estimated").asBoolean()).isFalse();
        assertThat(unknown.get("events").get(0).get("properties").has("$ai_total_cost_usd")).isFalse();
        JsonNode configured = trace(CONFIGURED).get("aggregates");
        assertThat(configured.get("cost_usd").asDouble()).isCloseTo((1_000 * 10.0 + 1_000 * 20.0) / 1e6, within(1e-12));
        assertThat(configured.get("cost_estimated").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("the performance theme's cost filter selects the wrapper trace: SQL preview and in-memory dispatch agree")
    void costFilter() throws Exception {
        JsonNode theme = server.http.api("/api/projects/default/themes/performance_issues").json();
        ObjectNode draft = JSON.createObjectNode();
        draft.set("theme_filters", theme.get("theme_filters"));
        draft.putObject("date_range").put("date_from", "2000-01-01T00:00:00Z").put("date_to", Instant.now().plusSeconds(3600).toString());
        HttpApi.Response builtIn = server.http.admin("POST", "/api/projects/default/themes/preview", draft.toString());
        assertThat(builtIn.status()).as(builtIn.json().toString()).isEqualTo(200);
        assertThat(builtIn.json().get("traces_in_range").asLong()).isEqualTo(5);
        // Only the cost criterion can select these: every trace is fast and under 100,000 tokens except the unpriced one.
        assertThat(builtIn.json().get("matching_theme_filters").asLong()).as("expensive (estimated), client-priced, 909k-token unknown").isEqualTo(3);

        draft.set("theme_filters", JSON.readTree("""
                [{"key": "trace.cost_usd", "operator": "gt", "value": 0.5, "type": "trace"}]"""));
        HttpApi.Response costOnly = server.http.admin("POST", "/api/projects/default/themes/preview", draft.toString());
        assertThat(costOnly.json().get("matching_theme_filters").asLong()).as("the estimated trace and the client-priced one").isEqualTo(2);
        draft.set("theme_filters", JSON.readTree("""
                [{"key": "$ai_cost_estimated", "operator": "exact", "value": true, "type": "event"},
                 {"key": "$ai_total_cost_usd", "operator": "gt", "value": 0.5, "type": "event"}]"""));
        HttpApi.Response eventLevel = server.http.admin("POST", "/api/projects/default/themes/preview", draft.toString());
        assertThat(eventLevel.json().get("matching_theme_filters").asLong()).as("event-level filters see the computed cost").isEqualTo(1);

        // The built-in theme analysed each completed trace it selected in memory: the same three.
        JsonNode summaries = server.http.awaitApi("/api/projects/default/summaries?theme=performance_issues&limit=100",
                r -> r.json().get("results").size() >= 3, Duration.ofSeconds(60)).json().get("results");
        Set<String> analysed = new HashSet<>();
        summaries.forEach(s -> analysed.add(s.get("properties").get("$ai_trace_id").asText()));
        assertThat(analysed).containsExactlyInAnyOrder(EXPENSIVE, CLIENT_PRICED, UNKNOWN);
    }

    @Test
    @DisplayName("the daily budget counts Prism's own LLM spend, not the cost of the traces it analyses, priced with the same name matching")
    void budgetIsPrismsSpend() throws Exception {
        server.http.awaitApi("/api/projects/default/summaries?theme=performance_issues&limit=100",
                r -> r.json().get("results").size() >= 3, Duration.ofSeconds(60));
        JsonNode llm = server.http.api("/api/projects/default/llm").json();
        assertThat(llm.get("spent_today_usd").asDouble()).as("offline analyses cost nothing, whatever the traces cost").isZero();
        // A router-style, dated name for Prism's own model is priced too, so its calls count against the budget
        // instead of waiting as paused_price_unknown.
        HttpApi.Response set = server.http.admin("PUT", "/api/projects/default/llm",
                "{\"provider\": \"openai\", \"model\": \"openai/gpt-4o-mini-2024-07-18\", \"daily_budget_usd\": 1}");
        try {
            assertThat(set.status()).as(set.json().toString()).isEqualTo(200);
            assertThat(set.json().get("status").asText()).isNotEqualTo("paused_price_unknown");
            assertThat(set.json().get("price").get("input").asDouble()).isEqualTo(0.15);
            assertThat(set.json().get("price").get("cache_read").asDouble()).isEqualTo(0.075);
        } finally {
            server.http.admin("PUT", "/api/projects/default/llm", "{\"provider\": null, \"model\": null, \"daily_budget_usd\": null}");
        }
    }
}
