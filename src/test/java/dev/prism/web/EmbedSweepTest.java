package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embed sweep in the running server: relevant summaries stored without a vector (a crash between analysis and
 * embedding, a failed batch) are found through the analysis stage and embedded, irrelevant ones are not.
 */
@DisplayName("The embed sweep in the running server")
class EmbedSweepTest {

    private static Vertx vertx;
    private static ServicePostgres pg;
    private static String jdbc;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
    }

    @AfterAll
    static void stop() throws Exception {
        await(vertx.close());
        pg.close();
    }

    @Test
    @DisplayName("summaries stored without a vector, as a crash leaves them, get one after the next start; irrelevant ones never")
    void embedsWhatACrashLeft(@TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("embed.sweepSeconds", "1");
        settings.put("cluster.refreshAfter", "0");
        settings.put("cluster.refreshMinutes", "0");
        TestServer first = TestServer.start(vertx, settings); // migrates and creates the default project
        first.stop();
        String theme = IssueCorpus.ERRORS;
        Set<String> relevant = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', ?, ?, ?, 'offline', 0, 0, 0, 0, ?)")) {
            Timestamp at = Timestamp.from(Instant.now().minusSeconds(120));
            for (int i = 0; i < 30; i++) {
                boolean isRelevant = i % 3 != 0;
                analysis.setString(1, theme);
                analysis.setString(2, "crash-" + i);
                analysis.setBoolean(3, isRelevant);
                analysis.setString(4, "Payment timeout " + i);
                analysis.setString(5, "The payment provider timed out after " + i + " seconds.");
                analysis.setTimestamp(6, at);
                analysis.addBatch();
                if (isRelevant) {
                    relevant.add("crash-" + i);
                }
            }
            analysis.executeBatch();
        }
        TestServer server = TestServer.start(vertx, settings);
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            Set<String> embedded = new HashSet<>();
            while (!embedded.equals(relevant)) {
                assertThat(System.currentTimeMillis()).as("embedded by the sweep: " + embedded).isLessThan(deadline);
                Thread.sleep(200);
                embedded.clear();
                await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot("default", theme)))
                        .body().items().forEach(item -> embedded.add(item.traceId()));
            }
            assertThat(embedded).hasSize(20);
        } finally {
            server.stop();
        }
    }
}
