package dev.prism.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg.apiStatementTimeoutMillis}: a theme preview whose regular expression must scan a week of large traces is
 * cancelled by PostgreSQL and answered 504 {@code query_timeout}, promptly, instead of holding a connection for as long
 * as it takes; a cheap preview on the same server still answers.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The REST API's statement timeout")
class ApiStatementTimeoutTest {

    private static final int TRACES = 20_000;
    private static final int EVENTS_PER_TRACE = 5;
    private static final long TIMEOUT_MILLIS = 200;

    private ServicePostgres postgres;
    private TestServer server;

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dir) throws Exception {
        postgres = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dir);
        settings.put("pg.url", postgres.url());
        settings.put("pg.apiStatementTimeoutMillis", String.valueOf(TIMEOUT_MILLIS));
        server = TestServer.start(vertx, settings);
        // A week of completed traces with about 1 KB of output per event, written directly: the HTTP path is not
        // under test, and 100,000 events through it would cost the shared machine far more.
        try (Connection db = DriverManager.getConnection(postgres.url().replace("postgresql://postgres@", "jdbc:postgresql://"), "postgres", "");
             Statement s = db.createStatement()) {
            s.execute("""
                    INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, completed_at, event_count,
                                        content_chars, dispatched_version)
                    SELECT 'default', 'bulk-' || i, 1, 'completed', now() - (i %% 604800) * interval '1 second',
                           now() - (i %% 604800) * interval '1 second', now() - interval '1 hour', %d, 5000, 1
                    FROM generate_series(1, %d) i""".formatted(EVENTS_PER_TRACE, TRACES));
            s.execute("""
                    INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, "timestamp", properties)
                    SELECT 'default', 'bulk-' || i || '-' || j, '$ai_generation', 'user', 'bulk-' || i, now(),
                           jsonb_build_object('$ai_trace_id', 'bulk-' || i, '$ai_model', 'gpt-4o-mini',
                                              '$ai_output', repeat(md5(i::text || j::text), 32))
                    FROM generate_series(1, %d) i, generate_series(1, %d) j""".formatted(TRACES, EVENTS_PER_TRACE));
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @DisplayName("a preview with a regular expression over a week of large traces answers 504 query_timeout within seconds")
    void expensivePreviewTimesOut() throws Exception {
        ObjectNode draft = HttpApi.JSON.createObjectNode().put("sample_rate", 1.0);
        // The last class is too wide for the literal pre-filter (RegexLiterals), so every value goes through the regex:
        // with a literal the hex outputs lack, LIKE rejected them all in about the timeout and the test was flaky.
        draft.putArray("theme_filters").addObject().put("key", "$ai_output").put("operator", "regex")
                .put("value", "[0-9]{4}[a-f]{4}[0-9]{4}[a-f]{4}[g-zA-Z]$").put("type", "event");
        draft.putObject("date_range").put("date_from", "-7d");
        long started = System.nanoTime();
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/themes/preview", draft.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(r.status()).as("answer %s", r.json()).isEqualTo(504);
        assertThat(r.json().get("error").asText()).isEqualTo("query_timeout");
        assertThat(r.json().get("detail").asText()).contains("pg.apiStatementTimeoutMillis");
        assertThat(took).as("cancelled near the timeout, not run to the end").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("a cheap preview and other API reads still answer on the same server")
    void cheapQueriesAnswer() throws Exception {
        ObjectNode draft = HttpApi.JSON.createObjectNode().put("sample_rate", 1.0);
        draft.putObject("date_range").put("date_from", "2020-01-01T00:00:00Z").put("date_to", "2020-01-02T00:00:00Z");
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/themes/preview", draft.toString());
        assertThat(r.status()).as("answer %s", r.json()).isEqualTo(200);
        assertThat(r.json().get("matching_theme_filters").asLong()).isZero();
        assertThat(server.http.api("/api/projects/default/traces?limit=5").status()).isEqualTo(200);
    }
}
