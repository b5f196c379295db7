package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "re-cluster needed" counters survive a restart: summaries assigned before a stop (or a crash) still count toward
 * {@code cluster.refreshAfter} after it.
 */
@DisplayName("Re-clustering counters across a restart")
class ReclusterCountersRestartTest {

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

    private static Map<String, String> settings(Path dataDir) {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("cluster.refreshAfter", "5");
        settings.put("cluster.refreshMinutes", "0"); // only the count can start a run
        return settings;
    }

    private static int runs(Connection c, String theme) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM cluster_runs WHERE project_id = 'default' AND theme_id = ?")) {
            s.setString(1, theme);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    @DisplayName("four summaries assigned before a restart and one after reach a threshold of five and start a run")
    void countersSurvive(@TempDir Path dataDir) throws Exception {
        String theme = IssueCorpus.ERRORS;
        TestServer first = TestServer.start(vertx, settings(dataDir)); // migrates and creates the default project
        first.stop();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement member = c.prepareStatement("INSERT INTO cluster_members (project_id, theme_id, trace_id, trace_version, member_at) "
                     + "VALUES ('default', ?, ?, 1, now())")) {
            // As streaming assignment left them when the server stopped: stored, never re-clustered.
            for (int i = 0; i < 4; i++) {
                member.setString(1, theme);
                member.setString(2, "before-" + i);
                member.addBatch();
            }
            member.executeBatch();
            TestServer second = TestServer.start(vertx, settings(dataDir));
            try {
                assertThat(runs(c, theme)).isZero();
                float[] v = new float[384];
                v[0] = 1;
                vertx.eventBus().publish(Addresses.EMBEDDING_CREATED, new EmbeddingCreated("default", theme, "after-0", 1, 1, v,
                        "all-minilm-l6-v2-q", Instant.now()));
                long deadline = System.currentTimeMillis() + 30_000;
                while (runs(c, theme) == 0) {
                    assertThat(System.currentTimeMillis()).as("a re-cluster run within 30 s").isLessThan(deadline);
                    Thread.sleep(100);
                }
            } finally {
                second.stop();
            }
        }
    }
}
