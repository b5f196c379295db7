package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.AlertCorpus;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code share_changed} end to end: the theme's share of relevant traces (relevant ÷ analysed, each trace once, on the
 * day it completed) moves from 25 % yesterday to 60 % today; a day rule of 30 points sends one theme-level notice to a
 * signed webhook, a week rule stays quiet (no analysed traces the week before).
 */
@DisplayName("A theme's share of relevant traces changing")
class ThemeShareAlertTest {

    private static final String THEME = AlertCorpus.THEME;
    private static final String PUBLIC_URL = "https://prism.example.com";
    private static final String SECRET = "whsec-share-0123456789";
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static AlertCorpus corpus;
    private static Receiver receiver;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        corpus = new AlertCorpus(vertx, pg, 2718);
        receiver = await(new Receiver(vertx).listen(0));
        Map<String, String> settings = AlertCorpus.settings(dataDir, pg, PUBLIC_URL);
        settings.put("alerts.allowPrivateDestinations", "true");
        server = TestServer.start(vertx, settings);
        corpus.use(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(receiver.close());
        await(vertx.close());
        pg.close();
    }

    private static String rule(String name, String window) throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/alerts", """
                {"name": "%s", "theme_id": "%s", "trigger": {"type": "share_changed", "points": 30, "window": "%s"},
                 "destinations": [{"type": "webhook", "url": "%s", "secret": "%s"}]}"""
                .formatted(name, THEME, window, receiver.url("/" + window), SECRET));
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    @DisplayName("25 % → 60 % of analysed traces relevant: one theme-level notice from the day rule, none from the week rule")
    void shareMoves() throws Exception {
        // Yesterday: 20 relevant of 80 analysed (four of each of five error causes). Today: 30 relevant of 50.
        assertThat(AlertCorpus.errors(4, 1, null)).hasSize(20);
        corpus.add(AlertCorpus.errors(4, 1, null), Duration.ofHours(28), Duration.ofHours(40));
        corpus.addIrrelevant(60, Duration.ofHours(28), Duration.ofHours(40));
        corpus.add(AlertCorpus.errors(6, 2, null), Duration.ofMinutes(30), Duration.ofHours(10));
        corpus.addIrrelevant(20, Duration.ofMinutes(30), Duration.ofHours(10));
        corpus.awaitQuiet();
        String day = rule("Errors share (day)", "day");
        String week = rule("Errors share (week)", "week");

        corpus.refresh(); // a cluster update: the theme's rules are evaluated
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received("/day").size() == 1);
        Receiver.Received got = receiver.received("/day").get(0);
        assertThat(got.header("X-Prism-Signature"))
                .isEqualTo(WebhookSignature.sign(SECRET, Long.parseLong(got.header("X-Prism-Timestamp")), got.raw()));
        ObjectNode notice = got.body().deepCopy();
        assertThat(Instant.parse(notice.remove("fired_at").asText())).isBetween(Instant.now().minusSeconds(60), Instant.now());
        ObjectNode expected = HttpApi.JSON.createObjectNode().put("project_id", "default").put("rule_id", day)
                .put("rule_name", "Errors share (day)").put("theme_id", THEME)
                .put("theme_name", server.http.api("/api/projects/default/themes/" + THEME).json().get("name").asText())
                .putNull("cluster_id").putNull("cluster_name").put("kind", "share_changed").putNull("lifecycle").put("size", 30)
                .put("previous_size", 20).putNull("growth_percent").putNull("severity");
        expected.putArray("summaries");
        expected.put("cluster_url", PUBLIC_URL + "/#/themes/" + THEME + "/clusters").putNull("trace_url")
                .put("dedupe_key", day + "/theme:" + THEME + "/share:day:" + Instant.now().atOffset(ZoneOffset.UTC).toLocalDate())
                .put("share_percent", 60.0).put("previous_share_percent", 25.0);
        assertThat((JsonNode) notice).isEqualTo(HttpApi.JSON.readTree(expected.toString()));

        // Another cycle: the same news is not sent again; the week rule saw no week before to compare with.
        corpus.refresh();
        corpus.awaitQuiet();
        assertThat(receiver.received("/day")).hasSize(1);
        assertThat(receiver.received("/week")).isEmpty();
        JsonNode deliveries = server.http.api("/api/projects/default/alerts/" + day + "/deliveries").json().get("results");
        assertThat(deliveries).singleElement().satisfies(d -> {
            assertThat(d.get("status").asText()).isEqualTo("delivered");
            assertThat(d.get("kind").asText()).isEqualTo("share_changed");
            assertThat(d.get("cluster_id").isNull()).isTrue();
        });
        assertThat(server.http.api("/api/projects/default/alerts/" + week + "/deliveries").json().get("results")).isEmpty();
    }
}
