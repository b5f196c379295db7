package dev.prism.web;

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
 * The real-client check ({@code clients/posthog-check}) under {@code mvn test}: installs the pinned posthog-node,
 * {@code @posthog/ai}, openai, {@code @anthropic-ai/sdk}, {@code ai} and {@code @ai-sdk/openai} from npm into a
 * temporary folder, and runs the script against this in-process server. The script drives the wrappers (plain,
 * streamed, tools, errors) through a fake provider in three SDK modes (default, {@code enableFullAiCapture}, v1
 * capture) and checks through the REST API that every {@code $ai_*} event the SDK sent is stored and every trace
 * renders.
 *
 * <p>Needs Node.js 20.20+ and npm (the packages' engines) and the npm registry. Without Node.js it installs Debian's
 * {@code nodejs} and {@code npm} when it may (root or sudo), and fails when it still cannot run the check: a check
 * that silently skips on CI proves nothing.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Real PostHog clients (posthog-node, @posthog/ai wrappers) against Prism: events sent = events stored")
class PostHogClientsCheckTest {

    private static final List<String> FILES = List.of("package.json", "package-lock.json", "check.mjs", "fake-provider.mjs");
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
    @DisplayName("OpenAI, Anthropic and Vercel wrappers, plain, streamed, tools and errors, with and without enableFullAiCapture and in v1 mode")
    void realClients(Vertx vertx, @TempDir Path dataDir, @TempDir Path work) throws Exception {
        // posthog-node 5 needs Node.js 20.20 or later (the packages' engines).
        NodeCheck.Installed check = NodeCheck.install("posthog-check", FILES, work, INSTALL_SECONDS);

        database = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", database.url());
        server = TestServer.start(vertx, settings);

        NodeCheck.Result reported = check.check("posthog-check", server.server.httpPort(), TestServer.PROJECT_TOKEN, TestServer.ADMIN_KEY,
                CHECK_SECONDS);
        JsonNode result = reported.json();
        String output = reported.output();
        assertThat(result.get("failures")).as(output).isEmpty();
        assertThat(result.get("ok").asBoolean()).as(output).isTrue();
        for (String mode : List.of("default", "full", "v1")) {
            JsonNode m = result.get("modes").get(mode);
            assertThat(m).as(mode + "\n" + output).isNotNull();
            assertThat(m.get("events_sent").asInt()).as(mode + " events sent").isGreaterThanOrEqualTo(13);
            assertThat(m.get("events_stored").asInt()).as(mode + " events stored").isEqualTo(m.get("events_sent").asInt());
        }
        assertThat(result.get("modes").get("full").get("routes").has("/i/v0/ai/batch/")).isTrue();
        assertThat(result.get("modes").get("default").get("routes").has("/i/v0/ai/batch/")).isFalse();
        assertThat(result.get("modes").get("v1").get("routes").has("/i/v1/analytics/events")).isTrue();
    }
}
