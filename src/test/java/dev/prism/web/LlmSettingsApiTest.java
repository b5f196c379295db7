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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(VertxExtension.class)
@DisplayName("Per-project LLM settings, per-theme overrides and the daily budget")
class LlmSettingsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An OpenAI-compatible server that logs the model of every call and answers the contract. */
    private static HttpServer fakeOpenAi(Vertx vertx, List<String> models) throws Exception {
        return TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            String model;
            try {
                model = JSON.readTree(b.toString()).get("model").asText();
            } catch (Exception e) {
                model = "?";
            }
            models.add(model);
            ObjectNode reply = JSON.createObjectNode().put("model", model);
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant")
                    .put("content", "{\"theme_relevant\": true, \"title\": \"Seen\", \"summary\": \"ok\", \"severity\": \"low\"}");
            reply.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 50);
            vertx.setTimer(20, id -> req.response().putHeader("Content-Type", "application/json").end(reply.toString()));
        })).listen(0, "127.0.0.1"));
    }

    private static Map<String, String> settings(Path dataDir, HttpServer fake) {
        Map<String, String> s = TestServer.defaults(dataDir);
        s.put("llm.provider", "openai");
        s.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        s.put("llm.apiKey", "sk-fake-key-for-tests");
        s.put("llm.maxConcurrent", "2");
        return s;
    }

    @Test
    @DisplayName("a daily budget pauses analyses with a visible status once its rest cannot hold a call, never overshooting; lifting it resumes them")
    void budgetPausesDispatch(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<String> models = new CopyOnWriteArrayList<>();
        HttpServer fake = fakeOpenAi(vertx, models);
        TestServer server = TestServer.start(vertx, settings(dataDir, fake));
        try {
            // gpt-4o-mini: 1,000 input + 50 output tokens cost $0.00018 a call, but a call reserves its estimate first (its prompt
            // and the whole 400-token answer cap, $0.0003 to $0.0006 on these traces): calls start only while the rest of the
            // $0.001 holds one, so one to five are made whichever trace comes first.
            HttpApi.Response set = server.http.admin("PUT", "/api/projects/default/llm", "{\"daily_budget_usd\": 0.001}");
            assertThat(set.status()).isEqualTo(200);
            assertThat(set.json().get("budget_source").asText()).isEqualTo("project");
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            // Paused once the rest of the budget cannot hold a call's estimate, which may be while the calls that reserved
            // it are still answering: wait until their cost is recorded too.
            JsonNode paused = server.http.awaitApi("/api/projects/default/llm",
                    r -> r.json().get("status").asText().equals("paused_budget_reached") && r.json().get("spent_today_usd").asDouble() > 0,
                    Duration.ofSeconds(60)).json();
            assertThat(paused.get("spent_today_usd").asDouble()).isPositive().isLessThanOrEqualTo(0.001);
            assertThat(paused.get("resumes_at").asText()).endsWith("T00:00:00Z");
            // Calls dispatched just before the pause may still be answering: count once the count stops moving.
            java.util.concurrent.atomic.AtomicInteger lastSeen = new java.util.concurrent.atomic.AtomicInteger(-1);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> lastSeen.getAndSet(models.size()) == models.size());
            int callsWhilePaused = models.size();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                    .until(() -> models.size() == callsWhilePaused);
            assertThat(models).as("no calls while paused").hasSize(callsWhilePaused);
            assertThat(callsWhilePaused).as("only calls whose estimates fit the budget together").isBetween(1, 5);

            JsonNode lifted = server.http.admin("PUT", "/api/projects/default/llm", "{\"daily_budget_usd\": null}").json();
            assertThat(lifted.get("status").asText()).isEqualTo("active");
            server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 7, Duration.ofSeconds(60));
            JsonNode status = server.http.api("/api/projects/default/llm").json();
            JsonNode errors = null;
            for (JsonNode t : status.get("themes")) {
                if (t.get("theme_id").asText().equals("error_analysis")) {
                    errors = t;
                }
            }
            assertThat(errors).isNotNull();
            assertThat(errors.get("analyses").asLong()).isEqualTo(7);
            assertThat(errors.get("cost_usd").asDouble()).isCloseTo(7 * 0.00018, org.assertj.core.data.Offset.offset(1e-9));
        } finally {
            server.stop();
            fake.close();
        }
    }

    @Test
    @DisplayName("a theme's own provider or model overrides the project's, which overrides the server's; invalid choices name the field")
    void overrides(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<String> models = new CopyOnWriteArrayList<>();
        HttpServer fake = fakeOpenAi(vertx, models);
        TestServer server = TestServer.start(vertx, settings(dataDir, fake));
        try {
            assertThat(server.http.admin("PUT", "/api/projects/default/llm", "{\"model\": \"gpt-4.1-mini\"}").json().get("model").asText())
                    .isEqualTo("gpt-4.1-mini");
            assertThat(server.http.admin("PATCH", "/api/projects/default/themes/error_analysis", "{\"llm\": {\"model\": \"gpt-4.1-nano\"}}")
                    .status()).as("a built-in theme may choose its model").isEqualTo(200);
            assertThat(server.http.admin("PATCH", "/api/projects/default/themes/performance_issues", "{\"llm\": {\"provider\": \"offline\"}}")
                    .status()).isEqualTo(200);
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            JsonNode errors = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 7, Duration.ofSeconds(60)).json().get("results");
            errors.forEach(s -> assertThat(s.get("properties").get("$ai_model").asText()).isEqualTo("gpt-4.1-nano"));
            JsonNode perf = server.http.awaitApi("/api/projects/default/summaries?theme=performance_issues&limit=100",
                    r -> r.json().get("results").size() > 0, Duration.ofSeconds(60)).json().get("results");
            perf.forEach(s -> assertThat(s.get("properties").get("$ai_model").asText()).isEqualTo("offline"));
            JsonNode ux = server.http.awaitApi("/api/projects/default/summaries?theme=unhappy_users&limit=100",
                    r -> r.json().get("results").size() > 0, Duration.ofSeconds(60)).json().get("results");
            ux.forEach(s -> assertThat(s.get("properties").get("$ai_model").asText()).as("the project's model").isEqualTo("gpt-4.1-mini"));
            assertThat(models).contains("gpt-4.1-nano", "gpt-4.1-mini").doesNotContain("offline", "gpt-4o-mini");

            HttpApi.Response badProject = server.http.admin("PUT", "/api/projects/default/llm", "{\"provider\": \"bogus\", \"daily_budget_usd\": -1}");
            assertThat(badProject.status()).isEqualTo(400);
            assertThat(badProject.json().get("detail").asText()).contains("provider:").contains("daily_budget_usd:");
            HttpApi.Response badTheme = server.http.admin("PATCH", "/api/projects/default/themes/error_analysis", "{\"llm\": {\"provider\": \"bogus\"}}");
            assertThat(badTheme.status()).isEqualTo(400);
            assertThat(badTheme.json().get("detail").asText()).contains("llm.provider");
            assertThat(server.http.api("/api/projects/default/llm").json().toString()).doesNotContain("sk-fake-key-for-tests");
        } finally {
            server.stop();
            fake.close();
        }
    }

    @Test
    @DisplayName("a theme's own daily budget pauses only that theme, with its status and spend shown; the other themes keep analysing; "
            + "a negative theme budget names the field")
    void themeBudgetPausesOnlyItsTheme(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<String> models = new CopyOnWriteArrayList<>();
        HttpServer fake = fakeOpenAi(vertx, models);
        TestServer server = TestServer.start(vertx, settings(dataDir, fake));
        try {
            HttpApi.Response bad = server.http.admin("PATCH", "/api/projects/default/themes/error_analysis", "{\"llm\": {\"daily_budget_usd\": -1}}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("detail").asText()).contains("llm.daily_budget_usd");
            // An error trace's call is estimated at $0.0003 to $0.0006 (its prompt plus 400 answer tokens) and costs $0.00018
            // (the fake's usage): $0.001 holds one to five of them whichever trace comes first, then the theme pauses.
            assertThat(server.http.admin("PATCH", "/api/projects/default/themes/error_analysis", "{\"llm\": {\"daily_budget_usd\": 0.001}}")
                    .status()).isEqualTo(200);
            // The budget check reads themes every 2 s: wait until it shows before any trace arrives.
            server.http.awaitApi("/api/projects/default/llm", r -> theme(r.json(), "error_analysis").path("daily_budget_usd").asDouble() == 0.001,
                    Duration.ofSeconds(30));
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            // As the project's test: paused once the rest cannot hold an estimate, maybe before the reserving calls answered.
            JsonNode paused = server.http.awaitApi("/api/projects/default/llm",
                    r -> theme(r.json(), "error_analysis").get("status").asText().equals("paused_budget_reached")
                            && theme(r.json(), "error_analysis").get("spent_today_usd").asDouble() > 0, Duration.ofSeconds(60)).json();
            JsonNode errors = theme(paused, "error_analysis");
            assertThat(errors.get("spent_today_usd").asDouble()).isPositive().isLessThanOrEqualTo(0.001);
            assertThat(errors.get("status_reason").asText()).contains("own daily budget");
            assertThat(paused.get("status").asText()).as("the project goes on").isEqualTo("active");
            assertThat(paused.get("daily_budget_usd").isNull()).isTrue();
            // The other themes keep analysing after the pause, beyond what $0.001 would have allowed the project.
            server.http.awaitApi("/api/projects/default/summaries?theme=unhappy_users&limit=100",
                    r -> r.json().get("results").size() >= 7, Duration.ofSeconds(60));
            JsonNode later = server.http.api("/api/projects/default/llm").json();
            assertThat(theme(later, "unhappy_users").get("status").asText()).isEqualTo("active");
            assertThat(theme(later, "unhappy_users").get("daily_budget_usd").isNull()).isTrue();
            assertThat(theme(later, "unhappy_users").get("spent_today_usd").asDouble()).isGreaterThan(0.001);
            assertThat(theme(later, "error_analysis").get("status").asText()).isEqualTo("paused_budget_reached");
            assertThat(server.http.api("/api/projects/default/summaries?theme=error_analysis&limit=100").json().get("results").size())
                    .as("only calls whose estimates fit the theme's budget").isBetween(1, 5);
        } finally {
            server.stop();
            fake.close();
        }
    }

    private static JsonNode theme(JsonNode status, String themeId) {
        for (JsonNode t : status.get("themes")) {
            if (t.get("theme_id").asText().equals(themeId)) {
                return t;
            }
        }
        throw new AssertionError("no theme " + themeId + " in " + status);
    }

    @Test
    @DisplayName("a model with no known price and a $0.01 budget: paid analyses pause with the reason shown and nothing is sent; "
            + "offline themes run; a configured price counts against the budget")
    void unknownPriceFailsClosed(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<String> models = new CopyOnWriteArrayList<>();
        HttpServer fake = fakeOpenAi(vertx, models);
        Map<String, String> s = settings(dataDir, fake);
        // Priced only through configuration: $1,000 per million tokens, so one call (1,000 in, 50 out) costs $1.05.
        s.put("llm.prices", "house-model=1000/1000");
        TestServer server = TestServer.start(vertx, s);
        try {
            HttpApi.Response set = server.http.admin("PUT", "/api/projects/default/llm", "{\"model\": \"mystery-model-1\", \"daily_budget_usd\": 0.01}");
            assertThat(set.status()).isEqualTo(200);
            assertThat(set.json().get("status").asText()).isEqualTo("paused_price_unknown");
            assertThat(set.json().get("status_reason").asText()).contains("mystery-model-1").contains("llm.prices");
            assertThat(set.json().get("price").isNull()).isTrue();
            // The offline analyzer is free: a theme choosing it runs whatever the project's model.
            assertThat(server.http.admin("PATCH", "/api/projects/default/themes/performance_issues", "{\"llm\": {\"provider\": \"offline\"}}")
                    .status()).isEqualTo(200);
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            // Offline summaries appear: the traces went through dispatch and analysis; the paid themes' tasks wait.
            server.http.awaitApi("/api/projects/default/summaries?theme=performance_issues&limit=100",
                    r -> r.json().get("results").size() > 0, Duration.ofSeconds(60));
            server.http.awaitApi("/api/projects/default/llm", r -> theme(r.json(), "error_analysis").get("analyses").asLong() == 0
                    && theme(r.json(), "performance_issues").get("analyses").asLong() > 0, Duration.ofSeconds(30));
            JsonNode status = server.http.api("/api/projects/default/llm").json();
            assertThat(status.get("status").asText()).isEqualTo("paused_price_unknown");
            JsonNode errors = theme(status, "error_analysis");
            assertThat(errors.get("status").asText()).isEqualTo("paused_price_unknown");
            assertThat(errors.get("model").asText()).isEqualTo("mystery-model-1");
            assertThat(errors.get("status_reason").asText()).contains("mystery-model-1");
            assertThat(theme(status, "performance_issues").get("status").asText()).isEqualTo("active");
            assertThat(status.get("spent_today_usd").asDouble()).isZero();
            assertThat(models).as("nothing is sent for a model without a price").isEmpty();

            // A configured price, at which one call's estimate exceeds the whole $0.01 budget: no call is made, and the status says why.
            JsonNode priced = server.http.admin("PUT", "/api/projects/default/llm", "{\"model\": \"house-model\", \"daily_budget_usd\": 0.01}").json();
            assertThat(priced.get("price").get("input").asDouble()).isEqualTo(1000);
            JsonNode paused = server.http.awaitApi("/api/projects/default/llm",
                    r -> r.json().get("status").asText().equals("paused_budget_reached"), Duration.ofSeconds(60)).json();
            assertThat(paused.get("spent_today_usd").asDouble()).isZero();
            assertThat(paused.get("status_reason").asText()).contains("budget");
            assertThat(theme(paused, "error_analysis").get("status").asText()).isEqualTo("paused_budget_reached");
            assertThat(models).as("no call that could spend past the budget").isEmpty();
        } finally {
            server.stop();
            fake.close();
        }
    }
}
