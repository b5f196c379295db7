package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.alert.AlertServerChild;
import dev.prism.alert.Receiver;
import dev.prism.support.ChildJvm;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A delivery row outlives the process that wrote it: Prism (its own JVM, embedded PostgreSQL) is killed with SIGKILL
 * while a row waits for its retry, or while it is being sent, and restarted on the same data directory.
 */
@DisplayName("Alert delivery across a SIGKILL of the server process")
class AlertCrashRecoveryTest {

    private static final String TOKEN = "crash-receiver-token";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    /** A killed server's PostgreSQL stops on its own once it sees its JVM gone; the data directory is removed after that. */
    @AfterEach
    void close() throws Exception {
        TestServer.await(vertx.close());
        assertThat(ChildJvm.awaitNoPostgresFor(dataDir, Duration.ofSeconds(30))).as("postgres left over").isEmpty();
    }

    private ChildJvm startPrism(int round) throws IOException {
        return startPrism(round, "3000");
    }

    private ChildJvm startPrism(int round, String backoffMillis) throws IOException {
        List<String> props = new ArrayList<>(List.of("-Xmx384m", "-Dlogback.configurationFile=logback.xml"));
        Map.of("http.port", "0", "http.host", "127.0.0.1", "dataDir", dataDir.toString(), "auth.projectToken", TestServer.PROJECT_TOKEN,
                "auth.adminToken", TestServer.ADMIN_KEY, "pg.poolSize", "4", "run.schedulerSeconds", "0",
                "alerts.backoffMillis", backoffMillis, "alerts.sendTimeoutSeconds", "2", "alerts.evaluateSeconds", "0")
                .forEach((k, v) -> props.add("-Dprism." + k + "=" + v));
        return ChildJvm.start(logs.resolve("prism-" + round + ".log"), Map.of(), props, AlertServerChild.class.getName());
    }

    private static int port(ChildJvm prism) throws Exception {
        Matcher m = prism.awaitOutput("Prism listening on http://127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(60));
        return Integer.parseInt(m.group(1));
    }

    private JsonNode call(int port, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isLessThan(300);
        return HttpApi.JSON.readTree(r.body());
    }

    private JsonNode delivery(int port, String rule) throws Exception {
        return call(port, "GET", "/api/projects/default/alerts/" + rule + "/deliveries", null).get("results").get(0);
    }

    @Test
    @DisplayName("a delivery written before the kill is sent exactly once after the restart")
    void sentOnceAfterRestart() throws Exception {
        int receiverPort;
        try (ServerSocket free = new ServerSocket(0)) {
            receiverPort = free.getLocalPort(); // nothing listens there until the receiver starts
        }
        String rule;
        try (ChildJvm first = startPrism(0)) {
            int port = port(first);
            rule = call(port, "POST", "/api/projects/default/alerts", """
                    {"name": "Crash", "theme_id": "error_analysis", "trigger": {"type": "new_cluster"},
                     "destinations": [{"type": "receiver", "url": "http://127.0.0.1:%d/hook", "token": "%s"}]}"""
                    .formatted(receiverPort, TOKEN)).get("id").asText();
            call(port, "POST", "/api/projects/default/alerts/" + rule + "/test", null);
            JsonNode waiting = await().atMost(Duration.ofSeconds(20)).until(() -> delivery(port, rule), d -> d.get("attempts").asInt() == 1
                    && d.get("status").asText().equals("pending"));
            assertThat(waiting.get("response_code").isNull()).as("no answer: the receiver is down").isTrue();
            assertThat(waiting.get("error").asText()).startsWith("no answer");
            first.kill();
            assertThat(first.process().exitValue()).isEqualTo(137);
        }

        Receiver receiver = TestServer.await(new Receiver(vertx).listen(receiverPort));
        long restarted = System.nanoTime();
        try (ChildJvm second = startPrism(1)) {
            int port = port(second);
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 1);
            System.out.printf("sent %d ms after the restart began%n", (System.nanoTime() - restarted) / 1_000_000);
            JsonNode delivered = await().atMost(Duration.ofSeconds(10)).until(() -> delivery(port, rule),
                    d -> d.get("status").asText().equals("delivered"));
            assertThat(delivered.get("attempts").asInt()).isEqualTo(2);
            assertThat(delivered.get("log").findValuesAsText("response_code")).containsExactly("null", "200");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 1);
            Receiver.Received got = receiver.received().get(0);
            assertThat(got.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(got.body().get("kind").asText()).isEqualTo("test");
            assertThat(got.body().get("rule_id").asText()).isEqualTo(rule);
            second.kill();
        } finally {
            TestServer.await(receiver.close());
        }
    }

    @Test
    @DisplayName("a delivery whose sender was killed mid-send is sent again after the restart, once its lease ran out")
    void claimedByTheDeadIsResent() throws Exception {
        Receiver receiver = TestServer.await(new Receiver(vertx).listen(0)).answer(Receiver.HANG, null);
        try {
            String rule;
            try (ChildJvm first = startPrism(0)) {
                int port = port(first);
                rule = call(port, "POST", "/api/projects/default/alerts", """
                        {"name": "Crash", "theme_id": "error_analysis", "trigger": {"type": "new_cluster"},
                         "destinations": [{"type": "receiver", "url": "%s", "token": "%s"}]}""".formatted(receiver.url("/hook"), TOKEN))
                        .get("id").asText();
                call(port, "POST", "/api/projects/default/alerts/" + rule + "/test", null);
                await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 1); // the send is under way
                assertThat(delivery(port, rule).get("status").asText()).isEqualTo("sending");
                first.kill();
            }
            long restarted = System.nanoTime();
            try (ChildJvm second = startPrism(1)) {
                int port = port(second);
                JsonNode delivered = await().atMost(Duration.ofSeconds(40)).until(() -> delivery(port, rule),
                        d -> d.get("status").asText().equals("delivered"));
                System.out.printf("re-sent %d ms after the restart began%n", (System.nanoTime() - restarted) / 1_000_000);
                assertThat(delivered.get("attempts").asInt()).as("the dead process's attempt counts").isEqualTo(2);
                assertThat(delivered.get("log")).as("only the attempt that ended is logged").hasSize(1);
                assertThat(receiver.received()).hasSize(2);
                assertThat(receiver.received().get(1).body()).isEqualTo(receiver.received().get(0).body());
                second.kill();
            }
        } finally {
            TestServer.await(receiver.close());
        }
    }
}
