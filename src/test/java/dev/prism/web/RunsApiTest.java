package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.Run;
import dev.prism.demo.DemoTraffic;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
@DisplayName("Theme runs through the HTTP API")
class RunsApiTest {

    private static final String THEMES = "/api/projects/default/themes";
    /** The fixtures' events carry their 2025 timestamps. */
    private static final String FIXTURE_WINDOW = "{\"date_from\": \"2025-01-01T00:00:00Z\"}";

    private static HttpApi.Response post(TestServer server, String path, String body) throws Exception {
        return server.http.admin("POST", path, body);
    }

    private static void awaitCompleted(TestServer server, int traces) throws Exception {
        server.http.awaitApi("/api/projects/default/traces?status=completed&limit=500",
                r -> r.json().get("results").size() >= traces, Duration.ofSeconds(60));
    }

    private static JsonNode awaitRun(TestServer server, long id) throws Exception {
        return server.http.awaitApi("/api/projects/default/runs/" + id, r -> !r.json().get("status").asText().equals("running"),
                Duration.ofSeconds(60)).json();
    }

    @Test
    @DisplayName("a run analyses the window's selected traces once, records its figures, publishes progress; a second run finds them done")
    void manualRun(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        List<Run> progress = new CopyOnWriteArrayList<>();
        vertx.eventBus().<Run>consumer(Addresses.RUN_PROGRESS, m -> progress.add(m.body()));
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            awaitCompleted(server, 24);
            // Created after the traces completed: streaming saw (nearly) none of them, so the run does the work. A trace
            // whose dispatch was still under way may be queued by streaming; the run then counts it as already there.
            assertThat(post(server, THEMES, """
                    {"theme_id": "tools", "name": "Tool use", "description": "How tools are used",
                     "theme_filters": [{"key": "trace.event_count", "operator": "gte", "value": 2, "type": "trace"}],
                     "schedule": {"type": "manual"}}""").status()).isEqualTo(201);

            HttpApi.Response started = post(server, THEMES + "/tools/runs", FIXTURE_WINDOW);
            assertThat(started.status()).isEqualTo(202);
            long id = started.json().get("id").asLong();
            assertThat(started.json().get("trigger").asText()).isEqualTo("manual");
            assertThat(started.json().get("traces_in_range").asLong()).isEqualTo(24);
            long sampled = started.json().get("sampled").asLong();
            assertThat(sampled).isPositive().isLessThan(24);
            long queued = started.json().get("queued").asLong();
            assertThat(queued).isGreaterThan(sampled / 2);
            assertThat(queued + started.json().get("already_analysed").asLong()).isEqualTo(sampled);

            JsonNode done = awaitRun(server, id);
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(done.get("analysed").asLong()).isEqualTo(queued);
            assertThat(done.get("failed").asLong()).isZero();
            assertThat(done.get("pending").asLong()).isZero();
            assertThat(done.get("relevant").asLong()).isBetween(0L, sampled);
            assertThat(done.get("finished_at").isNull()).isFalse();
            server.http.awaitApi("/api/projects/default/summaries?theme=tools&limit=100",
                    r -> r.json().get("results").size() == sampled, Duration.ofSeconds(30));
            assertThat(progress).as("progress published as it went").anyMatch(r -> r.id() == id && r.status().equals("completed"));

            HttpApi.Response again = post(server, THEMES + "/tools/runs", FIXTURE_WINDOW);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().get("queued").asLong()).isZero();
            assertThat(again.json().get("already_analysed").asLong()).isEqualTo(sampled);
            assertThat(again.json().get("status").asText()).as("nothing to do: done at once").isEqualTo("completed");

            JsonNode runs = server.http.api("/api/projects/default/runs?theme=tools").json().get("results");
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0).get("id").asLong()).as("newest first").isGreaterThan(runs.get(1).get("id").asLong());

            // Runs page with cursor / next_cursor like every list.
            JsonNode first = server.http.api("/api/projects/default/runs?theme=tools&limit=1").json();
            assertThat(first.get("results")).hasSize(1);
            assertThat(first.get("results").get(0).get("id").asLong()).isEqualTo(runs.get(0).get("id").asLong());
            JsonNode second = server.http.api("/api/projects/default/runs?theme=tools&limit=1&cursor="
                    + first.get("next_cursor").asText()).json();
            assertThat(second.get("results")).hasSize(1);
            assertThat(second.get("results").get(0).get("id").asLong()).isEqualTo(runs.get(1).get("id").asLong());
            JsonNode third = server.http.api("/api/projects/default/runs?theme=tools&limit=1&cursor="
                    + second.get("next_cursor").asText()).json();
            assertThat(third.get("results")).isEmpty();
            assertThat(third.get("next_cursor").isNull()).isTrue();
            assertThat(server.http.api("/api/projects/default/runs?theme=tools").json().get("next_cursor").isNull())
                    .as("a short page is the last").isTrue();
            assertThat(server.http.api("/api/projects/default/runs?cursor=abc").status()).isEqualTo(400);

            // Summaries page with cursor; the old name "before" still works and means the same.
            JsonNode page = server.http.api("/api/projects/default/summaries?theme=tools&limit=2").json();
            String cursor = java.net.URLEncoder.encode(page.get("next_cursor").asText(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode byCursor = server.http.api("/api/projects/default/summaries?theme=tools&limit=2&cursor=" + cursor).json();
            JsonNode byBefore = server.http.api("/api/projects/default/summaries?theme=tools&limit=2&before=" + cursor).json();
            assertThat(byCursor.get("results")).isNotEmpty().isEqualTo(byBefore.get("results"));
            assertThat(byCursor.get("results").get(0)).isNotEqualTo(page.get("results").get(0));

            assertThat(post(server, THEMES + "/nope/runs", "{}").status()).isEqualTo(404);
            HttpApi.Response badDate = post(server, THEMES + "/tools/runs", "{\"date_from\": \"yesterday\"}");
            assertThat(badDate.status()).isEqualTo(400);
            assertThat(badDate.json().get("detail").asText()).contains("date_from");
            assertThat(server.http.api("/api/projects/default/runs/999999").status()).isEqualTo(404);
        } finally {
            server.stop();
        }
    }

    @Test
    @DisplayName("themes with a schedule get runs over adjacent windows; manual themes do not")
    void scheduledRuns(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("run.schedulerSeconds", "1");
        TestServer server = TestServer.start(vertx, settings);
        try {
            assertThat(post(server, THEMES, """
                    {"theme_id": "by_hand", "name": "By hand", "description": "Runs only when asked", "schedule": {"type": "manual"}}""")
                    .status()).isEqualTo(201);
            JsonNode runs = server.http.awaitApi("/api/projects/default/runs?theme=error_analysis",
                    r -> r.json().get("results").size() == 1, Duration.ofSeconds(20)).json().get("results");
            JsonNode first = runs.get(0);
            assertThat(first.get("trigger").asText()).isEqualTo("schedule");
            Duration window = Duration.between(Instant.parse(first.get("window_from").asText()), Instant.parse(first.get("window_to").asText()));
            assertThat(window).as("the built-ins run every 10 minutes").isEqualTo(Duration.ofMinutes(10));
            // Two and a half scheduler ticks (1 s each) pass without another run.
            await().during(Duration.ofMillis(2_500)).atMost(Duration.ofMillis(3_500)).pollInterval(Duration.ofMillis(250))
                    .until(() -> server.http.api("/api/projects/default/runs?theme=error_analysis").json().get("results").size() == 1);
            assertThat(server.http.api("/api/projects/default/runs?theme=error_analysis").json().get("results"))
                    .as("not due again for 10 minutes").hasSize(1);
            assertThat(server.http.api("/api/projects/default/runs?theme=by_hand").json().get("results")).isEmpty();
        } finally {
            server.stop();
        }
    }

    @Test
    @DisplayName("testing a theme analyses a few recent selected traces now and stores nothing")
    void testTheme(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            awaitCompleted(server, 24);
            assertThat(post(server, THEMES, """
                    {"theme_id": "errs", "name": "Errors", "description": "What failed", "enabled": false, "date_range": {"date_from": "2025-01-01T00:00:00Z"},
                     "theme_filters": [{"key": "trace.error_count", "operator": "gte", "value": 1, "type": "trace"}]}""").status())
                    .isEqualTo(201);
            // Disabled, so that neither streaming nor the dispatch sweep (which takes every trace once it is 30 s old) stores
            // summaries for it: whatever is stored would come from the test.
            HttpApi.Response tested = post(server, THEMES + "/errs/test", "{\"traces\": 2}");
            assertThat(tested.status()).isEqualTo(200);
            JsonNode results = tested.json().get("results");
            assertThat(results).hasSize(2);
            for (JsonNode r : results) {
                assertThat(r.get("trace_id").asText()).isNotBlank();
                assertThat(r.get("provider").asText()).isEqualTo("offline");
                assertThat(r.has("theme_relevant") && r.has("title") && r.has("summary")).isTrue();
                JsonNode trace = server.http.api("/api/projects/default/traces/" + r.get("trace_id").asText()).json();
                assertThat(trace.path("aggregates").path("error_count").asInt()).as("the theme's filter picked it").isPositive();
            }
            assertThat(server.http.api("/api/projects/default/summaries?theme=errs").json().get("results")).isEmpty();
            assertThat(post(server, THEMES + "/errs/test", "{\"traces\": 50}").status()).isEqualTo(400);
        } finally {
            server.stop();
        }
    }

    @Test
    @DisplayName("on demo traffic, runs of the six built-in themes call the LLM for at most 30% of traces × themes")
    void demoTrafficCost(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        TestServer server = TestServer.start(vertx, settings);
        try {
            // Streaming off: disabled themes are not dispatched, so the runs do all the work and count it.
            JsonNode builtIns = server.http.api(THEMES).json().get("results");
            List<String> themes = new ArrayList<>();
            for (JsonNode t : builtIns) {
                themes.add(t.get("theme_id").asText());
                assertThat(server.http.admin("PATCH", THEMES + "/" + t.get("theme_id").asText(), "{\"enabled\": false}").status()).isEqualTo(200);
            }
            DemoTraffic demo = new DemoTraffic(7);
            int traces = 300;
            for (int sent = 0; sent < traces; sent += 50) {
                List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    events.addAll(demo.nextTrace(Instant.now()));
                }
                assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events)).status()).isEqualTo(200);
            }
            awaitCompleted(server, traces);
            long calls = 0;
            long naive = 0;
            for (String theme : themes) {
                HttpApi.Response run = post(server, THEMES + "/" + theme + "/runs", "{\"date_from\": \"-1h\"}");
                assertThat(run.status()).isEqualTo(202);
                JsonNode done = awaitRun(server, run.json().get("id").asLong());
                assertThat(done.get("status").asText()).isEqualTo("completed");
                assertThat(done.get("analysed").asLong()).isEqualTo(done.get("sampled").asLong());
                System.out.printf("%-20s %4d of %d traces (%.0f%%), %d relevant%n", theme, done.get("sampled").asLong(),
                        done.get("traces_in_range").asLong(), 100 * done.get("llm_call_share").asDouble(), done.get("relevant").asLong());
                calls += done.get("sampled").asLong();
                naive += done.get("traces_in_range").asLong();
            }
            System.out.printf("LLM calls on demo traffic: %d of %d naive (%.1f%%)%n", calls, naive, 100.0 * calls / naive);
            assertThat(naive).isEqualTo((long) traces * themes.size());
            assertThat(calls).isPositive().isLessThanOrEqualTo((long) (0.30 * naive));
        } finally {
            server.stop();
        }
    }
}
