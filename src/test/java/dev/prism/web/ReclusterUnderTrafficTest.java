package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.TraceFacts;
import dev.prism.support.HttpApi;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The issue's "steady traffic while a theme re-clusters": summaries keep arriving (and are assigned as they are
 * embedded) while the same theme is re-clustered back to back, by hand and automatically. Before one writer per theme,
 * the run's transaction and the assignments' transactions locked cluster rows and member rows in opposite orders and
 * PostgreSQL aborted one of them ("deadlock detected"): runs failed and assignments were dropped.
 */
@DisplayName("Re-clustering under steady traffic")
class ReclusterUnderTrafficTest {

    private static final String P = "default";
    private static final String THEME = IssueCorpus.ERRORS;
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static String jdbc;
    private static int nextTrace;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        // Automatic runs as often as possible, on top of the manual ones: the most overlap between runs and assignments.
        settings.put("cluster.refreshAfter", "20");
        settings.put("cluster.refreshShare", "0");
        settings.put("cluster.minIntervalSeconds", "0");
        settings.put("cluster.refreshMinutes", "0");
        server = TestServer.start(vertx, settings);
        // A trace feature under load answers slowly: a second, slow responder takes every other trace-figures request,
        // so assignments are still in flight when a run that already holds their vectors stores its result (the
        // interleaving that deadlocked in the full server under traffic).
        vertx.eventBus().<TraceFacts>consumer(Addresses.TRACE_FACTS, msg -> vertx.setTimer(200 + (msg.body().traceIds().size() % 7) * 50L,
                id -> {
                    Map<String, TraceFacts.Fact> facts = new java.util.HashMap<>();
                    msg.body().traceIds().forEach(t -> facts.put(t, new TraceFacts.Fact("user-" + Math.floorMod(t.hashCode(), 7), 1.0, 0, 1)));
                    msg.reply(new TraceFacts.Facts(facts));
                }));
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
    @DisplayName("no deadlock, every run succeeds, and every embedded summary ends in an active cluster or in Other")
    void steadyTrafficWhileReclustering() throws Exception {
        long deadlocksBefore = deadlocks();
        List<IssueCorpus.Text> corpus = IssueCorpus.generate(300, 300, 11).stream().filter(t -> t.themeId().equals(THEME)).toList();
        // A first run so that there are clusters for streaming assignment to join (and for runs to retire).
        publish(corpus.subList(0, 100));
        waitForVectors(100);
        assertThat(refresh().get("clusters").asInt()).isPositive();

        // Traffic: 20 summaries every 100 ms on another thread (about 15 s); manual runs back to back on this one until every
        // one is embedded.
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            try {
                for (int from = 100; from < corpus.size(); from += 20) {
                    publish(corpus.subList(from, Math.min(corpus.size(), from + 20)));
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int runs = 0;
        while (!traffic.isDone() || vectors() < corpus.size()) {
            JsonNode run = refresh();
            assertThat(run.get("items").asInt()).isGreaterThanOrEqualTo(100);
            runs++;
        }
        traffic.get(60, TimeUnit.SECONDS);
        assertThat(runs).isGreaterThanOrEqualTo(5);

        // Every vector of the theme has its member row, in an active cluster of the theme or in Other (null).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> misplaced;
        while (!(misplaced = misplaced()).isEmpty()) {
            assertThat(System.nanoTime()).as("assigned in time; still misplaced: %s", misplaced).isLessThan(deadline);
            Thread.sleep(100);
        }
        JsonNode list = server.http.api("/api/projects/default/themes/" + THEME + "/clusters").json();
        int listed = list.get("unassigned").asInt();
        for (JsonNode c : list.get("results")) {
            listed += c.get("size").asInt();
        }
        assertThat(list.get("theme_summaries").asInt()).isEqualTo(corpus.size());
        System.out.printf("[recluster under traffic] %d summaries, %d manual runs, %d clusters, %d in Other%n", corpus.size(), runs,
                list.get("results").size(), list.get("unassigned").asInt());
        assertThat(deadlocks()).as("deadlocks PostgreSQL detected in this database").isEqualTo(deadlocksBefore);
    }

    private static JsonNode refresh() throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/themes/" + THEME + "/clusters/refresh", null);
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
        return r.json();
    }

    /** Trace ids of the theme's vectors without a member row, or whose cluster is not an active cluster of the theme. */
    private static List<String> misplaced() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement("""
                     SELECT e.trace_id FROM embeddings e
                       LEFT JOIN cluster_members m ON m.project_id = e.project_id AND m.theme_id = e.theme_id AND m.trace_id = e.trace_id
                       LEFT JOIN clusters c ON c.project_id = m.project_id AND c.cluster_id = m.cluster_id
                      WHERE e.project_id = 'default' AND e.theme_id = ?
                        AND (m.trace_id IS NULL OR (m.cluster_id IS NOT NULL AND (c.status IS DISTINCT FROM 'active' OR c.theme_id <> e.theme_id)))
                      ORDER BY 1 LIMIT 20""")) {
            s.setString(1, THEME);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static long deadlocks() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void waitForVectors(int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (vectors() < expected) {
            assertThat(System.nanoTime()).as("embedded in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static int vectors() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM embeddings WHERE project_id = 'default' AND theme_id = ?")) {
            s.setString(1, THEME);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Stores each text as a completed trace with a user and a done analysis, then publishes its summary. */
    private static synchronized void publish(List<IssueCorpus.Text> texts) throws Exception {
        List<SummaryCreated> summaries = new ArrayList<>();
        Timestamp at = Timestamp.from(Instant.now());
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at, latency_seconds, cost_usd, error_count) VALUES ('default', ?, 1, 'completed', ?, ?, ?, 1, 0, 1)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", properties) "
                     + "VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (IssueCorpus.Text t : texts) {
                String id = "rt" + (nextTrace++);
                trace.setString(1, id);
                trace.setTimestamp(2, at);
                trace.setTimestamp(3, at);
                trace.setTimestamp(4, at);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + (nextTrace % 7));
                event.setString(3, id);
                event.setTimestamp(4, at);
                event.addBatch();
                analysis.setString(1, t.themeId());
                analysis.setString(2, id);
                analysis.setString(3, t.title());
                analysis.setString(4, t.summary());
                analysis.setTimestamp(5, at);
                analysis.setTimestamp(6, at);
                analysis.addBatch();
                summaries.add(new SummaryCreated(P, t.themeId(), id, 1, 1, true, t.title(), t.summary(), null, "offline", 0, 0, 0, 0,
                        at.toInstant()));
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
    }
}
