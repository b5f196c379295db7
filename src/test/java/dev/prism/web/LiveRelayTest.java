package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Two instances on one PostgreSQL: a WebSocket client of either sees what happens on the other, once. */
@DisplayName("Live updates and membership across instances")
class LiveRelayTest {

    private static final String THEME = "error_analysis";

    @Test
    @DisplayName("a summary made on A reaches B's clients through PostgreSQL, and A's own clients once; a cluster update on B reaches A")
    void relayed(@TempDir Path dataDir) throws Exception {
        Vertx va = Vertx.vertx();
        Vertx vb = Vertx.vertx();
        ServicePostgres pg = ServicePostgres.createDatabase();
        TestServer a = null;
        TestServer b = null;
        try {
            Map<String, String> sa = TestServer.defaults(dataDir.resolve("a"));
            sa.put("pg.url", pg.url());
            a = TestServer.start(va, sa);
            Map<String, String> sb = TestServer.defaults(dataDir.resolve("b"));
            sb.put("pg.url", pg.url());
            b = TestServer.start(vb, sb);
            try (WsTestClient onA = WsTestClient.admin(va, a.server.httpPort()); WsTestClient onB = WsTestClient.admin(vb, b.server.httpPort())) {
                String subscribe = "{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"" + THEME + "\"]}";
                onA.request(subscribe);
                onB.request(subscribe);

                va.eventBus().publish(Addresses.SUMMARY_CREATED, new SummaryCreated("default", THEME, "relay-1", 1, 1, true,
                        "Provider rate limit (429)", "The provider answered 429 <b>twice</b>.", "high", "offline", 0, 0, 0, 0, Instant.now()));
                List<JsonNode> heardOnB = onB.until(m -> m.path("type").asText().equals("summary.created"));
                JsonNode relayed = heardOnB.get(heardOnB.size() - 1);
                assertThat(relayed.path("project").asText()).isEqualTo("default");
                assertThat(relayed.path("theme").asText()).isEqualTo(THEME);
                assertThat(relayed.toString()).contains("relay-1", "Provider rate limit (429)", "<b>twice</b>");

                List<JsonNode> heardOnA = onA.until(m -> m.path("type").asText().equals("summary.created"));
                assertThat(heardOnA.get(heardOnA.size() - 1).toString()).contains("relay-1");

                vb.eventBus().publish(Addresses.LIVE_EVENT, new LiveEvent("cluster.updated", "default", THEME, "c-relay",
                        HttpApi.JSON.createObjectNode().put("cluster_id", "c-relay").put("title", "Rate limits")));
                List<JsonNode> clusterOnA = onA.until(m -> m.path("type").asText().equals("cluster.updated")
                        && m.path("data").path("cluster_id").asText().equals("c-relay"));
                assertThat(clusterOnA.get(clusterOnA.size() - 1).path("data").path("title").asText()).isEqualTo("Rate limits");

                // A's client heard its own summary once: its relay skips its own notifications.
                org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
                assertThat(onA.pending()).noneMatch(m -> m.toString().contains("relay-1"));
                assertThat(a.http.get("/metrics", null).json().asText()).contains("prism_ws_relay_total{result=\"sent\"}");
            }

            // Membership: each instance lists both, itself marked; the API needs an admin key; a clean stop leaves at once.
            JsonNode readyA = a.http.get("/ready", null).json();
            JsonNode readyB = b.http.get("/ready", null).json();
            assertThat(readyA.path("status").asText()).isEqualTo("ready");
            assertThat(readyA.path("instances")).hasSize(2);
            assertThat(readyA.path("instance").asText()).isNotEqualTo(readyB.path("instance").asText());
            assertThat(readyA.path("instances").findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(readyB.path("instances").findValuesAsText("id"));
            String selfA = readyA.path("instance").asText();
            assertThat(readyA.path("instances")).anySatisfy(m -> {
                assertThat(m.path("id").asText()).isEqualTo(selfA);
                assertThat(m.path("self").asBoolean()).isTrue();
                assertThat(m.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            });
            assertThat(a.http.api("/api/instances").json().path("instances")).hasSize(2);
            assertThat(a.http.get("/api/instances", null).status()).as("no key").isEqualTo(401);
            b.stop();
            b = null;
            assertThat(a.http.get("/ready", null).json().path("instances").findValuesAsText("id")).containsExactly(selfA);
        } finally {
            if (a != null) {
                a.stop();
            }
            if (b != null) {
                b.stop();
            }
            await(va.close());
            await(vb.close());
            pg.close();
        }
    }
}
