package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.alert.Receiver;
import dev.prism.alert.ReceiverDestination;
import dev.prism.support.AlertCorpus;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's end-to-end alert: a theme's error cluster grows threefold day over day, and one clustering cycle later each
 * destination of a growth rule has received exactly one alert, whose every field is checked against the cluster API.
 * Summaries go the offline way: stored analyses, embedded by the local model, clustered by the server.
 */
@DisplayName("A growth alert end to end")
class AlertGrowthTest {

    private static final String THEME = AlertCorpus.THEME;
    private static final String TOKEN = "receiver-bearer-secret";
    private static final String PUBLIC_URL = "https://prism.example.com";
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static AlertCorpus corpus;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        corpus = new AlertCorpus(vertx, pg, 14);
        server = TestServer.start(vertx, AlertCorpus.settings(dataDir, pg, PUBLIC_URL), List.of(new ReceiverDestination(vertx)));
        corpus.use(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(vertx.close());
        pg.close();
    }

    @Test
    @DisplayName("a cluster growing threefold fires exactly one growth alert per destination within one clustering cycle, with the exact notice")
    void growthAlert() throws Exception {
        Receiver receiver = await(new Receiver(vertx).listen(0));
        try (WsTestClient ws = WsTestClient.admin(vertx, server.server.httpPort())) {
            ws.request("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"" + THEME + "\"]}");

            // Yesterday: 12 summaries of each of four error causes, and unrelated chat.
            List<String> before = corpus.add(AlertCorpus.errors(12, 1, null), Duration.ofHours(28), Duration.ofHours(40));
            corpus.refresh();
            // Today: the payment timeouts come back four times as often.
            List<String> today = corpus.add(AlertCorpus.errors(48, 2, "payment-timeout"), Duration.ofMinutes(30), Duration.ofHours(10));
            // The streaming assignments' evaluations (no rule yet) are over once updates have stopped for twice the debounce.
            corpus.awaitQuiet();
            String rule = server.http.admin("POST", "/api/projects/default/alerts", """
                    {"name": "Errors tripling", "theme_id": "%s",
                     "trigger": {"type": "growth", "percent": 200, "window": "day", "min_count": 20},
                     "conditions": {"min_severity": "medium", "min_distinct_users": 2},
                     "destinations": [{"type": "receiver", "url": "%s", "token": "%s"}, {"type": "receiver", "url": "%s", "token": "%s"}]}"""
                    .formatted(THEME, receiver.url("/slack"), TOKEN, receiver.url("/linear"), TOKEN)).json().get("id").asText();
            assertThat(receiver.received()).isEmpty();

            long cycle = System.nanoTime();
            corpus.refresh(); // one clustering cycle
            long refreshed = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 2);
            System.out.printf("growth alert: re-clustering %d ms, both receivers served %d ms after it was stored%n",
                    (refreshed - cycle) / 1_000_000, (System.nanoTime() - refreshed) / 1_000_000);
            String clusterId = corpus.clusterOf(today);
            assertThat(corpus.clusterOf(before.subList(0, 12))).as("yesterday's payment timeouts are in the same cluster").isEqualTo(clusterId);

            JsonNode cluster = server.http.api("/api/projects/default/clusters/" + clusterId).json();
            long last = cluster.get("trend").get("last_day").asLong();
            long previous = cluster.get("trend").get("previous_day").asLong();
            assertThat(last).isGreaterThanOrEqualTo(3 * previous);
            ObjectNode expected = corpus.expectedGrowthNotice(rule, "Errors tripling", clusterId, PUBLIC_URL);

            for (String path : List.of("/slack", "/linear")) {
                List<Receiver.Received> got = receiver.received(path);
                assertThat(got).as(path).hasSize(1);
                assertThat(got.get(0).authorization()).isEqualTo("Bearer " + TOKEN);
                ObjectNode notice = got.get(0).body().deepCopy();
                assertThat(Instant.parse(notice.remove("fired_at").asText())).isBetween(Instant.now().minusSeconds(60), Instant.now());
                assertThat(notice).isEqualTo(HttpApi.JSON.readTree(expected.toString()));
            }

            // WebSocket clients hear it too, without any destination secret.
            List<JsonNode> heard = ws.until(m -> m.path("type").asText().equals("alert.fired"));
            JsonNode fired = heard.get(heard.size() - 1);
            assertThat(fired.get("project").asText()).isEqualTo("default");
            assertThat(fired.get("theme").asText()).isEqualTo(THEME);
            assertThat(fired.get("data").get("cluster_id").asText()).isEqualTo(clusterId);
            assertThat(fired.get("data").get("kind").asText()).isEqualTo("growth");
            assertThat(fired.toString()).doesNotContain(TOKEN, "/slack", "/linear");

            // More growth and another cycle the same day: the same news is not sent again.
            corpus.add(AlertCorpus.errors(8, 3, "payment-timeout"), Duration.ofMinutes(5), Duration.ofMinutes(20));
            corpus.refresh();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 2);
            JsonNode deliveries = server.http.api("/api/projects/default/alerts/" + rule + "/deliveries").json().get("results");
            assertThat(deliveries).hasSize(2);
            assertThat(deliveries).allSatisfy(d -> {
                assertThat(d.get("status").asText()).isEqualTo("delivered");
                assertThat(d.get("attempts").asInt()).isEqualTo(1);
                assertThat(d.get("cluster_id").asText()).isEqualTo(clusterId);
            });
            // The cluster API shows the lifecycle the notice carried.
            assertThat(server.http.api("/api/projects/default/themes/" + THEME + "/clusters").json().get("results").findValuesAsText("lifecycle"))
                    .contains("growing", "fading");
        } finally {
            await(receiver.close());
        }
    }
}
