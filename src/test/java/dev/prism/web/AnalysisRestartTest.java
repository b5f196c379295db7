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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping the server in the middle of the analyses and starting it again on the same data directory. */
@ExtendWith(VertxExtension.class)
@DisplayName("Analysis across a restart")
class AnalysisRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern THEME = Pattern.compile("for the analysis theme \"([^\"]+)\"");
    private static final Pattern TRACE = Pattern.compile("\\(id ([^)]+)\\)");

    @Test
    @DisplayName("every selected trace ends with exactly one result per theme, and no finished analysis is sent to the provider again")
    void restartMidRun(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            String key;
            try {
                String prompt = JSON.readTree(b.toString()).get("messages").get(1).get("content").asText();
                Matcher t = THEME.matcher(prompt);
                Matcher id = TRACE.matcher(prompt);
                key = (t.find() ? t.group(1) : "?") + "/" + (id.find() ? id.group(1) : "?");
            } catch (Exception e) {
                key = "?";
            }
            if (!key.contains("?")) { // cluster naming (a theme's first 10 summaries) asks without a trace: not an analysis
                requests.add(key);
            }
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant")
                    .put("content", "{\"theme_relevant\": true, \"title\": \"t\", \"summary\": \"s\", \"severity\": \"low\"}");
            reply.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 10);
            vertx.setTimer(150, id -> req.response().putHeader("Content-Type", "application/json").end(reply.toString()));
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        settings.put("llm.maxConcurrent", "2");
        try {
            TestServer first = TestServer.start(vertx, settings);
            for (Fixtures.Fixture f : Fixtures.all()) {
                first.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            first.http.awaitApi("/api/projects/default/summaries?limit=1000", r -> r.json().get("results").size() >= 6, Duration.ofSeconds(60));
            first.stop();
            Set<String> finishedBefore = new HashSet<>();
            int requestsBefore = requests.size();

            TestServer second = TestServer.start(vertx, settings);
            try {
                JsonNode before = second.http.api("/api/projects/default/summaries?limit=1000").json().get("results");
                before.forEach(s -> finishedBefore.add(s.get("properties").get("$ai_analysis_theme_id").asText() + "/"
                        + s.get("properties").get("$ai_trace_id").asText()));
                assertThat(finishedBefore.size()).as("stopped mid-run").isBetween(6, 31);
                // What the themes select depends on relevance scores (a version the first server never scored passes
                // every pre-filter), so the count is not fixed: wait until nothing is queued or running, then check
                // that every result is unique and nothing finished before the stop was lost.
                await("the backlog analysed").atMost(Duration.ofSeconds(90)).until(() -> {
                    dev.prism.bus.AnalysisBacklog.Counts c = TestServer.await(vertx.eventBus().<dev.prism.bus.AnalysisBacklog.Counts>request(
                            dev.prism.bus.Addresses.ANALYSIS_BACKLOG, new dev.prism.bus.AnalysisBacklog())).body();
                    return c.queued() + c.running() == 0 && c.done() > finishedBefore.size();
                });
                JsonNode all = second.http.api("/api/projects/default/summaries?limit=1000").json().get("results");
                Set<String> unique = new HashSet<>();
                all.forEach(s -> unique.add(s.get("properties").get("$ai_analysis_theme_id").asText() + "/"
                        + s.get("properties").get("$ai_trace_id").asText()));
                assertThat(unique).as("exactly one result per theme and trace").hasSize(all.size()).containsAll(finishedBefore);
                assertThat(all.size()).as("the fixtures' pre-filtered analyses").isGreaterThanOrEqualTo(30);

                Map<String, String> names = Map.of("error_analysis", "Errors and failures", "ux_issues", "UX friction",
                        "feature_requests", "Feature requests", "performance_issues", "Performance and cost",
                        "success_patterns", "Success patterns", "unhappy_users", "Unhappy users");
                List<String> after = requests.subList(requestsBefore, requests.size());
                assertThat(after).as("the unfinished ones were sent after the restart").isNotEmpty();
                for (String done : finishedBefore) {
                    String[] parts = done.split("/", 2);
                    assertThat(after).as("finished before the stop, not sent again: " + done)
                            .doesNotContain(names.get(parts[0]) + "/" + parts[1]);
                }
            } finally {
                second.stop();
            }
        } finally {
            TestServer.await(fake.close());
        }
    }
}
