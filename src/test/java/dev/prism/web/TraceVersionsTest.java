package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisBacklog;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trace versions (issue 12, point 5): a late event reopens a completed trace as a new version. The new version is
 * analysed again only by the themes its events can change, a trace is listed once per theme by its latest analysed
 * version, and a superseded summary leaves the vector index and the clusters.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Trace versions")
class TraceVersionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern THEME = Pattern.compile("analysis theme \"([^\"]+)\"");
    /** A late generation carrying this makes the fake answer "not relevant" for the performance theme. */
    private static final String NOTHING = "NOTHING-HERE";

    /** A fake OpenAI-compatible provider counting analysis calls per theme name. */
    private record Provider(HttpServer server, Map<String, AtomicInteger> calls) {
        int calls(String themeName) {
            AtomicInteger n = calls.get(themeName);
            return n == null ? 0 : n.get();
        }
    }

    private static Provider provider(Vertx vertx) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        AtomicInteger seq = new AtomicInteger();
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            StringBuilder prompt = new StringBuilder();
            try {
                JSON.readTree(b.toString()).get("messages").forEach(m -> prompt.append(m.path("content").asText()).append('\n'));
            } catch (Exception e) {
                // counted under no theme
            }
            Matcher m = THEME.matcher(prompt);
            String theme = m.find() ? m.group(1) : "(none)";
            calls.computeIfAbsent(theme, k -> new AtomicInteger()).incrementAndGet();
            boolean irrelevant = theme.equals("Performance and cost") && prompt.indexOf(NOTHING) >= 0;
            String content = irrelevant ? "{\"theme_relevant\": false, \"title\": \"\", \"summary\": \"\", \"severity\": \"low\"}"
                    : "{\"theme_relevant\": true, \"title\": \"Upstream timeout seen in call " + seq.incrementAndGet()
                    + "\", \"summary\": \"The model call timed out and the user was left waiting.\", \"severity\": \"high\"}";
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini-2024-07-18");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", content);
            reply.putObject("usage").put("prompt_tokens", 500).put("completion_tokens", 40);
            req.response().putHeader("Content-Type", "application/json").end(reply.toString());
        })).listen(0, "127.0.0.1"));
        return new Provider(fake, calls);
    }

    private static TestServer server(Vertx vertx, Path dataDir, Provider provider) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + provider.server().actualPort() + "/v1");
        settings.put("llm.apiKey", "sk-fake-key-for-tests");
        settings.put("cluster.refreshAfter", "0"); // clusters only as streaming assignment places members
        settings.put("cluster.refreshMinutes", "0");
        return TestServer.start(vertx, settings);
    }

    private static List<JsonNode> slowIgnoredConstraint(String traceId) {
        // A 41-second answer that ignores the user's constraint, then the user's complaint and a second answer:
        // performance selects it by its latency (and ignores feedback), UX friction and unhappy users by the complaint.
        ObjectNode answer = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-" + traceId)
                .put("timestamp", Instant.now().minusSeconds(50).toString());
        ObjectNode a = answer.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini")
                .put("$ai_latency", 41.0).put("$ai_input_tokens", 30).put("$ai_output_tokens", 400);
        a.putArray("$ai_input").addObject().put("role", "user").put("content", "Summarise the meeting notes in three bullet points at most.");
        a.putArray("$ai_output_choices").addObject().put("role", "assistant")
                .put("content", "Here is a detailed summary of the meeting, section by section, in twelve paragraphs. First, the budget discussion ...");
        ObjectNode complaint = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-" + traceId)
                .put("timestamp", Instant.now().minusSeconds(5).toString());
        ObjectNode p = complaint.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini")
                .put("$ai_latency", 1.5).put("$ai_input_tokens", 20).put("$ai_output_tokens", 40);
        p.putArray("$ai_input").addObject().put("role", "user")
                .put("content", "I said three bullet points, not twelve paragraphs. Why do you keep ignoring what I ask?");
        p.putArray("$ai_output_choices").addObject().put("role", "assistant")
                .put("content", "Sorry. Budget approved; launch moved to May; hiring frozen. And here is more detail on each ...");
        return List.of(answer, complaint);
    }

    private static JsonNode late(String event, String traceId, String key, String value) {
        ObjectNode e = JSON.createObjectNode().put("event", event).put("distinct_id", "user-" + traceId)
                .put("timestamp", Instant.now().toString());
        ObjectNode p = e.putObject("properties").put("$ai_trace_id", traceId);
        if (event.equals("$ai_generation")) {
            p.put("$ai_model", "gpt-4o-mini").put("$ai_input_tokens", 10).put("$ai_output_tokens", 10);
            p.putArray("$ai_input").addObject().put("role", "user").put("content", "retry please");
            p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", value);
        } else {
            p.put(key, value);
        }
        return e;
    }

    /** theme id → trace versions listed for the trace, by the summaries API. */
    private static Map<String, List<Integer>> listed(TestServer server, String traceId, boolean includeSuperseded) throws Exception {
        JsonNode results = server.http.api("/api/projects/default/summaries?limit=1000&trace_id=" + traceId
                + (includeSuperseded ? "&include_superseded=true" : "")).json().get("results");
        Map<String, List<Integer>> out = new HashMap<>();
        results.forEach(r -> out.computeIfAbsent(r.get("properties").get("$ai_analysis_theme_id").asText(), k -> new java.util.ArrayList<>())
                .add(r.get("properties").get("$ai_trace_version").asInt()));
        return out;
    }

    /** Waits until no analysis is queued or running. */
    private static void awaitIdle(Vertx vertx) {
        await("analyses queued or running").atMost(Duration.ofSeconds(60)).until(() -> {
            AnalysisBacklog.Counts c = TestServer.await(vertx.eventBus().<AnalysisBacklog.Counts>request(Addresses.ANALYSIS_BACKLOG,
                    new AnalysisBacklog())).body();
            return c.queued() + c.running() == 0;
        });
    }

    private static void awaitTrue(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        awaitTrue(condition, what, Duration.ofSeconds(60));
    }

    private static void awaitTrue(java.util.concurrent.Callable<Boolean> condition, String what, Duration timeout) {
        await(what).atMost(timeout).until(condition);
    }

    /** The server's embedded PostgreSQL, found by its postmaster.pid like an operator would. */
    private static java.sql.Connection connectEmbedded(Path dataDir) throws Exception {
        List<String> pid = java.nio.file.Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
        return java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + pid.get(3).trim() + "/postgres", "postgres", "");
    }

    @Test
    @DisplayName("a late $ai_feedback re-analyses only the themes that read feedback: one summary per (trace, theme) is listed, no call for the others")
    void lateFeedback(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Provider provider = provider(vertx);
        TestServer server = server(vertx, dataDir, provider);
        try {
            String trace = "versions-feedback";
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, slowIgnoredConstraint(trace)));
            awaitTrue(() -> listed(server, trace, false).keySet().containsAll(List.of("performance_issues", "ux_issues", "unhappy_users")),
                    "the first version analysed");
            awaitIdle(vertx);
            Map<String, List<Integer>> first = listed(server, trace, false);
            assertThat(first.values()).allMatch(v -> v.equals(List.of(1)));
            assertThat(provider.calls("Performance and cost")).isEqualTo(1);
            assertThat(provider.calls("UX friction")).isEqualTo(1);
            long spendBefore = server.http.admin("GET", "/api/projects/default/llm", null).json().get("themes").findValues("cost_usd")
                    .stream().mapToLong(x -> Math.round(x.asDouble() * 1e9)).sum();

            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN,
                    List.of(late("$ai_feedback", trace, "$ai_feedback_text", "terrible, it never works"))));
            awaitTrue(() -> listed(server, trace, false).getOrDefault("ux_issues", List.of()).equals(List.of(2))
                            && listed(server, trace, false).getOrDefault("unhappy_users", List.of()).equals(List.of(2)),
                    "the feedback themes' second analyses");
            awaitIdle(vertx);

            assertThat(provider.calls("Performance and cost")).as("the performance theme ignores feedback: no second call").isEqualTo(1);
            assertThat(provider.calls("Errors and failures")).as("no error: the errors theme never selected it").isZero();
            assertThat(provider.calls("UX friction")).isEqualTo(2);
            assertThat(provider.calls("Unhappy users")).isEqualTo(2);

            Map<String, List<Integer>> now = listed(server, trace, false);
            assertThat(now).as("one summary per (trace, theme), by its latest analysed version")
                    .containsEntry("performance_issues", List.of(1)).containsEntry("ux_issues", List.of(2)).containsEntry("unhappy_users", List.of(2));
            assertThat(now.values()).allMatch(v -> v.size() == 1);
            assertThat(server.http.api("/api/projects/default/summaries?theme=ux_issues&limit=100").json().get("results")).hasSize(1);

            // Asked for, the superseded ones are there and say so.
            JsonNode all = server.http.api("/api/projects/default/summaries?limit=100&theme=ux_issues&include_superseded=true&trace_id=" + trace)
                    .json().get("results");
            assertThat(all).hasSize(2);
            for (JsonNode s : all) {
                int version = s.get("properties").get("$ai_trace_version").asInt();
                assertThat(s.get("superseded").asBoolean()).isEqualTo(version == 1);
                if (version == 1) {
                    assertThat(s.get("superseded_by_version").asInt()).isEqualTo(2);
                } else {
                    assertThat(s.has("superseded_by_version")).isFalse();
                }
            }

            // Theme counts count the trace once; the money spent on both versions stays spent.
            JsonNode themes = server.http.admin("GET", "/api/projects/default/llm", null).json().get("themes");
            for (JsonNode t : themes) {
                if (List.of("performance_issues", "ux_issues", "unhappy_users").contains(t.get("theme_id").asText())) {
                    assertThat(t.get("analyses").asLong()).as(t.get("theme_id").asText()).isEqualTo(1);
                }
            }
            long spendAfter = themes.findValues("cost_usd").stream().mapToLong(x -> Math.round(x.asDouble() * 1e9)).sum();
            assertThat(spendAfter).as("spend includes the superseded analyses").isGreaterThan(spendBefore);

            // The dispatch sweep (the safety net of streaming dispatch) takes the settled version too, and decides alike.
            try (java.sql.Connection db = connectEmbedded(dataDir)) {
                awaitTrue(() -> {
                    try (var rs = db.createStatement().executeQuery(
                            "SELECT dispatched_version FROM traces WHERE trace_id = '" + trace + "' AND dispatched_version = 2")) {
                        return rs.next();
                    }
                }, "the dispatch sweep over the second version", Duration.ofSeconds(90));
                try (var rs = db.createStatement().executeQuery("SELECT version_events FROM traces WHERE trace_id = '" + trace + "'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat((String[]) rs.getArray(1).getArray()).containsExactly("$ai_feedback");
                }
            }
            awaitIdle(vertx);
            assertThat(provider.calls("Performance and cost")).as("the sweep kept the performance theme's summary too").isEqualTo(1);
            assertThat(provider.calls("UX friction")).isEqualTo(2);
            assertThat(listed(server, trace, false)).isEqualTo(now);
        } finally {
            server.stop();
            TestServer.await(provider.server().close());
        }
    }

    private static int themeMembers(TestServer server, String theme) throws Exception {
        return server.http.api("/api/projects/default/themes/" + theme + "/clusters").json().get("theme_summaries").asInt();
    }

    /** The versions of the trace the theme's vector index holds, by semantic search. */
    private static List<Integer> indexed(TestServer server, String theme, String traceId) throws Exception {
        JsonNode hits = server.http.api("/api/projects/default/search?k=50&q=upstream%20timeout&theme=" + theme).json().get("results");
        List<Integer> out = new java.util.ArrayList<>();
        hits.forEach(h -> {
            if (h.get("trace_id").asText().equals(traceId)) {
                out.add(h.get("trace_version").asInt());
            }
        });
        return out;
    }

    @Test
    @DisplayName("a late generation re-analyses every theme; the old summaries are superseded and leave the vector index and the clusters")
    void lateGeneration(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Provider provider = provider(vertx);
        TestServer server = server(vertx, dataDir, provider);
        try {
            String trace = "versions-generation";
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, slowIgnoredConstraint(trace)));
            awaitTrue(() -> listed(server, trace, false).keySet().containsAll(List.of("performance_issues", "ux_issues", "unhappy_users")),
                    "the first version analysed");
            awaitIdle(vertx);
            awaitTrue(() -> themeMembers(server, "performance_issues") == 1 && themeMembers(server, "ux_issues") == 1,
                    "the first version's summaries embedded and placed");
            assertThat(indexed(server, "performance_issues", trace)).containsExactly(1);
            Map<String, Integer> before = new HashMap<>();
            for (String name : List.of("Performance and cost", "UX friction", "Unhappy users")) {
                before.put(name, provider.calls(name));
            }
            assertThat(before.values()).allMatch(n -> n == 1);

            // The retry's answer makes the performance theme find nothing in the second version; the others still do.
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, List.of(late("$ai_generation", trace, null, NOTHING))));
            awaitTrue(() -> {
                Map<String, List<Integer>> now = listed(server, trace, false);
                return List.of("performance_issues", "ux_issues", "unhappy_users").stream().allMatch(t -> List.of(2).equals(now.get(t)));
            }, "every theme's second analysis");
            awaitIdle(vertx);
            for (String name : before.keySet()) {
                assertThat(provider.calls(name)).as(name + " analysed the new generation").isEqualTo(2);
            }
            Map<String, List<Integer>> all = listed(server, trace, true);
            assertThat(all.get("performance_issues")).containsExactlyInAnyOrder(1, 2);
            JsonNode performance = server.http.api("/api/projects/default/summaries?theme=performance_issues&include_superseded=true&trace_id=" + trace)
                    .json().get("results");
            for (JsonNode s : performance) {
                boolean first = s.get("properties").get("$ai_trace_version").asInt() == 1;
                assertThat(s.get("superseded").asBoolean()).isEqualTo(first);
            }
            assertThat(server.http.api("/api/projects/default/summaries?theme=performance_issues&relevant=true&trace_id=" + trace)
                    .json().get("results")).as("the version that counts found nothing; the superseded finding is not listed").isEmpty();

            // Out of the index and the clusters where the new version has no vector; replaced where it has one.
            awaitTrue(() -> themeMembers(server, "performance_issues") == 0, "the superseded summary out of the performance theme's clusters");
            assertThat(indexed(server, "performance_issues", trace)).isEmpty();
            awaitTrue(() -> indexed(server, "ux_issues", trace).equals(List.of(2)), "the new version's vector in place of the old one");
            assertThat(themeMembers(server, "ux_issues")).as("the trace counts once").isEqualTo(1);
        } finally {
            server.stop();
            TestServer.await(provider.server().close());
        }
    }
}
