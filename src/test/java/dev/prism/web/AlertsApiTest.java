package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.alert.Receiver;
import dev.prism.alert.ReceiverDestination;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The alert rules API and the delivery log, against a running server and local receivers. */
@DisplayName("Alert rules API and delivery")
class AlertsApiTest {

    private static final String ALERTS = "/api/projects/default/alerts";
    private static final String TOKEN = "receiver-token-not-to-be-shown";
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("alerts.backoffMillis", "100");
        settings.put("alerts.evaluateSeconds", "0");
        server = TestServer.start(vertx, settings, List.of(new ReceiverDestination(vertx)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(vertx.close());
        pg.close();
    }

    private static String rule(String name, String url) {
        return """
                {"name": "%s", "theme_id": "error_analysis",
                 "trigger": {"type": "growth", "percent": 200, "window": "day", "min_count": 10},
                 "conditions": {"min_distinct_users": 2},
                 "destinations": [{"type": "receiver", "url": "%s", "token": "%s", "channel": "#alerts"}],
                 "cooldown_seconds": 600}""".formatted(name, url, TOKEN);
    }

    private static JsonNode create(String body) throws Exception {
        HttpApi.Response r = server.http.admin("POST", ALERTS, body);
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json();
    }

    @Test
    @DisplayName("rules are created, read, listed, patched, replaced and deleted; destination secrets are never answered")
    void crud() throws Exception {
        JsonNode created = create(rule("Errors triple", "http://127.0.0.1:9/hook/secret-path"));
        String id = created.get("id").asText();
        assertThat(created.get("name").asText()).isEqualTo("Errors triple");
        assertThat(created.get("trigger")).isEqualTo(HttpApi.JSON.readTree(
                "{\"type\": \"growth\", \"percent\": 200.0, \"window\": \"day\", \"min_count\": 10}"));
        assertThat(created.get("destinations")).isEqualTo(HttpApi.JSON.readTree(
                "[{\"type\": \"receiver\", \"url_set\": true, \"url_host\": \"127.0.0.1\", \"token_set\": true, \"channel\": \"#alerts\"}]"));
        assertThat(created.get("cooldown_seconds").asInt()).isEqualTo(600);
        assertThat(created.get("enabled").asBoolean()).isTrue();

        HttpApi.Response got = server.http.api(ALERTS + "/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json()).isEqualTo(created);
        HttpApi.Response list = server.http.api(ALERTS);
        assertThat(list.json().get("results").findValuesAsText("id")).contains(id);
        assertThat(list.json().toString()).doesNotContain(TOKEN, "secret-path");

        // PATCH without destinations keeps them, secrets included.
        HttpApi.Response patched = server.http.admin("PATCH", ALERTS + "/" + id, "{\"name\": \"Errors tripled\", \"enabled\": false, \"id\": \"ignored\"}");
        assertThat(patched.status()).as(patched.json().toString()).isEqualTo(200);
        assertThat(patched.json().get("id").asText()).isEqualTo(id);
        assertThat(patched.json().get("name").asText()).isEqualTo("Errors tripled");
        assertThat(patched.json().get("enabled").asBoolean()).isFalse();
        assertThat(patched.json().get("destinations")).isEqualTo(created.get("destinations"));

        HttpApi.Response replaced = server.http.admin("PUT", ALERTS + "/" + id, """
                {"name": "Big clusters", "theme_id": "error_analysis", "trigger": {"type": "size_reached", "size": 100},
                 "destinations": [{"type": "receiver", "url": "http://127.0.0.1:9/other", "token": "t2"}]}""");
        assertThat(replaced.status()).as(replaced.json().toString()).isEqualTo(200);
        assertThat(replaced.json().get("trigger")).isEqualTo(HttpApi.JSON.readTree("{\"type\": \"size_reached\", \"size\": 100}"));
        assertThat(replaced.json().get("conditions").isEmpty()).isTrue();
        assertThat(replaced.json().get("cooldown_seconds").asInt()).as("default").isEqualTo(3600);

        assertThat(server.http.admin("DELETE", ALERTS + "/" + id, null).status()).isEqualTo(200);
        HttpApi.Response gone = server.http.api(ALERTS + "/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("error").asText()).isEqualTo("alert_not_found");
    }

    @Test
    @DisplayName("an invalid rule is refused with 400 naming each field; an unknown theme is named too")
    void invalid() throws Exception {
        HttpApi.Response r = server.http.admin("POST", ALERTS, """
                {"name": "", "theme_id": "error_analysis", "trigger": {"type": "growth", "window": "month"},
                 "destinations": [{"type": "slack", "url": "https://hooks.slack.com/x"}, {"type": "receiver", "url": "ftp://x"}]}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid_alert");
        assertThat(r.json().get("detail").asText()).contains("name: required", "trigger.percent: required", "trigger.window: day or week",
                "destinations[0].type: one of receiver, got 'slack'", "destinations[1]: url: an http:// URL");
        assertThat(r.json().get("detail").asText()).doesNotContain("hooks.slack.com/x");

        HttpApi.Response theme = server.http.admin("POST", ALERTS, rule("x", "http://127.0.0.1:9/h").replace("error_analysis", "no_such_theme"));
        assertThat(theme.status()).isEqualTo(400);
        assertThat(theme.json().get("detail").asText()).isEqualTo("theme_id: no theme no_such_theme in this project");
        assertThat(server.http.admin("POST", ALERTS, "not json").status()).isEqualTo(400);
        assertThat(server.http.admin("PATCH", ALERTS + "/r_nothing", "{}").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("a receiver answering 500 twice, then 200, gets the test notice delivered once; the log shows three attempts")
    void retriedUntilDelivered() throws Exception {
        Receiver receiver = await(new Receiver(vertx).listen(0)).answer(500, null).answer(500, null);
        try {
            JsonNode created = create(rule("Retry", receiver.url("/hook")));
            String id = created.get("id").asText();
            HttpApi.Response test = server.http.admin("POST", ALERTS + "/" + id + "/test", null);
            assertThat(test.status()).as(test.json().toString()).isEqualTo(202);
            assertThat(test.json().get("deliveries")).hasSize(1);

            JsonNode delivery = await().atMost(Duration.ofSeconds(20)).until(() -> server.http.api(ALERTS + "/" + id + "/deliveries").json()
                    .get("results").get(0), d -> d.get("status").asText().equals("delivered"));
            assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
            assertThat(delivery.get("response_code").asInt()).isEqualTo(200);
            assertThat(delivery.get("kind").asText()).isEqualTo("test");
            assertThat(delivery.get("destination_type").asText()).isEqualTo("receiver");
            assertThat(delivery.get("log").findValues("response_code").stream().map(JsonNode::asInt).toList()).containsExactly(500, 500, 200);
            assertThat(delivery.get("log").get(0).get("error").asText()).isEqualTo("receiver answered 500");
            assertThat(delivery.toString()).doesNotContain(TOKEN);

            List<Receiver.Received> got = receiver.received("/hook");
            assertThat(got).hasSize(3);
            assertThat(got).allSatisfy(g -> assertThat(g.authorization()).isEqualTo("Bearer " + TOKEN));
            JsonNode notice = got.get(2).body();
            assertThat(notice.get("kind").asText()).isEqualTo("test");
            assertThat(notice.get("rule_id").asText()).isEqualTo(id);
            assertThat(notice.get("theme_id").asText()).isEqualTo("error_analysis");
            assertThat(got.get(0).body()).as("every attempt sends the same notice").isEqualTo(notice);
        } finally {
            await(receiver.close());
        }
    }

    @Test
    @DisplayName("429 waits for its Retry-After; a 400 is not retried; a receiver failing every time is dead after alerts.maxAttempts (5)")
    void retryAfterAndDead() throws Exception {
        Receiver limited = await(new Receiver(vertx).listen(0)).answer(429, "2");
        Receiver wrong = await(new Receiver(vertx).listen(0)).answer(400, null);
        Receiver down = await(new Receiver(vertx).listen(0));
        for (int i = 0; i < 10; i++) {
            down.answer(503, null);
        }
        try {
            List<String> ids = new ArrayList<>();
            for (Receiver r : List.of(limited, wrong, down)) {
                String id = create(rule("r", r.url("/hook"))).get("id").asText();
                ids.add(id);
                assertThat(server.http.admin("POST", ALERTS + "/" + id + "/test", null).status()).isEqualTo(202);
            }
            JsonNode first = await().atMost(Duration.ofSeconds(20)).until(() -> server.http.api(ALERTS + "/" + ids.get(0) + "/deliveries").json()
                    .get("results").get(0), d -> d.get("status").asText().equals("delivered"));
            JsonNode log = first.get("log");
            assertThat(Duration.between(Instant.parse(log.get(0).get("at").asText()), Instant.parse(log.get(1).get("at").asText())))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1900));

            JsonNode refused = await().atMost(Duration.ofSeconds(20)).until(() -> server.http.api(ALERTS + "/" + ids.get(1) + "/deliveries").json()
                    .get("results").get(0), d -> d.get("status").asText().equals("dead"));
            assertThat(refused.get("attempts").asInt()).isEqualTo(1);
            assertThat(refused.get("response_code").asInt()).isEqualTo(400);

            JsonNode dead = await().atMost(Duration.ofSeconds(30)).until(() -> server.http.api(ALERTS + "/" + ids.get(2) + "/deliveries").json()
                    .get("results").get(0), d -> d.get("status").asText().equals("dead"));
            assertThat(dead.get("attempts").asInt()).isEqualTo(5);
            assertThat(dead.get("log")).hasSize(5);
            assertThat(down.received()).hasSize(5);
        } finally {
            await(limited.close());
            await(wrong.close());
            await(down.close());
        }
    }

    @Test
    @DisplayName("a read key lists rules but cannot create one (403)")
    void scopes() throws Exception {
        ObjectNode body = HttpApi.JSON.createObjectNode().put("name", "reader");
        body.putArray("scopes").add("read");
        String key = server.http.admin("POST", "/api/projects/default/keys", body.toString()).json().get("key").asText();
        assertThat(server.http.get(ALERTS, key).status()).isEqualTo(200);
        assertThat(server.http.post(ALERTS, rule("x", "http://127.0.0.1:9/h"), "Authorization", "Bearer " + key).status()).isEqualTo(403);
    }
}
