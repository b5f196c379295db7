package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Dead-lettered analyses over HTTP")
class DeadLettersApiTest {

    @Test
    @DisplayName("dead letters are listed with their reason and raw reply, and re-queued on request")
    void listAndRequeue(Vertx vertx, @TempDir Path dataDir) throws Exception {
        try (ServicePostgres pg = ServicePostgres.createDatabase()) {
            Map<String, String> settings = TestServer.defaults(dataDir);
            settings.put("pg.url", pg.url());
            TestServer server = TestServer.start(vertx, settings);
            try {
                String jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
                try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
                    s.execute("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, attempts, last_error, raw_reply)"
                            + " VALUES ('default', 'error_analysis', 'gone-trace', 1, 1, 'dead', 5, 'HTTP 500: boom', 'not json')");
                }
                JsonNode dead = server.http.api("/api/projects/default/analyses/dead").json().get("results");
                assertThat(dead).hasSize(1);
                assertThat(dead.get(0).get("last_error").asText()).isEqualTo("HTTP 500: boom");
                assertThat(dead.get(0).get("raw_reply").asText()).isEqualTo("not json");
                assertThat(dead.get(0).get("attempts").asInt()).isEqualTo(5);
                // Pages with cursor / next_cursor like every list: a full page points past its last entry.
                JsonNode page = server.http.api("/api/projects/default/analyses/dead?limit=1").json();
                assertThat(page.get("next_cursor").asText()).isEqualTo(dead.get(0).get("id").asText());
                JsonNode next = server.http.api("/api/projects/default/analyses/dead?limit=1&cursor=" + page.get("next_cursor").asText()).json();
                assertThat(next.get("results")).isEmpty();
                assertThat(next.get("next_cursor").isNull()).isTrue();

                HttpApi.Response requeued = server.http.post("/api/projects/default/analyses/requeue",
                        "{\"ids\": [" + dead.get(0).get("id").asLong() + "]}", "Authorization", "Bearer " + TestServer.ADMIN_KEY);
                assertThat(requeued.status()).isEqualTo(200);
                assertThat(requeued.json().get("requeued").asInt()).isEqualTo(1);
                assertThat(server.http.api("/api/projects/default/analyses/dead").json().get("results")).isEmpty();
                assertThat(server.http.post("/api/projects/default/analyses/requeue", "{}", "Authorization", "Bearer " + TestServer.ADMIN_KEY)
                        .status()).isEqualTo(400);
            } finally {
                server.stop();
            }
        }
    }
}
