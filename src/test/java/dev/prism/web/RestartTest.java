package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Restarting on the same data directory")
class RestartTest {

    @TempDir
    Path dataDir;

    @Test
    @DisplayName("keeps everything ingested, completes traces left pending, and keeps the keys printed once at first start")
    void restart(Vertx vertx) throws Exception {
        Map<String, String> first = TestServer.defaults(dataDir);
        first.remove("auth.projectToken");
        first.remove("auth.adminToken");
        first.put("trace.idleSeconds", "3600"); // nothing completes before the restart
        TestServer a = TestServer.start(vertx, first);
        String console = a.console();
        String token = find(console, "ingestion token \\(PostHog api_key\\): (\\S+)");
        String adminKey = find(console, "Admin API key \\(Authorization: Bearer \\.\\.\\.\\):\\s+(\\S+)");

        Fixture s02 = Fixtures.named("s02");
        Fixture s03 = Fixtures.named("s03");
        for (Fixture f : new Fixture[]{s02, s03}) {
            assertThat(a.http.post("/batch/", HttpApi.batch(token, f.events())).json().get("accepted").asInt()).isEqualTo(f.events().size());
        }
        JsonNode pending = a.http.get("/api/projects/default/traces/" + s03.traceId(), adminKey).json();
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        a.stop();

        Map<String, String> second = TestServer.defaults(dataDir);
        second.remove("auth.projectToken");
        second.remove("auth.adminToken");
        second.put("trace.idleSeconds", "1");
        TestServer b = TestServer.start(vertx, second);
        try {
            assertThat(b.console()).as("keys are printed only at first start").doesNotContain(token).doesNotContain(adminKey);
            for (Fixture f : new Fixture[]{s02, s03}) {
                String path = "/api/projects/default/traces/" + f.traceId();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                JsonNode trace;
                do {
                    trace = b.http.get(path, adminKey).json();
                    Thread.sleep(100);
                } while (!"completed".equals(trace.path("status").asText()) && System.nanoTime() < deadline);
                assertThat(trace.get("status").asText()).isEqualTo("completed");
                assertThat(trace.get("aggregates").get("event_count").asInt()).isEqualTo(f.events().size());
            }
            assertThat(b.http.post("/batch/", HttpApi.batch(token, s03.events().subList(0, 1))).status())
                    .as("the token generated at first start still works").isEqualTo(200);
        } finally {
            b.stop();
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("console shows " + regex + " in:\n" + text).isTrue();
        return m.group(1);
    }
}
