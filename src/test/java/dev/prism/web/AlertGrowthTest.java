package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.alert.Receiver;
import dev.prism.alert.ReceiverDestination;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.HttpApi;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

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

    private static final String P = "default";
    private static final String THEME = IssueCorpus.ERRORS;
    private static final String TOKEN = "receiver-bearer-secret";
    private static final String PUBLIC_URL = "https://prism.example.com";
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static String jdbc;
    private static final Random RANDOM = new Random(14);
    private static int nextTrace;
    private static int stored;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("cluster.refreshAfter", "0"); // runs only when the test asks: one run is one clustering cycle
        settings.put("cluster.refreshMinutes", "0");
        settings.put("alerts.evaluateSeconds", "0"); // only cluster updates evaluate
        settings.put("dashboard.publicUrl", PUBLIC_URL + "/");
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

    /** Stores texts as completed traces with done analyses of the given age, publishes them, waits until all are cluster members. */
    private static List<String> add(List<IssueCorpus.Text> texts, Duration minAge, Duration maxAge) throws Exception {
        List<String> ids = new ArrayList<>();
        List<SummaryCreated> summaries = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at, error_count) VALUES ('default', ?, 1, 'completed', ?, ?, ?, 1)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", properties) "
                     + "VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, severity, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (IssueCorpus.Text t : texts) {
                String id = "t" + (nextTrace++);
                long spread = maxAge.toMinutes() - minAge.toMinutes();
                Timestamp at = Timestamp.from(now.minus(minAge).minus(RANDOM.nextInt((int) spread), ChronoUnit.MINUTES));
                String severity = t.category().equals("payment-timeout") ? "high" : "low";
                trace.setString(1, id);
                trace.setTimestamp(2, at);
                trace.setTimestamp(3, at);
                trace.setTimestamp(4, at);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + RANDOM.nextInt(12));
                event.setString(3, id);
                event.setTimestamp(4, at);
                event.addBatch();
                analysis.setString(1, t.themeId());
                analysis.setString(2, id);
                analysis.setString(3, t.title());
                analysis.setString(4, t.summary());
                analysis.setString(5, severity);
                analysis.setTimestamp(6, at);
                analysis.setTimestamp(7, at);
                analysis.addBatch();
                ids.add(id);
                summaries.add(new SummaryCreated(P, t.themeId(), id, 1, 1, true, t.title(), t.summary(), severity, "offline", 0, 0, 0, 0,
                        at.toInstant()));
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
        stored += texts.size();
        await().atMost(Duration.ofSeconds(120)).until(() -> await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT,
                new EmbedSnapshot(P, THEME))).body().items().size() >= stored);
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM cluster_members WHERE theme_id = '" + THEME + "'") >= stored);
        // Trends count members by when they reached the clustering; these "arrived" when their traces completed.
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement("UPDATE cluster_members m SET member_at = t.completed_at FROM traces t"
                     + " WHERE t.project_id = m.project_id AND t.trace_id = m.trace_id AND m.trace_id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            assertThat(s.executeUpdate()).isEqualTo(ids.size());
        }
        return ids;
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The cluster most of these traces are members of. */
    private static String clusterOf(List<String> traces) throws Exception {
        Map<String, Integer> votes = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement("SELECT cluster_id FROM cluster_members WHERE theme_id = ? AND trace_id = ANY(?)")) {
            s.setString(1, THEME);
            s.setArray(2, c.createArrayOf("text", traces.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null) {
                        votes.merge(rs.getString(1), 1, Integer::sum);
                    }
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static List<IssueCorpus.Text> errors(int perCategory, long seed, String onlyCategory) {
        return IssueCorpus.generate(perCategory, perCategory, seed).stream().filter(t -> t.themeId().equals(THEME))
                .filter(t -> onlyCategory == null || onlyCategory.equals(t.category())).toList();
    }

    private static void refresh() throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/themes/" + THEME + "/clusters/refresh", null);
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
    }

    @Test
    @DisplayName("a cluster growing threefold fires exactly one growth alert per destination within one clustering cycle, with the exact notice")
    void growthAlert() throws Exception {
        Receiver receiver = await(new Receiver(vertx).listen(0));
        java.util.concurrent.atomic.AtomicLong lastUpdate = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        vertx.eventBus().consumer(Addresses.CLUSTER_UPDATED, m -> lastUpdate.set(System.nanoTime()));
        try (WsTestClient ws = WsTestClient.admin(vertx, server.server.httpPort())) {
            ws.request("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"" + THEME + "\"]}");

            // Yesterday: 12 summaries of each of four error causes, and unrelated chat.
            List<String> before = add(errors(12, 1, null), Duration.ofHours(28), Duration.ofHours(40));
            refresh();
            // Today: the payment timeouts come back four times as often.
            List<String> today = add(errors(48, 2, "payment-timeout"), Duration.ofMinutes(30), Duration.ofHours(10));
            // The streaming assignments' evaluations (no rule yet) are over once updates have stopped for twice the debounce.
            await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - lastUpdate.get() > 2_000_000_000L);
            String rule = server.http.admin("POST", "/api/projects/default/alerts", """
                    {"name": "Errors tripling", "theme_id": "%s",
                     "trigger": {"type": "growth", "percent": 200, "window": "day", "min_count": 20},
                     "conditions": {"min_severity": "medium", "min_distinct_users": 2},
                     "destinations": [{"type": "receiver", "url": "%s", "token": "%s"}, {"type": "receiver", "url": "%s", "token": "%s"}]}"""
                    .formatted(THEME, receiver.url("/slack"), TOKEN, receiver.url("/linear"), TOKEN)).json().get("id").asText();
            assertThat(receiver.received()).isEmpty();

            long cycle = System.nanoTime();
            refresh(); // one clustering cycle
            long refreshed = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 2);
            System.out.printf("growth alert: re-clustering %d ms, both receivers served %d ms after it was stored%n",
                    (refreshed - cycle) / 1_000_000, (System.nanoTime() - refreshed) / 1_000_000);
            String clusterId = clusterOf(today);
            assertThat(clusterOf(before.subList(0, 12))).as("yesterday's payment timeouts are in the same cluster").isEqualTo(clusterId);

            JsonNode cluster = server.http.api("/api/projects/default/clusters/" + clusterId).json();
            long last = cluster.get("trend").get("last_day").asLong();
            long previous = cluster.get("trend").get("previous_day").asLong();
            assertThat(last).isGreaterThanOrEqualTo(3 * previous);
            ObjectNode expected = HttpApi.JSON.createObjectNode().put("project_id", "default").put("rule_id", rule)
                    .put("rule_name", "Errors tripling").put("theme_id", THEME)
                    .put("theme_name", server.http.api("/api/projects/default/themes/" + THEME).json().get("name").asText())
                    .put("cluster_id", clusterId).put("cluster_name", cluster.get("title").asText()).put("kind", "growth")
                    .put("lifecycle", "growing").put("size", cluster.get("size").asInt()).put("previous_size", previous)
                    .put("growth_percent", (last - previous) * 100.0 / previous).put("severity", "high");
            var summaries = expected.putArray("summaries");
            List<JsonNode> reps = new ArrayList<>();
            cluster.get("representatives").forEach(reps::add);
            reps.stream().limit(3).forEach(m -> summaries.add(m.get("summary").asText()));
            expected.put("cluster_url", PUBLIC_URL + "/#/themes/" + THEME + "/clusters")
                    .put("trace_url", PUBLIC_URL + "/#/traces/" + reps.get(0).get("trace_id").asText())
                    .put("dedupe_key", rule + "/" + clusterId + "/growth:day:" + Instant.now().atOffset(ZoneOffset.UTC).toLocalDate());

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
            add(errors(8, 3, "payment-timeout"), Duration.ofMinutes(5), Duration.ofMinutes(20));
            refresh();
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
