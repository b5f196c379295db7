package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Every series the Grafana dashboard in docker/ charts is one a running server really exposes, with traffic flowing. */
@DisplayName("The Grafana dashboard against a live /metrics")
class GrafanaDashboardTest {

    /** Counted only once such an event happened (a fired alert, a re-clustering: its duration is per theme), or only with Kafka on; PipelineMetricsVerticleTest and KafkaIngestionTest cover them. */
    private static final Set<String> AFTER_THEIR_FIRST_EVENT = Set.of("prism_alerts_fired_total", "prism_cluster_updates_total", "prism_kafka_lag",
            "prism_cluster_run_seconds_sum", "prism_cluster_run_seconds_count");

    @Test
    @DisplayName("after fixtures went through the offline pipeline, each metric the dashboard queries is in /metrics")
    void dashboardQueriesExist(@TempDir Path dataDir) throws Exception {
        JsonNode dashboard = HttpApi.JSON.readTree(Files.readString(Path.of("docker/grafana-dashboard.json")));
        Set<String> queried = new TreeSet<>();
        Matcher m = Pattern.compile("\\bprism_[a-z_]+").matcher(dashboard.toString());
        while (m.find()) {
            queried.add(m.group());
        }
        assertThat(queried).hasSizeGreaterThan(10);

        Vertx vertx = Vertx.vertx();
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events())).status()).isEqualTo(200);
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
                String text = server.http.get("/metrics", null).json().asText();
                return text.contains("prism_analyses_completed_total{") && text.contains("prism_embed_vectors_total{")
                        && text.lines().anyMatch(l -> l.startsWith("prism_analyses_done ") && !l.endsWith(" 0.0"));
            });
            String text = server.http.get("/metrics", null).json().asText();
            for (String name : queried) {
                if (!AFTER_THEIR_FIRST_EVENT.contains(name)) {
                    assertThat(text.lines().anyMatch(l -> l.startsWith(name + " ") || l.startsWith(name + "{")))
                            .as(name + " in /metrics").isTrue();
                }
            }
        } finally {
            server.stop();
            await(vertx.close());
        }
    }
}
