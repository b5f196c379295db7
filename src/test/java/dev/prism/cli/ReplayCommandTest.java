package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.Main;
import dev.prism.support.Fixtures;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class ReplayCommandTest {

    @Test
    @DisplayName("replay sends fixture files, JSON arrays and JSON Lines through /batch/ and reports rejections per event")
    void replaysFiles(Vertx vertx, @TempDir Path dataDir, @TempDir Path files) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        try {
            String url = "http://127.0.0.1:" + server.server.httpPort();
            Files.writeString(files.resolve("array.json"),
                    "[{\"event\": \"$ai_generation\", \"properties\": {\"$ai_trace_id\": \"replay-array\"}}]");
            Files.writeString(files.resolve("lines.jsonl"),
                    "{\"event\": \"$ai_span\", \"properties\": {\"$ai_trace_id\": \"replay-lines\"}}\n"
                            + "{\"event\": \"$ai_span\", \"properties\": {}}\n");
            Files.copy(Fixtures.DIR.resolve(Fixtures.named("s02").name() + ".json"), files.resolve("s02.json"));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                code = Main.run("replay", files.toString(), "--to", url, "--token", TestServer.PROJECT_TOKEN, "--batch-size", "4");
            } finally {
                System.setOut(original);
            }
            String report = out.toString(StandardCharsets.UTF_8);
            assertThat(code).isZero();
            assertThat(report).contains("array.json: 1 events, 1 accepted")
                    .contains("lines.jsonl: 2 events, 1 accepted, 0 ignored, 1 rejected")
                    .contains("event 1 rejected: missing $ai_trace_id")
                    .contains("12 events accepted, 1 rejected");

            JsonNode trace = server.http.awaitApi("/api/projects/default/traces/" + Fixtures.named("s02").traceId(),
                    r -> r.status() == 200 && r.json().get("status").asText().equals("completed"), Duration.ofSeconds(30)).json();
            assertThat(trace.get("aggregates").get("event_count").asInt()).isEqualTo(10);
        } finally {
            server.stop();
        }
    }

    @Test
    @DisplayName("replay exits non-zero when the server refuses the token")
    void wrongToken(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        try {
            int code = Main.run("replay", Fixtures.DIR.resolve(Fixtures.named("s01").name() + ".json").toString(),
                    "--to", "http://127.0.0.1:" + server.server.httpPort(), "--token", "not-the-token");
            assertThat(code).isEqualTo(1);
        } finally {
            server.stop();
        }
    }
}
