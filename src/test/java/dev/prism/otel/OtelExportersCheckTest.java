package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.NodeCheck;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real-exporter check ({@code clients/otel-check}) under {@code mvn test}: installs the pinned OpenTelemetry JS SDK,
 * {@code @opentelemetry/exporter-trace-otlp-http}, {@code -proto}, the logs exporter and the Vercel AI SDK from npm into
 * a temporary folder and runs the script against this in-process server. The script sends GenAI traces over
 * http/json and gzipped http/protobuf, a failed call, message log records joined to a content-less span, and a Vercel
 * AI SDK {@code generateText} with a tool round trip, once through the OTLP exporter and once through
 * {@code @posthog/ai/otel}'s {@code PostHogSpanProcessor} (which posts to {@code /i/v0/ai/otel}), then checks through the REST API that each trace completed and its
 * text renders, that every export succeeded and that Prism refused nothing.
 *
 * <p>Needs Node.js 20 and npm and the npm registry; without Node.js it installs Debian's {@code nodejs} and {@code npm}
 * when it may, and fails when it still cannot run the check.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Real OpenTelemetry exporters (http/json, http/protobuf, logs) and the Vercel AI SDK against Prism: every trace arrives and renders")
class OtelExportersCheckTest {

    private static final List<String> FILES = List.of("package.json", "package-lock.json", "check.mjs");
    private static final long INSTALL_SECONDS = 240;
    private static final long CHECK_SECONDS = 180;

    private TestServer server;
    private ServicePostgres database;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    @DisplayName("GenAI spans over http/json and gzipped http/protobuf, an error, log records joined to their span, Vercel AI SDK telemetry, @posthog/ai/otel")
    void realExporters(Vertx vertx, @TempDir Path dataDir, @TempDir Path work) throws Exception {
        NodeCheck.Installed check = NodeCheck.install("otel-check", FILES, work, INSTALL_SECONDS);

        database = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", database.url());
        // The check's three log records are separate concurrent exports (a simple processor); on a loaded machine one
        // has been seen to land after the span it belongs to, later than the default 3 s hold of a content-less span.
        // Records waiting for a late span are covered by the default 10 s record wait.
        settings.put("http.otlpLogJoinMillis", "8000");
        server = TestServer.start(vertx, settings);

        NodeCheck.Result reported = check.check("otel-check", server.server.httpPort(), TestServer.PROJECT_TOKEN, TestServer.ADMIN_KEY, CHECK_SECONDS);
        JsonNode result = reported.json();
        String output = reported.output();
        assertThat(result.get("failures")).as(output).isEmpty();
        assertThat(result.get("ok").asBoolean()).as(output).isTrue();
        for (String trace : List.of("json", "protobuf", "error", "logs", "vercel", "posthog")) {
            JsonNode t = result.path("traces").path(trace);
            assertThat(t.path("completed").asBoolean()).as(trace + "\n" + output).isTrue();
            assertThat(t.path("text_ok").asBoolean()).as(trace + "\n" + output).isTrue();
        }
        assertThat(result.path("traces").path("json").path("events").asInt()).isEqualTo(3);
        assertThat(result.path("traces").path("vercel").path("input_tokens").asInt()).isEqualTo(75); // 30 + 45: the provider calls only
        assertThat(result.path("traces").path("posthog").path("input_tokens").asInt()).isEqualTo(75);
    }
}
