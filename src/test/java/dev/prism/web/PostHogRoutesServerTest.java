package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.HttpApi;
import dev.prism.support.HttpApi.Response;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

/** The routes PostHog SDKs use besides {@code /batch/}, as their sources send them, over real HTTP. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("PostHog SDK routes: large AI events, v1 capture, flags, JSON 404s")
class PostHogRoutesServerTest {

    private TestServer server;
    private HttpApi http;
    private ServicePostgres database;
    private int port;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        database = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", database.url());
        server = TestServer.start(vertx, settings);
        http = server.http;
        port = server.server.httpPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (database != null) {
            database.close();
        }
    }

    private static ObjectNode generation(String traceId, String content) {
        ObjectNode e = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "u1")
                .put("uuid", UUID.randomUUID().toString()).put("timestamp", "2026-01-01T00:00:00Z");
        ObjectNode p = e.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini")
                .put("$ai_provider", "openai").put("$ai_input_tokens", 10).put("$ai_output_tokens", 5);
        p.putArray("$ai_input").addObject().put("role", "user").put("content", content);
        p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", "ok " + traceId);
        return e;
    }

    @Test
    @DisplayName("POST /i/v0/ai/batch/ takes posthog-node's gzipped {api_key, batch, sent_at}, also a 7.5 MB event, and the trace renders")
    void aiBatchRoute() throws Exception {
        String small = "ai-small-" + UUID.randomUUID();
        String large = "ai-large-" + UUID.randomUUID();
        String big = "x".repeat(7_500_000);
        ObjectNode body = JSON.createObjectNode().put("api_key", PROJECT_TOKEN).put("sent_at", "2026-01-01T00:00:01Z");
        body.putArray("batch").add(generation(small, "hello"));
        Response r = http.post("/i/v0/ai/batch/", HttpApi.gzip(body.toString().getBytes(StandardCharsets.UTF_8)),
                "Content-Encoding", "gzip");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("accepted").asInt()).isEqualTo(1);

        ObjectNode bigBody = JSON.createObjectNode().put("api_key", PROJECT_TOKEN);
        bigBody.putArray("batch").add(generation(large, big));
        Response rb = http.post("/i/v0/ai/batch", HttpApi.gzip(bigBody.toString().getBytes(StandardCharsets.UTF_8)),
                "Content-Encoding", "gzip");
        assertThat(rb.status()).isEqualTo(200);
        assertThat(rb.json().get("accepted").asInt()).isEqualTo(1);

        for (String id : List.of(small, large)) {
            http.awaitApi("/api/projects/default/traces/" + id, x -> x.status() == 200, Duration.ofSeconds(30));
            String text = text(id);
            assertThat(text).contains("ok " + id);
        }
        // The text caps long values; the stored event keeps all of it.
        assertThat(text(large)).contains("x".repeat(100));
        JsonNode stored = http.api("/api/projects/default/traces/" + large).json().get("events").get(0).get("properties");
        assertThat(stored.get("$ai_input").get(0).get("content").asText()).hasSize(big.length());
    }

    @Test
    @DisplayName("POST /i/v1/analytics/events (v1 capture mode) takes a Bearer token and {created_at, batch} and answers per-uuid results")
    void v1Route() throws Exception {
        String trace = "v1-" + UUID.randomUUID();
        ObjectNode event = generation(trace, "from v1");
        event.put("session_id", "s1").putObject("options").put("process_person_profile", false);
        ObjectNode body = JSON.createObjectNode().put("created_at", "2026-01-01T00:00:01Z");
        body.putArray("batch").add(event).addObject().put("event", "pageview").put("uuid", UUID.randomUUID().toString())
                .put("distinct_id", "u1").put("timestamp", "2026-01-01T00:00:00Z").putObject("properties");
        Response r = http.post("/i/v1/analytics/events", HttpApi.gzip(body.toString().getBytes(StandardCharsets.UTF_8)),
                "Content-Encoding", "gzip", "Authorization", "Bearer " + PROJECT_TOKEN);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("results").isObject()).isTrue();
        assertThat(r.json().get("results").size()).isZero();
        assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(r.json().get("ignored").asInt()).isEqualTo(1);
        http.awaitApi("/api/projects/default/traces/" + trace, x -> x.status() == 200, Duration.ofSeconds(30));
        assertThat(text(trace)).contains("from v1");

        ObjectNode bad = JSON.createObjectNode().put("created_at", "2026-01-01T00:00:01Z");
        String badUuid = UUID.randomUUID().toString();
        bad.putArray("batch").add(generation("v1-ok-" + UUID.randomUUID(), "fine")).addObject().put("event", "$ai_generation")
                .put("uuid", badUuid).put("distinct_id", "u1").putObject("properties").put("$ai_model", "gpt-4o");
        Response partial = http.post("/i/v1/analytics/events", bad.toString(), "Authorization", "Bearer " + PROJECT_TOKEN);
        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(partial.json().get("results").size()).isEqualTo(1);
        assertThat(partial.json().get("results").get(badUuid).get("result").asText()).isEqualTo("drop");
        assertThat(partial.json().get("results").get(badUuid).get("details").asText()).contains("$ai_trace_id");

        Response noToken = http.post("/i/v1/analytics/events", body.toString());
        assertThat(noToken.status()).isEqualTo(401);
    }

    @Test
    @DisplayName("/flags and /decide in every version SDKs call answer an empty, valid evaluation")
    void flags() throws Exception {
        String request = "{\"token\":\"" + PROJECT_TOKEN + "\",\"distinct_id\":\"u1\",\"groups\":{},\"person_properties\":{}}";
        for (String path : List.of("/flags/?v=2", "/flags/?v=4&config=true", "/flags", "/decide/?v=3", "/decide/?v=4", "/decide")) {
            Response r = http.post(path, request);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.json().get("flags").isObject()).as(path).isTrue();
            assertThat(r.json().get("featureFlags").size()).as(path).isZero();
            assertThat(r.json().get("errorsWhileComputingFlags").asBoolean()).as(path).isFalse();
        }
        Response definitions = http.get("/flags/definitions?token=" + PROJECT_TOKEN + "&send_cohorts", "phx_key");
        assertThat(definitions.status()).isEqualTo(200);
        assertThat(definitions.json().get("flags").isArray()).isTrue();
    }

    @Test
    @DisplayName("unknown routes answer a JSON 404 and are counted in /metrics by class, never by raw path")
    void unknownRoutes() throws Exception {
        double captureBefore = metric("capture");
        double apiBefore = metric("api");
        double otherBefore = metric("other");
        double staticBefore = metric("static");

        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/i/v0/nothing/here"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(post.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = JSON.readTree(post.body());
        assertThat(body.get("error").asText()).isEqualTo("not_found");
        assertThat(body.get("detail").asText()).contains("/i/v0/nothing/here");

        assertThat(http.api("/api/projects/default/nothing").status()).isEqualTo(404);
        assertThat(http.api("/api/projects/default/nothing").json().get("error").asText()).isEqualTo("not_found");
        Response other = http.get("/wp-login-" + UUID.randomUUID(), null);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().get("error").asText()).isEqualTo("not_found");
        assertThat(http.get("/missing.js", null).status()).isEqualTo(404);

        assertThat(metric("capture")).isEqualTo(captureBefore + 1);
        assertThat(metric("api")).isEqualTo(apiBefore + 2);
        assertThat(metric("other")).isEqualTo(otherBefore + 1);
        assertThat(metric("static")).isEqualTo(staticBefore + 1);
        String scrape = scrape();
        assertThat(scrape).doesNotContain("wp-login");
    }

    private String scrape() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private double metric(String cls) throws Exception {
        Matcher m = Pattern.compile("(?m)^prism_http_unknown_route_total\\{class=\"" + cls + "\"[^}]*} ([0-9.Ee+-]+)$").matcher(scrape());
        assertThat(m.find()).as("series for class " + cls).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private String text(String traceId) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/projects/default/traces/" + traceId + "/text")).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
