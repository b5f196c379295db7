package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
}
