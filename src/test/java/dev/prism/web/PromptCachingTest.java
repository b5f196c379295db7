package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.TracePrompt;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Prompt caching end to end: the fixtures stream through the built-in themes to a fake OpenAI server that caches
 * answered prompts as OpenAI documents (a common start of 1,024 tokens or more, in 128-token steps, four characters a
 * token) and reports {@code cached_tokens}. The themes of one trace reach it after the first of them was answered, and
 * the day's spend prices the cached part at the cached-input price.
 */
@ExtendWith(VertxExtension.class)
class PromptCachingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call as the fake saw it. */
    record Call(String trace, int sharedChars, long arrivedNanos, long[] answeredNanos, long promptTokens, long cachedTokens) {
    }

    @Test
    @DisplayName("a long trace's themes follow its first call's answer and read the system message and the trace from the cache; spend prices cached input as such")
    void cachedAcrossThemes(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<Call> calls = new CopyOnWriteArrayList<>();
        List<String> answered = new ArrayList<>(); // the fake's event loop only
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            long arrived = System.nanoTime();
            JsonNode body;
            try {
                body = JSON.readTree(b.toString());
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
                return;
            }
            String system = body.get("messages").get(0).get("content").asText();
            String user = body.get("messages").get(1).get("content").asText();
            String prompt = system + user;
            int common = answered.stream().mapToInt(p -> commonPrefix(p, prompt)).max().orElse(0);
            long cached = common / 4 / 128 * 128;
            cached = cached >= 1_024 ? cached : 0;
            int open = user.indexOf(TracePrompt.FENCE_OPEN + "\n");
            String trace = open < 0 ? "" : user.substring(open, user.indexOf("\n" + TracePrompt.FENCE_CLOSE, open));
            Call call = new Call(trace, TracePrompt.sharedPrefixLength(user), arrived, new long[1], (prompt.length() + 3) / 4, cached);
            calls.add(call);
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant")
                    .put("content", "{\"theme_relevant\": true, \"title\": \"Provider rate limit (429)\", \"summary\": \"ok\", \"severity\": \"low\"}");
            reply.putObject("usage").put("prompt_tokens", call.promptTokens()).put("completion_tokens", 20)
                    .putObject("prompt_tokens_details").put("cached_tokens", cached);
            vertx.setTimer(80, id -> {
                answered.add(prompt);
                call.answeredNanos()[0] = System.nanoTime();
                req.response().putHeader("Content-Type", "application/json").end(reply.toString());
            });
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("llm.provider", "openai");
        settings.put("llm.model", "gpt-4o-mini");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        settings.put("llm.apiKey", "sk-fake-key-for-tests");
        settings.put("llm.maxConcurrent", "8");
        TestServer server = TestServer.start(vertx, settings);
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, List.of(longFailingTrace())));
            server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 8, Duration.ofSeconds(60));
            server.http.awaitApi("/api/projects/default/summaries?trace_id=long-trace-1&limit=100",
                    r -> r.json().get("results").size() >= 2, Duration.ofSeconds(60));
            // Spend is counted as each result is stored: once nothing is queued or running and the fake answered every
            // call it received, the server's spend must cover exactly those calls.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                dev.prism.bus.AnalysisBacklog.Counts c = TestServer.await(vertx.eventBus().<dev.prism.bus.AnalysisBacklog.Counts>request(
                        dev.prism.bus.Addresses.ANALYSIS_BACKLOG, new dev.prism.bus.AnalysisBacklog())).body();
                return c.queued() + c.running() == 0 && calls.stream().allMatch(call -> call.answeredNanos()[0] > 0);
            });
            final double priced = calls.stream().mapToDouble(c ->
                    ((c.promptTokens() - c.cachedTokens()) * 0.15 + c.cachedTokens() * 0.075 + 20 * 0.60) / 1e6).sum();
            JsonNode llm = server.http.awaitApi("/api/projects/default/llm",
                    r -> Math.abs(r.json().get("spent_today_usd").asDouble() - priced) < 1e-9, Duration.ofSeconds(30)).json();
            assertThat(llm.get("spent_today_usd").asDouble()).isCloseTo(priced, within(1e-9));

            // Analyses carry a fenced trace; cluster naming (a theme's first clusters come at 2 x min_cluster_size
            // summaries) asks the same provider without one, and has no trace to share.
            List<Call> analyses = calls.stream().filter(c -> !c.trace().isEmpty()).toList();
            assertThat(analyses).isNotEmpty().allMatch(c -> c.sharedChars() > 0);
            Map<String, List<Call>> byTrace = analyses.stream().collect(Collectors.groupingBy(Call::trace));
            // Traces long enough that the system message and the trace reach 1,024 tokens and more.
            List<List<Call>> shared = byTrace.values().stream()
                    .filter(list -> list.size() >= 2 && list.get(0).trace().length() >= 4 * (1_024 + 128)).toList();
            assertThat(shared).as("traces long enough to cache that several themes analyse").isNotEmpty();
            for (List<Call> siblings : shared) {
                List<Call> byArrival = siblings.stream().sorted(Comparator.comparingLong(Call::arrivedNanos)).toList();
                Call first = byArrival.get(0);
                for (Call later : byArrival.subList(1, byArrival.size())) {
                    assertThat(later.arrivedNanos()).as("sent after the first call for the trace was answered")
                            .isGreaterThanOrEqualTo(first.answeredNanos()[0]);
                    assertThat(later.cachedTokens()).as("the system message and the trace read from the cache")
                            .isGreaterThanOrEqualTo(later.trace().length() / 4 / 128 * 128);
                }
            }
        } finally {
            server.stop();
            TestServer.await(fake.close());
        }
    }

    /** A generation over a long pasted document that failed with a rate limit: errors and unhappy users both select it. */
    private static JsonNode longFailingTrace() {
        ObjectNode event = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "usr_long")
                .put("timestamp", java.time.Instant.now().toString());
        ObjectNode p = event.putObject("properties").put("$ai_trace_id", "long-trace-1").put("$ai_provider", "openai")
                .put("$ai_model", "gpt-4o-mini").put("$ai_http_status", 429).put("$ai_is_error", true)
                .put("$ai_error", "Rate limit reached for gpt-4o-mini on requests per min. Please try again in 20s.");
        // Many turns of moderate length: the text renderer shortens a single very long message.
        var input = p.putArray("$ai_input");
        for (int turn = 1; turn <= 10; turn++) {
            StringBuilder clauses = new StringBuilder();
            for (int i = 1; i <= 7; i++) {
                clauses.append("Clause ").append(turn).append('.').append(i).append(": the tenant pays the rent on the first working day "
                        + "of each month, and any repair above 200 EUR needs the landlord's written consent.\n");
            }
            input.addObject().put("role", "user").put("content", "Summarise part " + turn + " of this lease for me:\n" + clauses);
            input.addObject().put("role", "assistant").put("content", "Part " + turn + ": rent is due on the first working day; "
                    + "repairs above 200 EUR need written consent.");
        }
        return event;
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
