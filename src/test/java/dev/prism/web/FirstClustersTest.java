package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A theme's first clusters come as soon as it has twice its {@code min_cluster_size} summaries (10 for the built-in
 * themes), with the default cadence settings ({@code cluster.refreshAfter} 50, {@code cluster.refreshMinutes} 30),
 * not after 50 summaries or half an hour.
 */
@DisplayName("First clusters of a theme")
class FirstClustersTest {

    private static final String P = "default";
    private Vertx vertx;
    private ServicePostgres pg;
    private TestServer server;
    private String jdbc;
    private int nextTrace;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (vertx != null) {
            await(vertx.close());
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @DisplayName("nine summaries make no run; the tenth (2 × min_cluster_size) makes the theme's first clusters at once")
    void firstClustersAtTwiceTheMinimumSize(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        server = TestServer.start(vertx, settings);

        // Two error categories, five summaries each, from several users: the least that can make two clusters.
        List<IssueCorpus.Text> texts = IssueCorpus.generate(5, 0, 11).stream()
                .filter(t -> t.themeId().equals(IssueCorpus.ERRORS) && t.label() <= 1).toList();
        assertThat(texts).hasSize(10);

        add(texts.subList(0, 9));
        waitFor("nine summaries placed", () -> members() == 9);
        // Placing a summary and deciding whether the theme is due happen together: nine placed, nine counted.
        assertThat(runs()).as("no run below twice the minimum cluster size").isZero();

        long t0 = System.nanoTime();
        add(texts.subList(9, 10));
        waitFor("the first clusters", () -> server.http.api("/api/projects/default/themes/error_analysis/clusters").json()
                .get("results").size() > 0);
        System.out.printf("[first clusters] listed %.1f s after the tenth summary was announced%n", (System.nanoTime() - t0) / 1e9);

        JsonNode list = server.http.api("/api/projects/default/themes/error_analysis/clusters").json();
        assertThat(list.get("last_run").get("items").asInt()).isEqualTo(10);
        assertThat(runs()).isEqualTo(1);
        for (JsonNode c : list.get("results")) {
            assertThat(c.get("size").asInt()).isGreaterThanOrEqualTo(5);
            assertThat(c.get("title").asText()).as("named after its members' own titles")
                    .isIn(texts.stream().map(IssueCorpus.Text::title).toList());
        }
    }

    @Test
    @DisplayName("after the upgrade (V18) term-list names from the old offline namer are made again by the next run, ids and LLM names kept")
    void termListNamesAreMadeAgain(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        server = TestServer.start(vertx, settings);
        List<IssueCorpus.Text> texts = IssueCorpus.generate(5, 0, 11).stream()
                .filter(t -> t.themeId().equals(IssueCorpus.ERRORS) && t.label() <= 1).toList();
        add(texts);
        waitFor("the first clusters", () -> server.http.api("/api/projects/default/themes/error_analysis/clusters").json()
                .get("results").size() == 2);
        JsonNode before = server.http.api("/api/projects/default/themes/error_analysis/clusters").json().get("results");
        String legacy = before.get(0).get("id").asText();
        String byModel = before.get(1).get("id").asText();

        // As the old offline namer and an LLM left them before the upgrade, then the upgrade's migration.
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement name = c.prepareStatement("UPDATE clusters SET title = ?, description = ? WHERE cluster_id = ?")) {
            name.setString(1, "Payment, gateway timed, Stripe charge, checkout");
            name.setString(2, "5 summaries. Distinctive terms: payment, gateway timed, Stripe charge, checkout. Typical: \"…\"");
            name.setString(3, legacy);
            name.addBatch();
            name.setString(1, "Checkout payments time out");
            name.setString(2, "The payment provider does not answer in time. Orders are lost.");
            name.setString(3, byModel);
            name.addBatch();
            name.executeBatch();
            String migration;
            try (var in = getClass().getResourceAsStream("/db/migration/V18__rename_term_list_names.sql")) {
                migration = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            c.createStatement().execute(migration);
        }

        JsonNode run = server.http.admin("POST", "/api/projects/default/themes/error_analysis/clusters/refresh", null).json();
        assertThat(run.get("renamed").asInt()).isEqualTo(1);
        JsonNode after = server.http.api("/api/projects/default/themes/error_analysis/clusters").json().get("results");
        Map<String, String> titles = new java.util.HashMap<>();
        after.forEach(c -> titles.put(c.get("id").asText(), c.get("title").asText()));
        assertThat(titles).containsOnlyKeys(legacy, byModel);
        assertThat(titles.get(legacy)).isIn(texts.stream().map(IssueCorpus.Text::title).toList());
        assertThat(titles.get(byModel)).isEqualTo("Checkout payments time out");
    }

    private static void waitFor(String what, java.util.concurrent.Callable<Boolean> check) {
        await(what).atMost(Duration.ofSeconds(90)).until(check);
    }

    private int members() throws Exception {
        return count("SELECT count(*) FROM cluster_members WHERE project_id = 'default' AND theme_id = 'error_analysis'");
    }

    private int runs() throws Exception {
        return count("SELECT count(*) FROM cluster_runs WHERE project_id = 'default' AND theme_id = 'error_analysis'");
    }

    private int count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Stores each text as a completed trace with a user and a done analysis, then announces its summary. */
    private void add(List<IssueCorpus.Text> texts) throws Exception {
        List<SummaryCreated> summaries = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at) VALUES ('default', ?, 1, 'completed', ?, ?, ?)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", "
                     + "properties) VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, "
                     + "prompt_version, status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, "
                     + "created_at, completed_at) VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (IssueCorpus.Text t : texts) {
                String id = "f" + nextTrace++;
                Timestamp ts = Timestamp.from(now);
                trace.setString(1, id);
                trace.setTimestamp(2, ts);
                trace.setTimestamp(3, ts);
                trace.setTimestamp(4, ts);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + (nextTrace % 4));
                event.setString(3, id);
                event.setTimestamp(4, ts);
                event.addBatch();
                analysis.setString(1, t.themeId());
                analysis.setString(2, id);
                analysis.setString(3, t.title());
                analysis.setString(4, t.summary());
                analysis.setTimestamp(5, ts);
                analysis.setTimestamp(6, ts);
                analysis.addBatch();
                summaries.add(new SummaryCreated(P, t.themeId(), id, 1, 1, true, t.title(), t.summary(), null, "offline", 0, 0, 0, 0, now));
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
    }
}
