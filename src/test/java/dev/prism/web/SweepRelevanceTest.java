package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces that reach analysis through the dispatch sweep instead of the streaming path (the format stage leaves a burst
 * beyond {@code format.maxQueuedBytes} to it; a stop between rendering and scoring does the same) are scored by the
 * relevance model before the filters run. Unscored, they would pass every built-in pre-filter: with a paid provider, a
 * call per built-in theme for every such trace.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Relevance scores for swept traces")
class SweepRelevanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRACES = 24;

    @Test
    @DisplayName("a burst left to the dispatch sweep is scored first: plain answers are not sent to the feature-request theme")
    void sweptTracesAreScored(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("format.maxQueuedBytes", "1"); // nothing waits to be rendered: every completion beyond the renders in flight is deferred
        settings.put("cluster.refreshAfter", "0");
        settings.put("cluster.refreshMinutes", "0");
        TestServer server = TestServer.start(vertx, settings);
        try {
            List<JsonNode> events = new ArrayList<>();
            for (int i = 0; i < TRACES; i++) {
                events.add(plainAnswer("swept-" + i, i));
            }
            assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events)).status()).isEqualTo(200);
            try (Connection db = connectEmbedded(dataDir)) {
                await("every trace completed").atMost(Duration.ofSeconds(60))
                        .until(() -> count(db, "SELECT count(*) FROM traces WHERE trace_id LIKE 'swept-%' AND status = 'completed'") == TRACES);
                await("the format stage deferred part of the burst").atMost(Duration.ofSeconds(30))
                        .until(() -> metric(server, "prism_format_deferred_total") > 0);
                // The sweep takes versions that have settled for half a minute: age the waiting ones instead of waiting.
                int waiting = update(db, "UPDATE traces SET completed_at = completed_at - interval '1 minute'"
                        + " WHERE trace_id LIKE 'swept-%' AND dispatched_version IS NULL");
                assertThat(waiting).as("traces left to the sweep").isPositive();
                await("every trace dispatched").atMost(Duration.ofSeconds(90))
                        .until(() -> count(db, "SELECT count(*) FROM traces WHERE trace_id LIKE 'swept-%' AND dispatched_version = version") == TRACES);
                assertThat(count(db, "SELECT count(DISTINCT trace_id) FROM trace_relevance WHERE trace_id LIKE 'swept-%'"))
                        .as("traces with relevance scores").isEqualTo(TRACES);
                assertThat(count(db, "SELECT count(*) FROM analyses WHERE trace_id LIKE 'swept-%' AND theme_id = 'feature_requests'"))
                        .as("plain answers queued for the feature-request theme").isZero();
                assertThat(count(db, "SELECT count(*) FROM analyses WHERE trace_id LIKE 'swept-%' AND theme_id = 'ux_issues'"))
                        .as("plain answers queued for the UX theme; scores " + scores(db)).isZero();
            }
        } finally {
            server.stop();
        }
    }

    /** A question answered at once: no feature request, no friction. */
    private static JsonNode plainAnswer(String traceId, int i) {
        ObjectNode e = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-" + i)
                .put("timestamp", Instant.now().minusSeconds(5).toString());
        ObjectNode p = e.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini")
                .put("$ai_latency", 1.2).put("$ai_input_tokens", 20).put("$ai_output_tokens", 30);
        String[][] qa = {
                {"How many days are there in a leap year?", "A leap year has 366 days: February gets a 29th day."},
                {"What's the capital of Australia?", "The capital of Australia is Canberra, not Sydney as many people assume."},
                {"Convert 5 miles to kilometres please", "5 miles is about 8.05 kilometres."},
                {"Give me a synonym for 'happy'.", "Some synonyms for happy: cheerful, content, joyful."}};
        p.putArray("$ai_input").addObject().put("role", "user").put("content", qa[i % qa.length][0]);
        p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", qa[i % qa.length][1]);
        return e;
    }

    private static double metric(TestServer server, String name) throws Exception {
        String body = server.http.get("/metrics", null).json().asText();
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String scores(Connection db) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT theme_id, min(score), max(score) FROM trace_relevance WHERE trace_id LIKE 'swept-%' GROUP BY theme_id")) {
            while (rs.next()) {
                out.append(rs.getString(1)).append(' ').append(rs.getDouble(2)).append('-').append(rs.getDouble(3)).append("; ");
            }
        }
        return out.toString();
    }

    private static long count(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    /** The server's embedded PostgreSQL, found by its postmaster.pid like an operator would. */
    private static Connection connectEmbedded(Path dataDir) throws Exception {
        List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pid.get(3).trim() + "/postgres", "postgres", "");
    }
}
