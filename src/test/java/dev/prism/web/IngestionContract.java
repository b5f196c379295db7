package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.TraceCompleted;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.support.HttpApi;
import dev.prism.support.HttpApi.Response;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.HttpApi.JSON;
import static dev.prism.support.TestServer.PROJECT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ingestion end to end over HTTP, run against each store (embedded PostgreSQL and the machine's service) by a
 * subclass that supplies the store settings.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IngestionContract {

    /** Events and span-tree depth each fixture's trace must end with (s23 has no usable trace id). */
    static final Map<String, int[]> EXPECTED = Map.ofEntries(
            Map.entry("s01", new int[]{1, 1}), Map.entry("s02", new int[]{10, 3}), Map.entry("s03", new int[]{3, 1}),
            Map.entry("s04", new int[]{2, 1}), Map.entry("s05", new int[]{2, 1}), Map.entry("s06", new int[]{3, 1}),
            Map.entry("s07", new int[]{1, 1}), Map.entry("s08", new int[]{1, 1}), Map.entry("s09", new int[]{2, 1}),
            Map.entry("s10", new int[]{2, 1}), Map.entry("s11", new int[]{5, 2}), Map.entry("s12", new int[]{2, 1}),
            Map.entry("s13", new int[]{2, 1}), Map.entry("s14", new int[]{1, 1}), Map.entry("s15", new int[]{6, 3}),
            Map.entry("s16", new int[]{2, 1}), Map.entry("s17", new int[]{4, 1}), Map.entry("s18", new int[]{2, 1}),
            Map.entry("s19", new int[]{16, 3}), Map.entry("s20", new int[]{7, 2}), Map.entry("s21", new int[]{6, 2}),
            Map.entry("s22", new int[]{2, 1}), Map.entry("s24", new int[]{3, 1}), Map.entry("s25", new int[]{5, 1}));

    TestServer server;
    HttpApi http;
    final Map<String, Integer> completions = new ConcurrentHashMap<>();

    /** Store settings of the subclass, merged over {@link TestServer#defaults}. */
    abstract Map<String, String> storeSettings() throws Exception;

    void closeStore() throws Exception {
    }

    @BeforeAll
    void startServer(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("http.bodyLimitBytes", String.valueOf(4 * 1024 * 1024));
        settings.putAll(storeSettings());
        server = TestServer.start(vertx, settings);
        http = server.http;
        vertx.eventBus().<TraceCompleted>consumer(Addresses.TRACE_COMPLETED,
                m -> completions.merge(m.body().traceId(), 1, Integer::sum));
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
        closeStore();
    }

    @Test
    @DisplayName("every fixture becomes one completed trace with the right event count and tree depth; malformed events are rejected one by one")
    void fixturesEndToEnd() throws Exception {
        List<Fixture> fixtures = Fixtures.all();
        assertThat(fixtures).hasSize(25);
        for (Fixture f : fixtures) {
            Response r = http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, f.events()));
            assertThat(r.status()).as(f.name()).isEqualTo(200);
            String prefix = f.name().substring(0, 3);
            if (prefix.equals("s23")) {
                assertThat(r.json().get("accepted").asInt()).isZero();
                assertThat(r.json().get("rejected")).hasSize(2);
                r.json().get("rejected").forEach(x -> assertThat(x.get("reason").asText()).contains("$ai_trace_id"));
            } else {
                assertThat(r.json().get("rejected")).as(f.name()).isEmpty();
                assertThat(r.json().get("accepted").asInt()).as(f.name()).isEqualTo(f.events().size());
            }
        }
        for (Fixture f : fixtures) {
            int[] expected = EXPECTED.get(f.name().substring(0, 3));
            if (expected == null) {
                continue;
            }
            Response trace = http.awaitApi("/api/projects/default/traces/" + f.traceId(),
                    r -> r.status() == 200 && r.json().get("status").asText().equals("completed"), Duration.ofSeconds(30));
            JsonNode agg = trace.json().get("aggregates");
            assertThat(agg.get("event_count").asInt()).as(f.name() + " events").isEqualTo(expected[0]);
            assertThat(agg.get("tree_depth").asInt()).as(f.name() + " depth").isEqualTo(expected[1]);
            assertThat(trace.json().get("events")).as(f.name()).hasSize(expected[0]);
            assertThat(trace.json().get("version").asInt()).isEqualTo(1);
            assertThat(completions.get(f.traceId())).as(f.name() + " completions published").isEqualTo(1);
        }
        JsonNode s02 = http.api("/api/projects/default/traces/" + Fixtures.named("s02").traceId()).json();
        assertThat(s02.get("name").asText()).isNotBlank();
        assertThat(s02.get("tree")).hasSize(1);
        assertThat(s02.get("tree").get(0).get("children")).isNotEmpty();
        JsonNode s08 = http.api("/api/projects/default/traces/" + Fixtures.named("s08").traceId()).json().get("aggregates");
        assertThat(s08.get("latency_seconds").asDouble()).isEqualTo(41.7);
        assertThat(s08.get("cost_usd").asDouble()).isGreaterThan(0.5);
        assertThat(s08.get("models").get(0).asText()).isEqualTo("claude-opus-4-1-20250805");
    }

    @Test
    @DisplayName("bad input gets a clear 4xx with a JSON error and the server keeps serving")
    void badInput() throws Exception {
        assertError(http.post("/batch/", "{\"api_key\": \"" + PROJECT_TOKEN + "\", \"batch\": [{\"event\": "), 400, "invalid_json");
        assertError(http.post("/batch/", HttpApi.batch("wrong-token", List.of(event("$ai_generation", "t-wrong")))), 401, "invalid_token");
        assertError(http.post("/batch/", "{\"batch\": []}"), 401, "missing_token");

        String nested = "[".repeat(10_000) + "]".repeat(10_000);
        assertError(http.post("/batch/", "{\"api_key\": \"" + PROJECT_TOKEN + "\", \"batch\": " + nested + "}"), 400, "invalid_json");

        byte[] invalidUtf8 = ("{\"api_key\": \"" + PROJECT_TOKEN + "\", \"event\": \"$ai_span\", \"properties\": {\"x\": \"")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[invalidUtf8.length + 2 + tail.length];
        System.arraycopy(invalidUtf8, 0, body, 0, invalidUtf8.length);
        body[invalidUtf8.length] = (byte) 0xC3;
        body[invalidUtf8.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, body, invalidUtf8.length + 2, tail.length);
        assertError(http.post("/e/", body), 400, "invalid_json");

        byte[] oversized = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(oversized, (byte) ' ');
        Response tooBig = http.post("/batch/", oversized);
        assertError(tooBig, 413, "payload_too_large");

        byte[] bomb = HttpApi.gzip(("{\"api_key\": \"" + PROJECT_TOKEN + "\", \"batch\": [], \"pad\": \"" + "a".repeat(8 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertError(http.post("/batch/", bomb, "Content-Encoding", "gzip"), 413, "payload_too_large");
        assertError(http.post("/batch/", new byte[]{0x1f, (byte) 0x8b, 1, 2, 3}, "Content-Encoding", "gzip"), 400, "invalid_compression");

        ObjectNode arrayProps = JSON.createObjectNode().put("event", "$ai_generation");
        arrayProps.putArray("properties").add(1);
        ObjectNode good = event("$ai_generation", "t-bad-input-" + UUID.randomUUID());
        ObjectNode nameless = JSON.createObjectNode();
        nameless.putObject("properties").put("$ai_trace_id", "t-x");
        Response mixed = http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, List.of(arrayProps, good, nameless, event("$pageview", "t-y"))));
        assertThat(mixed.status()).isEqualTo(200);
        assertThat(mixed.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(mixed.json().get("ignored").asInt()).isEqualTo(1);
        assertThat(mixed.json().get("rejected")).hasSize(2);
        assertThat(mixed.json().get("rejected").get(0).get("index").asInt()).isZero();
        assertThat(mixed.json().get("rejected").get(0).get("reason").asText()).contains("properties").contains("array");
        assertThat(mixed.json().get("rejected").get(1).get("index").asInt()).isEqualTo(2);
        assertThat(mixed.json().get("rejected").get(1).get("reason").asText()).contains("event name");

        assertThat(http.get("/health", null).status()).isEqualTo(200);
        assertThat(http.get("/ready", null).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("gzip bodies, single events on every capture path, Bearer tokens and numeric ids are accepted as PostHog's capture does")
    void postHogCompatibility() throws Exception {
        String traceId = "t-compat-" + UUID.randomUUID();
        byte[] gz = HttpApi.gzip(HttpApi.batch(PROJECT_TOKEN, List.of(event("$ai_generation", traceId))).getBytes(StandardCharsets.UTF_8));
        assertThat(http.post("/batch/?compression=gzip-js", gz).json().get("accepted").asInt()).isEqualTo(1);
        assertThat(http.post("/batch", gz, "Content-Encoding", "gzip").json().get("accepted").asInt()).isEqualTo(1);
        for (String path : List.of("/e/", "/capture/", "/i/v0/e/")) {
            ObjectNode single = event("$ai_span", traceId).put("token", PROJECT_TOKEN);
            assertThat(http.post(path, single.toString()).json().get("accepted").asInt()).as(path).isEqualTo(1);
        }
        ObjectNode numeric = event("$ai_span", traceId);
        numeric.put("distinct_id", 12345);
        ((ObjectNode) numeric.get("properties")).put("$ai_span_id", 77).put("$ai_parent_id", traceId);
        Response bearer = http.post("/i/v0/e/", numeric.toString(), "Authorization", "Bearer " + PROJECT_TOKEN);
        assertThat(bearer.json().get("accepted").asInt()).isEqualTo(1);

        JsonNode trace = http.awaitApi("/api/projects/default/traces/" + traceId,
                r -> r.status() == 200 && r.json().get("status").asText().equals("completed"), Duration.ofSeconds(30)).json();
        assertThat(trace.get("aggregates").get("event_count").asInt()).isEqualTo(6);
        JsonNode numericEvent = null;
        for (JsonNode e : trace.get("events")) {
            if (e.get("distinct_id").asText().equals("12345")) {
                numericEvent = e;
            }
        }
        assertThat(numericEvent).isNotNull();
        assertThat(numericEvent.get("properties").get("$ai_span_id").isTextual()).isTrue();
        assertThat(numericEvent.get("properties").has("token")).isFalse();

        String metrics = http.get("/metrics", null).json().asText();
        java.util.regex.Matcher accepted = java.util.regex.Pattern
                .compile("(?m)^prism_ingest_events_total\\{result=\"accepted\"\\} (\\S+)$").matcher(metrics);
        assertThat(accepted.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(accepted.group(1))).isGreaterThanOrEqualTo(6);
        assertThat(metrics).contains("jvm_memory_used_bytes");
    }

    @Test
    @DisplayName("an event after completion opens a new trace version; a resent event is stored once")
    void versionsAndIdempotency() throws Exception {
        String traceId = "t-version-" + UUID.randomUUID();
        ObjectNode first = event("$ai_generation", traceId).put("uuid", UUID.randomUUID().toString());
        http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, List.of(first, event("$ai_trace", traceId))));
        String path = "/api/projects/default/traces/" + traceId;
        http.awaitApi(path, r -> r.status() == 200 && r.json().get("status").asText().equals("completed"), Duration.ofSeconds(30));

        http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, List.of(first))); // a client retry: same uuid
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.api(path).json().get("version").asInt() == 1);
        JsonNode afterRetry = http.api(path).json();
        assertThat(afterRetry.get("version").asInt()).isEqualTo(1);
        assertThat(afterRetry.get("status").asText()).isEqualTo("completed");

        http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, List.of(event("$ai_span", traceId))));
        JsonNode v2 = http.awaitApi(path, r -> r.json().get("version").asInt() == 2 && r.json().get("status").asText().equals("completed"),
                Duration.ofSeconds(30)).json();
        assertThat(v2.get("aggregates").get("event_count").asInt()).isEqualTo(3);
        assertThat(completions.get(traceId)).isEqualTo(2);
    }

    @Test
    @DisplayName("the API needs the admin key, answers JSON errors, and pages traces newest first with a cursor")
    void restApi() throws Exception {
        assertError(http.get("/api/projects/default/traces", null), 401, "unauthorized");
        assertError(http.get("/api/projects/default/traces", "not-the-key"), 401, "unauthorized");
        assertError(http.api("/api/projects/nope/traces"), 404, "project_not_found");
        assertError(http.api("/api/projects/default/traces/does-not-exist"), 404, "trace_not_found");
        assertError(http.api("/api/projects/default/traces?cursor=bm90LWEtY3Vyc29y"), 400, "invalid_cursor");
        assertError(http.api("/api/projects/default/traces?limit=0"), 400, "invalid_limit");
        assertError(http.api("/api/projects/default/traces?since=yesterday"), 400, "invalid_since");

        String prefix = "t-page-" + UUID.randomUUID() + "-";
        List<JsonNode> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ObjectNode e = event("$ai_generation", prefix + i).put("timestamp", "2030-01-01T00:00:0" + i + "Z");
            events.add(e);
        }
        http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, events));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            String q = "/api/projects/default/traces?limit=3&since=2030-01-01T00:00:00Z&until=2030-01-02T00:00:00Z"
                    + (cursor == null ? "" : "&cursor=" + cursor);
            JsonNode page = http.api(q).json();
            page.get("results").forEach(t -> seen.add(t.get("trace_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertThat(seen).containsExactly(prefix + 6, prefix + 5, prefix + 4, prefix + 3, prefix + 2, prefix + 1, prefix + 0);

        JsonNode pending = http.api("/api/projects/default/traces?status=pending&since=2030-01-01T00:00:00Z").json();
        JsonNode completed = http.api("/api/projects/default/traces?status=completed&since=2030-01-01T00:00:00Z").json();
        assertThat(pending.get("results").size() + completed.get("results").size()).isEqualTo(7);
        assertError(http.api("/api/projects/default/traces?status=weird"), 400, "invalid_status");
    }

    static ObjectNode event(String name, String traceId) {
        ObjectNode e = JSON.createObjectNode().put("event", name).put("distinct_id", "user-1");
        e.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini");
        return e;
    }

    static void assertError(Response r, int status, String error) {
        assertThat(r.status()).as(r.json().toString()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).isEqualTo(error);
        assertThat(r.json().get("detail").asText()).isNotBlank();
    }
}
