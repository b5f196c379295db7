package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Forwarding summaries to PostHog")
class PostHogForwardingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("every stored summary reaches PostHog's /batch/ as a $ai_trace_summary event with the project key, after a failed attempt is retried")
    void forwards(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger requests = new AtomicInteger();
        HttpServer posthog = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            if (!req.path().equals("/batch/")) {
                req.response().setStatusCode(404).end();
                return;
            }
            if (requests.incrementAndGet() == 1) {
                req.response().setStatusCode(503).end(); // PostHog briefly unavailable
                return;
            }
            try {
                bodies.add(JSON.readTree(b.toString()));
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
                return;
            }
            req.response().putHeader("Content-Type", "application/json").end("{\"status\": 1}");
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("posthog.host", "http://127.0.0.1:" + posthog.actualPort());
        settings.put("posthog.apiKey", "phc_test_project_key");
        TestServer server = TestServer.start(vertx, settings);
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            JsonNode stored = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 7, Duration.ofSeconds(60)).json().get("results");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Set<String> forwarded = new HashSet<>();
            while (System.nanoTime() < deadline) {
                forwarded.clear();
                for (JsonNode body : bodies) {
                    assertThat(body.get("api_key").asText()).isEqualTo("phc_test_project_key");
                    for (JsonNode e : body.get("batch")) {
                        assertThat(e.get("event").asText()).isEqualTo("$ai_trace_summary");
                        assertThat(e.get("distinct_id").asText()).isEqualTo("prism:default");
                        JsonNode p = e.get("properties");
                        if (p.get("$ai_analysis_theme_id").asText().equals("error_analysis")) {
                            forwarded.add(p.get("$ai_trace_id").asText());
                        }
                    }
                }
                if (forwarded.size() == 7) {
                    break;
                }
                Thread.sleep(200);
            }
            Set<String> expected = new HashSet<>();
            stored.forEach(s -> expected.add(s.get("properties").get("$ai_trace_id").asText()));
            assertThat(forwarded).isEqualTo(expected);
            assertThat(requests.get()).as("the first attempt failed and was retried").isGreaterThan(1);
        } finally {
            server.stop();
            posthog.close();
        }
    }

    @Test
    @DisplayName("summaries stored while PostHog is down are not lost with a restart: the outbox forwards every one once it answers")
    void outboxSurvivesOutageAndRestart(Vertx vertx, @TempDir Path dataDir) throws Exception {
        AtomicInteger refused = new AtomicInteger();
        HttpServer down = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            refused.incrementAndGet();
            req.response().setStatusCode(503).end();
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("posthog.host", "http://127.0.0.1:" + down.actualPort());
        settings.put("posthog.apiKey", "phc_test_project_key");
        TestServer server = TestServer.start(vertx, settings);
        JsonNode stored;
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            stored = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=100",
                    r -> r.json().get("results").size() == 7, Duration.ofSeconds(60)).json().get("results");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (refused.get() == 0) {
                assertThat(System.nanoTime()).as("a forwarding attempt while PostHog is down").isLessThan(deadline);
                Thread.sleep(100);
            }
        } finally {
            server.stop();
            down.close();
        }
        Set<String> forwarded = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer up = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            try {
                for (JsonNode e : JSON.readTree(b.toString()).get("batch")) {
                    JsonNode p = e.get("properties");
                    if (p.get("$ai_analysis_theme_id").asText().equals("error_analysis")) {
                        forwarded.add(p.get("$ai_trace_id").asText());
                    }
                }
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
                return;
            }
            req.response().putHeader("Content-Type", "application/json").end("{\"status\": 1}");
        })).listen(0, "127.0.0.1"));
        settings.put("posthog.host", "http://127.0.0.1:" + up.actualPort());
        server = TestServer.start(vertx, settings);
        try {
            Set<String> expected = new HashSet<>();
            stored.forEach(x -> expected.add(x.get("properties").get("$ai_trace_id").asText()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!forwarded.equals(expected)) {
                assertThat(System.nanoTime()).as("forwarded after the restart: " + forwarded).isLessThan(deadline);
                Thread.sleep(200);
            }
        } finally {
            server.stop();
            up.close();
        }
    }
}
