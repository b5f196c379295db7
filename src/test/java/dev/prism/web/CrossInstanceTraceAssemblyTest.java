package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.FakeOpenAiProvider;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace whose events reach two instances sharing one PostgreSQL (events written directly, each instance its own
 * writer and trace sweep): it assembles into one trace with every event, its versions follow one sequence, and each
 * version is analysed once per theme, whichever instance completed it.
 */
@Tag("scale-out")
@DisplayName("Scale-out: one trace assembled across two instances")
class CrossInstanceTraceAssemblyTest {

    private static final String TRACE = "split-" + UUID.randomUUID();

    private String jdbc;

    @Test
    @DisplayName("events split between A and B (one sent to both) make one trace; a late event makes version 2; each version analysed once per theme")
    void oneTraceFromTwoInstances(@TempDir Path dataDir) throws Exception {
        Vertx va = Vertx.vertx();
        Vertx vb = Vertx.vertx();
        Vertx vp = Vertx.vertx();
        ServicePostgres pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        FakeOpenAiProvider provider = FakeOpenAiProvider.start(vp, 50, trace -> "The answer ignored the user's constraint.");
        TestServer a = null;
        TestServer b = null;
        try {
            a = TestServer.start(va, settings(dataDir.resolve("a"), pg, provider, "sk-instance-a"));
            b = TestServer.start(vb, settings(dataDir.resolve("b"), pg, provider, "sk-instance-b"));

            // Version 1: four events, two at each instance at the same moment, and one of A's sent to B as well (a
            // client retrying against the other instance).
            List<JsonNode> first = List.of(generation("Summarise the notes in three bullet points.", "Here are twelve paragraphs ...", 40),
                    span("retrieve notes", 30), generation("I said three bullet points. Why do you ignore me?", "Sorry ...", 20),
                    span("rerank", 10));
            TestServer ta = a;
            TestServer tb = b;
            CompletableFuture<HttpApi.Response> toA = CompletableFuture.supplyAsync(() -> post(ta, List.of(first.get(0), first.get(2))));
            CompletableFuture<HttpApi.Response> toB = CompletableFuture.supplyAsync(() -> post(tb, List.of(first.get(1), first.get(3), first.get(0))));
            assertThat(toA.get().status()).isEqualTo(200);
            assertThat(toB.get().status()).isEqualTo(200);

            await("version 1 completed and dispatched").atMost(Duration.ofSeconds(60))
                    .until(() -> count("SELECT count(*) FROM traces WHERE trace_id = '" + TRACE + "' AND status = 'completed' AND dispatched_version = 1") == 1);
            awaitAnalysesSettled();
            assertThat(count("SELECT count(*) FROM events WHERE trace_id = '" + TRACE + "'")).as("each event stored once").isEqualTo(4);
            assertAssembled(a, 1, 4);
            assertAssembled(b, 1, 4);
            Map<String, Long> v1 = analysesPerTheme(1);
            assertThat(v1).as("themes analysing version 1").isNotEmpty();

            // A late event at B after the trace completed: version 2, with all five events.
            assertThat(post(b, List.of(generation("Still wrong. Three bullets!", "Budget approved; launch in May; hiring frozen.", 2))).status())
                    .isEqualTo(200);
            await("version 2 completed and dispatched").atMost(Duration.ofSeconds(60))
                    .until(() -> count("SELECT count(*) FROM traces WHERE trace_id = '" + TRACE + "' AND status = 'completed' AND dispatched_version = 2") == 1);
            awaitAnalysesSettled();
            assertAssembled(a, 2, 5);
            assertAssembled(b, 2, 5);

            Map<String, Long> v2 = analysesPerTheme(2);
            assertThat(v2).as("themes analysing version 2 (the late complaint changes what they judge)").isNotEmpty();
            assertThat(count("SELECT count(*) FROM analyses WHERE trace_id = '" + TRACE + "' AND status <> 'done'")).as("analyses not done").isZero();
            assertThat(count("SELECT count(*) FROM analyses WHERE trace_id = '" + TRACE + "' AND trace_version NOT IN (1, 2)")).isZero();
            v1.forEach((theme, n) -> assertThat(n).as("analyses of version 1 by " + theme).isEqualTo(1));
            v2.forEach((theme, n) -> assertThat(n).as("analyses of version 2 by " + theme).isEqualTo(1));
            // One provider call per stored analysis: no version was analysed twice (by the two instances or otherwise).
            Map<String, Integer> calls = new TreeMap<>();
            provider.requests().forEach((key, list) -> {
                if (key.endsWith("/" + TRACE)) {
                    calls.put(key.substring(0, key.indexOf('/')), list.size());
                }
            });
            Map<String, Integer> stored = new TreeMap<>();
            for (Map.Entry<String, Long> e : analysesByThemeName().entrySet()) {
                stored.put(e.getKey(), e.getValue().intValue());
            }
            Set<String> callers = provider.requests().entrySet().stream().filter(e -> e.getKey().endsWith("/" + TRACE))
                    .flatMap(e -> e.getValue().stream()).map(FakeOpenAiProvider.Call::apiKey).collect(Collectors.toSet());
            System.out.printf("[scale-out assembly] version 1 analysed by %s, version 2 by %s; provider calls per theme %s, by %s%n",
                    v1.keySet(), v2.keySet(), calls, callers);
            assertThat(calls).as("provider calls per theme = stored analyses per theme").isEqualTo(stored);
        } finally {
            if (a != null) {
                a.stop();
            }
            if (b != null) {
                b.stop();
            }
            await(provider.close());
            await(va.close());
            await(vb.close());
            await(vp.close());
            pg.close();
        }
    }

    private static Map<String, String> settings(Path dataDir, ServicePostgres pg, FakeOpenAiProvider provider, String apiKey) {
        Map<String, String> s = TestServer.defaults(dataDir);
        s.put("pg.url", pg.url());
        s.put("llm.provider", "openai");
        s.put("llm.baseUrl", provider.url());
        s.put("llm.apiKey", apiKey);
        s.put("embed.provider", "openai");
        s.put("embed.baseUrl", provider.url());
        s.put("embed.apiKey", apiKey);
        s.put("cluster.refreshAfter", "0");
        s.put("cluster.refreshMinutes", "0");
        return s;
    }

    private static HttpApi.Response post(TestServer server, List<JsonNode> events) {
        try {
            return server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode generation(String user, String answer, int secondsAgo) {
        ObjectNode e = HttpApi.JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-split")
                .put("uuid", UUID.randomUUID().toString()).put("timestamp", Instant.now().minusSeconds(secondsAgo).toString());
        ObjectNode p = e.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_model", "gpt-4o-mini").put("$ai_latency", 2.5)
                .put("$ai_input_tokens", 30).put("$ai_output_tokens", 200);
        p.putArray("$ai_input").addObject().put("role", "user").put("content", user);
        p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", answer);
        return e;
    }

    private static JsonNode span(String name, int secondsAgo) {
        ObjectNode e = HttpApi.JSON.createObjectNode().put("event", "$ai_span").put("distinct_id", "user-split")
                .put("uuid", UUID.randomUUID().toString()).put("timestamp", Instant.now().minusSeconds(secondsAgo).toString());
        e.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_span_name", name).put("$ai_latency", 0.2);
        return e;
    }

    /** The trace as each instance's API answers it: the version and every event, once. */
    private static void assertAssembled(TestServer server, int version, int events) throws Exception {
        JsonNode t = server.http.api("/api/projects/default/traces/" + TRACE).json();
        assertThat(t.get("version").asInt()).as("version").isEqualTo(version);
        assertThat(t.get("status").asText()).isEqualTo("completed");
        List<String> uuids = new ArrayList<>();
        t.get("events").forEach(e -> uuids.add(e.get("uuid").asText()));
        assertThat(uuids).as("events of the assembled trace").hasSize(events).doesNotHaveDuplicates();
        assertThat(t.get("aggregates").toString()).as("aggregates").isNotEmpty();
    }

    private void awaitAnalysesSettled() {
        await("analyses of the trace done").atMost(Duration.ofSeconds(60))
                .until(() -> count("SELECT count(*) FROM analyses WHERE trace_id = '" + TRACE + "' AND status IN ('queued', 'running')") == 0);
    }

    /** theme id → analyses of the given version. */
    private Map<String, Long> analysesPerTheme(int version) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT theme_id, count(*) FROM analyses WHERE trace_id = '" + TRACE
                     + "' AND trace_version = " + version + " GROUP BY theme_id")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** theme name → analyses of the trace, every version. */
    private Map<String, Long> analysesByThemeName() throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("""
                     SELECT t.name, count(*) FROM analyses a JOIN themes t ON t.project_id = a.project_id AND t.theme_id = a.theme_id
                     WHERE a.trace_id = '%s' GROUP BY t.name""".formatted(TRACE))) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
