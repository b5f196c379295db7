package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.Run;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.HttpApi.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The WebSocket API")
class WebSocketApiTest {

    private static final int AUTH_TIMEOUT_MS = 600;
    private static final int MAX_BUFFERED = 50;

    private Vertx vertx;
    private TestServer server;
    private int port;

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        this.vertx = vertx;
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("ws.authTimeoutMillis", String.valueOf(AUTH_TIMEOUT_MS));
        settings.put("ws.maxBufferedMessages", String.valueOf(MAX_BUFFERED));
        server = TestServer.start(vertx, settings);
        port = server.server.httpPort();
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
    }

    @Test
    @DisplayName("a server that stops closes its clients with 1001, going away")
    void serverStops(@TempDir Path otherDataDir) throws Exception {
        TestServer other = TestServer.start(vertx, TestServer.defaults(otherDataDir));
        boolean stopped = false;
        try (WsTestClient c = WsTestClient.admin(vertx, other.server.httpPort())) {
            c.request(subscribe("anything"));
            long started = System.nanoTime();
            other.stop();
            stopped = true;
            assertThat(c.awaitClose()).isEqualTo((short) 1001);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            if (!stopped) {
                other.stop();
            }
        }
    }

    private static SummaryCreated summary(String project, String theme, String title, String text) {
        // Not relevant: the embedding stage ignores it, so only the hub reacts.
        return new SummaryCreated(project, theme, "trace-" + title, 1, 1, false, title, text, "low", "offline", 10, 5, 0.001, 12,
                Instant.parse("2025-03-04T14:20:01Z"));
    }

    private void publishSummary(String theme, String title) {
        vertx.eventBus().publish(Addresses.SUMMARY_CREATED, summary("default", theme, title, "summary of " + title));
    }

    private static Run run(long id, String theme, long analysed, long marker) {
        Instant start = Instant.parse("2025-03-04T14:00:00Z");
        return new Run(id, "default", theme, "manual", "running", start.minusSeconds(600), start, 1, 100, 40, 20, 20L, analysed, 3, 0,
                marker, 0, 0.0, null, start, null);
    }

    private static String subscribe(String theme) {
        return "{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"" + theme + "\"]}";
    }

    private static String title(JsonNode summaryMessage) {
        return summaryMessage.get("data").get("properties").get("$ai_summary_title").asText();
    }

    private static boolean isSummary(JsonNode m, String title) {
        return m.get("type").asText().equals("summary.created") && title(m).equals(title);
    }

    @Test
    @DisplayName("a client with the API key in the upgrade's Authorization header is authenticated at once")
    void headerAuth() throws Exception {
        try (WsTestClient c = WsTestClient.connect(vertx, port, TestServer.ADMIN_KEY)) {
            assertThat(c.next()).isEqualTo(JSON.readTree("{\"type\": \"authenticated\"}"));
            assertThat(c.request("{\"type\": \"ping\", \"id\": 41}")).isEqualTo(JSON.readTree("{\"type\": \"pong\", \"id\": 41}"));
            assertThat(c.request("{\"type\": \"auth\", \"token\": \"again\"}").get("error").asText()).isEqualTo("already_authenticated");
        }
    }

    @Test
    @DisplayName("a client without a header authenticates with its first message and can then subscribe")
    void messageAuth() throws Exception {
        try (WsTestClient c = WsTestClient.connect(vertx, port, null)) {
            assertThat(c.request("{\"type\": \"auth\", \"token\": \"" + TestServer.ADMIN_KEY + "\", \"id\": \"a1\"}"))
                    .isEqualTo(JSON.readTree("{\"type\": \"authenticated\", \"id\": \"a1\"}"));
            assertThat(c.request(subscribe("message_auth")))
                    .isEqualTo(JSON.readTree("{\"type\": \"subscribed\", \"project\": \"default\", \"themes\": [\"message_auth\"]}"));
            await().during(Duration.ofMillis(AUTH_TIMEOUT_MS + 200L)).atMost(Duration.ofMillis(AUTH_TIMEOUT_MS + 1_200L))
                    .until(() -> !c.isClosed());
            assertThat(c.isClosed()).as("the deadline only applies before authentication").isFalse();
            assertThat(c.request("{\"type\": \"ping\"}").get("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    @DisplayName("a wrong key, in the header or in the auth message, gets an unauthorized error and close code 4401")
    void badKey() throws Exception {
        try (WsTestClient c = WsTestClient.connect(vertx, port, "not-a-key-0000000000")) {
            JsonNode error = c.next();
            assertThat(error.get("type").asText()).isEqualTo("error");
            assertThat(error.get("error").asText()).isEqualTo("unauthorized");
            assertThat(error.get("detail").asText()).isNotBlank();
            assertThat(c.awaitClose()).isEqualTo((short) 4401);
        }
        try (WsTestClient c = WsTestClient.connect(vertx, port, null)) {
            c.send("{\"type\": \"auth\", \"token\": \"not-a-key-0000000000\"}");
            assertThat(c.next().get("error").asText()).isEqualTo("unauthorized");
            assertThat(c.awaitClose()).isEqualTo((short) 4401);
        }
    }

    @Test
    @DisplayName("a client that sends no auth message within the deadline, or another message first, is closed with 4401")
    void authDeadline() throws Exception {
        long started = System.nanoTime();
        try (WsTestClient c = WsTestClient.connect(vertx, port, null)) {
            JsonNode error = c.next(Duration.ofSeconds(5));
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(error.get("error").asText()).isEqualTo("unauthorized");
            assertThat(error.get("detail").asText()).contains(AUTH_TIMEOUT_MS + " ms");
            assertThat(c.awaitClose()).isEqualTo((short) 4401);
            assertThat(elapsedMs).isGreaterThanOrEqualTo(AUTH_TIMEOUT_MS - 50L).isLessThan(AUTH_TIMEOUT_MS + 3_000L);
        }
        try (WsTestClient c = WsTestClient.connect(vertx, port, null)) {
            c.send(subscribe("too_early"));
            assertThat(c.next().get("error").asText()).isEqualTo("unauthorized");
            assertThat(c.awaitClose()).isEqualTo((short) 4401);
        }
    }

    @Test
    @DisplayName("bad requests get an error and the connection stays open")
    void badRequests() throws Exception {
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            assertThat(c.request("{oops").get("error").asText()).isEqualTo("invalid_json");
            JsonNode unknown = c.request("{\"type\": \"subscribe_everything\", \"id\": 9}");
            assertThat(unknown.get("type").asText()).isEqualTo("error");
            assertThat(unknown.get("error").asText()).isEqualTo("unknown_type");
            assertThat(unknown.get("id").asInt()).isEqualTo(9);
            assertThat(c.request("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"Not A Theme\"]}").get("error").asText())
                    .isEqualTo("invalid_message");
            TestServer.await(c.ws.writeBinaryMessage(Buffer.buffer("{\"type\": \"ping\"}")));
            assertThat(c.next().get("error").asText()).isEqualTo("invalid_message");
            JsonNode unknownProject = c.request("{\"type\": \"subscribe\", \"project\": \"nope\", \"id\": 1}");
            assertThat(unknownProject.get("error").asText()).isEqualTo("project_not_found");
            assertThat(unknownProject.get("id").asInt()).isEqualTo(1);
            assertThat(c.request("{\"type\": \"ping\"}").get("type").asText()).isEqualTo("pong");
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    @DisplayName("a client message over 64 KiB closes the connection with 1009")
    void tooLarge() throws Exception {
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            c.send("{\"type\": \"ping\", \"pad\": \"" + "x".repeat(HttpServerVerticle.MAX_WS_REQUEST_BYTES) + "\"}");
            assertThat(c.next().get("error").asText()).isEqualTo("message_too_large");
            assertThat(c.awaitClose()).isEqualTo((short) 1009);
        }
    }

    @Test
    @DisplayName("GET /ws without an upgrade answers 400 websocket_required")
    void plainGet() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ws")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("websocket_required");
    }

    @Test
    @DisplayName("a client subscribed to one theme receives that theme's summaries of its project only, in publication order")
    void oneTheme() throws Exception {
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            assertThat(c.request(subscribe("order_a")).get("type").asText()).isEqualTo("subscribed");
            for (int i = 0; i < 40; i++) {
                publishSummary(i % 2 == 0 ? "order_a" : "order_b", "n" + i);
                vertx.eventBus().publish(Addresses.SUMMARY_CREATED, summary("other_project", "order_a", "x" + i, "elsewhere"));
            }
            publishSummary("order_a", "end");
            List<JsonNode> got = c.until(m -> isSummary(m, "end"));
            List<String> titles = got.stream().map(WebSocketApiTest::title).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i += 2) {
                expected.add("n" + i);
            }
            expected.add("end");
            assertThat(titles).containsExactlyElementsOf(expected);
            JsonNode first = got.get(0);
            assertThat(first.get("type").asText()).isEqualTo("summary.created");
            assertThat(first.get("project").asText()).isEqualTo("default");
            assertThat(first.get("theme").asText()).isEqualTo("order_a");
            JsonNode data = first.get("data");
            assertThat(data.get("event").asText()).isEqualTo("$ai_trace_summary");
            assertThat(data.get("properties").get("$ai_analysis_theme_id").asText()).isEqualTo("order_a");
            assertThat(data.get("properties").get("$ai_trace_id").asText()).isEqualTo("trace-n0");
            assertThat(data.get("properties").get("$ai_summary").asText()).isEqualTo("summary of n0");
            assertThat(data.get("properties").get("$ai_latency").asDouble()).isEqualTo(0.012);
        }
    }

    @Test
    @DisplayName("unsubscribing a theme, or the whole project, stops its updates")
    void unsubscribe() throws Exception {
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            JsonNode subscribed = c.request("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"unsub_a\", \"unsub_b\"]}");
            assertThat(subscribed.get("themes")).isEqualTo(JSON.readTree("[\"unsub_a\", \"unsub_b\"]"));
            JsonNode unsubscribed = c.request("{\"type\": \"unsubscribe\", \"project\": \"default\", \"themes\": [\"unsub_a\"]}");
            assertThat(unsubscribed).isEqualTo(JSON.readTree("{\"type\": \"unsubscribed\", \"project\": \"default\", \"themes\": [\"unsub_b\"]}"));
            publishSummary("unsub_a", "gone");
            publishSummary("unsub_b", "kept");
            assertThat(c.until(m -> isSummary(m, "kept"))).as("nothing of unsub_a before").hasSize(1);

            assertThat(c.request("{\"type\": \"unsubscribe\", \"project\": \"default\"}").get("themes")).isEmpty();
            publishSummary("unsub_b", "gone too");
            vertx.eventBus().publish(Addresses.RUN_PROGRESS, run(7, "unsub_b", 1, 0));
            assertThat(c.request(subscribe("unsub_sentinel")).get("type").asText()).isEqualTo("subscribed");
            publishSummary("unsub_sentinel", "sentinel");
            assertThat(c.until(m -> isSummary(m, "sentinel"))).hasSize(1);
        }
    }

    @Test
    @DisplayName("run progress is delivered as run.progress with the run as the REST API shows it")
    void runProgress() throws Exception {
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            c.request(subscribe("runs_theme"));
            vertx.eventBus().publish(Addresses.RUN_PROGRESS, run(31, "runs_theme", 5, 0));
            vertx.eventBus().publish(Addresses.RUN_PROGRESS, run(31, "other_theme", 6, 0));
            vertx.eventBus().publish(Addresses.RUN_PROGRESS, run(31, "runs_theme", 9, 0));
            JsonNode first = c.next();
            assertThat(first.get("type").asText()).isEqualTo("run.progress");
            assertThat(first.get("project").asText()).isEqualTo("default");
            assertThat(first.get("theme").asText()).isEqualTo("runs_theme");
            assertThat(first.get("data").get("id").asLong()).isEqualTo(31);
            assertThat(first.get("data").get("status").asText()).isEqualTo("running");
            assertThat(first.get("data").get("analysed").asLong()).isEqualTo(5);
            assertThat(first.get("data").get("pending").asLong()).isEqualTo(15);
            assertThat(first.get("data").get("theme_id").asText()).isEqualTo("runs_theme");
            assertThat(c.next().get("data").get("analysed").asLong()).as("the other theme's run was not sent").isEqualTo(9);
        }
    }

    /** A record as another feature would publish it (theirs would live in bus/ with a codec in Codecs). */
    record AlertFired(String projectId, String themeId, long ruleId, String channel, Instant firedAt) {
    }

    /** Passes {@link AlertFired} by reference, as the bus codecs do for the real records. */
    private static final class LocalCodec implements MessageCodec<AlertFired, AlertFired> {
        @Override
        public void encodeToWire(Buffer buffer, AlertFired a) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AlertFired decodeFromWire(int pos, Buffer buffer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AlertFired transform(AlertFired a) {
            return a;
        }

        @Override
        public String name() {
            return "test:" + AlertFired.class.getName();
        }

        @Override
        public byte systemCodecID() {
            return -1;
        }
    }

    @Test
    @DisplayName("cluster.updated and alert.fired published as JSON objects, records or LiveEvents are forwarded to the project's subscribers")
    void forwardsOtherFeatures() throws Exception {
        vertx.eventBus().registerDefaultCodec(AlertFired.class, new LocalCodec());
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            assertThat(c.request("{\"type\": \"subscribe\", \"project\": \"default\"}"))
                    .isEqualTo(JSON.readTree("{\"type\": \"subscribed\", \"project\": \"default\", \"themes\": null}"));
            vertx.eventBus().publish(Addresses.CLUSTER_UPDATED, new JsonObject().put("project_id", "default").put("theme_id", "fwd")
                    .put("cluster_id", "c1").put("size", 3));
            vertx.eventBus().publish(Addresses.CLUSTER_UPDATED, new JsonObject().put("theme_id", "fwd").put("cluster_id", "unroutable"));
            vertx.eventBus().publish(Addresses.ALERT_FIRED, new AlertFired("default", "fwd", 4, "slack", Instant.parse("2025-03-04T14:20:01Z")));
            vertx.eventBus().publish(Addresses.ALERT_FIRED, new AlertFired("other_project", "fwd", 5, "slack", Instant.now()));
            vertx.eventBus().publish(Addresses.LIVE_EVENT, new LiveEvent("theme.updated", "default", null, "fwd",
                    JSON.readTree("{\"theme_id\": \"fwd\", \"enabled\": false}")));
            vertx.eventBus().publish(Addresses.LIVE_EVENT, new JsonObject().put("type", "ignored.event").put("project_id", "default"));
            publishSummary("fwd", "after");
            // The subscription is the whole project's: a summary the server's own pipeline makes meanwhile (traces other
            // tests sent, analysed by a built-in theme) may arrive too; only this test's theme and theme-less events count.
            List<JsonNode> got = c.until(m -> isSummary(m, "after")).stream()
                    .filter(m -> m.path("theme").isNull() || "fwd".equals(m.path("theme").asText())).toList();
            assertThat(got).hasSize(4);
            assertThat(got.get(0)).isEqualTo(JSON.readTree("""
                    {"type": "cluster.updated", "project": "default", "theme": "fwd",
                     "data": {"project_id": "default", "theme_id": "fwd", "cluster_id": "c1", "size": 3}}"""));
            assertThat(got.get(1)).isEqualTo(JSON.readTree("""
                    {"type": "alert.fired", "project": "default", "theme": "fwd",
                     "data": {"project_id": "default", "theme_id": "fwd", "rule_id": 4, "channel": "slack", "fired_at": "2025-03-04T14:20:01Z"}}"""));
            assertThat(got.get(2)).isEqualTo(JSON.readTree("""
                    {"type": "theme.updated", "project": "default", "theme": null, "data": {"theme_id": "fwd", "enabled": false}}"""));
        }
    }

    @Test
    @DisplayName("with clients spread over every HTTP verticle instance, each client receives each event exactly once")
    void eachEventOnce() throws Exception {
        List<WsTestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                WsTestClient c = WsTestClient.admin(vertx, port);
                clients.add(c);
                c.request(subscribe("once"));
            }
            for (int i = 0; i < 20; i++) {
                publishSummary("once", "o" + i);
            }
            publishSummary("once", "end");
            for (WsTestClient c : clients) {
                List<String> titles = c.until(m -> isSummary(m, "end")).stream().map(WebSocketApiTest::title).toList();
                assertThat(titles).hasSize(21).doesNotHaveDuplicates().startsWith("o0", "o1").endsWith("o19", "end");
            }
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1))
                    .until(() -> clients.stream().allMatch(c -> c.pending().isEmpty()));
            for (WsTestClient c : clients) {
                assertThat(c.pending()).as("no second copy arrives later").isEmpty();
            }
        } finally {
            for (WsTestClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    @DisplayName("the real pipeline streams the analyses of an ingested trace to error_analysis subscribers")
    void pipeline() throws Exception {
        Fixtures.Fixture fixture = Fixtures.named("s07");
        try (WsTestClient c = WsTestClient.admin(vertx, port)) {
            c.request(subscribe("error_analysis"));
            assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, fixture.events())).status()).isEqualTo(200);
            JsonNode m = c.next(Duration.ofSeconds(60));
            assertThat(m.get("type").asText()).isEqualTo("summary.created");
            assertThat(m.get("theme").asText()).isEqualTo("error_analysis");
            assertThat(m.get("data").get("properties").get("$ai_trace_id").asText()).isEqualTo(fixture.traceId());
            assertThat(m.get("data").get("properties").get("$ai_theme_relevant").asBoolean()).isTrue();
        }
    }

    private double metric(String line) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String l : r.body().split("\n")) {
            if (l.startsWith(line + " ")) {
                return Double.parseDouble(l.substring(line.length() + 1).trim());
            }
        }
        return 0;
    }

    private void awaitMetric(String line, double atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (metric(line) < atLeast) {
            assertThat(System.nanoTime()).as(line + " reaches " + atLeast).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * The server holds updates for the paused client, and still does a moment later: the client's own buffers are full
     * too, so nothing drains while the test goes on.
     */
    private boolean connectionStaysFull() throws Exception {
        Thread.sleep(20);
        if (metric("prism_ws_buffered_messages") == 0) {
            return false;
        }
        Thread.sleep(300);
        return metric("prism_ws_buffered_messages") > 0;
    }

    @Test
    @DisplayName("a client that stops reading gets coalesced updates from a bounded buffer, then the latest state and a dropped count")
    void slowConsumer() throws Exception {
        // A small receive buffer so the kernel does not absorb megabytes before the server's write queue fills.
        WebSocketClientOptions options = new WebSocketClientOptions().setReceiveBufferSize(4_096).setMaxMessageSize(1 << 20)
                .setMaxFrameSize(1 << 20);
        try (WsTestClient c = WsTestClient.connect(vertx, port, TestServer.ADMIN_KEY, options)) {
            assertThat(c.next().get("type").asText()).isEqualTo("authenticated");
            c.request(subscribe("slow"));
            c.ws.pause();
            double droppedAtStart = metric("prism_ws_messages_total{outcome=\"dropped\"}");

            // 1. Large summaries until the server holds some for this client: its connection is full.
            Random random = new Random(3);
            int seq = 0;
            int summaries = 0;
            while (!connectionStaysFull()) {
                assertThat(seq).as("the connection fills up").isLessThan(5_000);
                for (int i = 0; i < 10; i++, seq++, summaries++) {
                    StringBuilder text = new StringBuilder(32_768);
                    for (int k = 0; k < 32_768; k++) {
                        text.append((char) ('a' + random.nextInt(26)));
                    }
                    vertx.eventBus().publish(Addresses.SUMMARY_CREATED, summary("default", "slow", "#" + seq, text.toString()));
                }
            }
            double heldBefore = metric("prism_ws_client_buffer_messages_count");
            double coalescedBefore = metric("prism_ws_messages_total{outcome=\"coalesced\"}");

            // 2. Progress of 3 runs, states of 2 clusters, and small summaries, all while the client does not read.
            int lastSummarySeq = -1;
            Map<Long, Integer> lastRunSeq = new HashMap<>();
            Map<String, Integer> lastClusterSeq = new HashMap<>();
            int published = 0;
            for (int i = 0; i < 300; i++) {
                long runId = 1_000 + i % 3;
                vertx.eventBus().publish(Addresses.RUN_PROGRESS, run(runId, "slow", i / 3, seq));
                lastRunSeq.put(runId, seq++);
                published++;
                if (i % 3 == 0) {
                    lastSummarySeq = seq;
                    publishSummary("slow", "#" + seq++);
                    summaries++;
                    published++;
                }
                if (i % 5 == 0) {
                    String cluster = "c" + (i % 2);
                    vertx.eventBus().publish(Addresses.LIVE_EVENT, new LiveEvent("cluster.updated", "default", "slow", cluster,
                            JSON.readTree("{\"cluster\": \"" + cluster + "\", \"seq\": " + seq + ", \"size\": " + i + "}")));
                    lastClusterSeq.put(cluster, seq++);
                    published++;
                }
            }
            awaitMetric("prism_ws_client_buffer_messages_count", heldBefore + published);

            double held = metric("prism_ws_buffered_messages");
            double largest = metric("prism_ws_client_buffer_messages_max");
            double coalesced = metric("prism_ws_messages_total{outcome=\"coalesced\"}") - coalescedBefore;
            System.out.printf("slow client: %d published in phase 2, buffer %s (largest %s of %d), %s coalesced, %s dropped in all%n",
                    published, held, largest, MAX_BUFFERED, coalesced, metric("prism_ws_messages_total{outcome=\"dropped\"}"));
            assertThat(held).as("held at the bound, not beyond").isEqualTo(MAX_BUFFERED);
            assertThat(largest).as("no client's buffer ever passed the bound").isLessThanOrEqualTo(MAX_BUFFERED);
            assertThat(coalesced).as("each newer state replaced the older one").isEqualTo((300 - 3) + (60 - 2));

            // 3. The client reads again: it gets what was held, in order, then how much it missed.
            c.ws.resume();
            String lastTitle = "#" + lastSummarySeq;
            boolean[] sawLast = {false};
            List<JsonNode> got = c.until(m -> {
                sawLast[0] |= isSummary(m, lastTitle);
                return sawLast[0] && m.get("type").asText().equals("dropped");
            });
            Map<Long, JsonNode> runs = new HashMap<>();
            Map<String, JsonNode> clusters = new HashMap<>();
            List<Integer> order = new ArrayList<>();
            int summariesReceived = 0;
            long dropped = 0;
            String lastSummary = null;
            for (JsonNode m : got) {
                switch (m.get("type").asText()) {
                    case "summary.created" -> {
                        summariesReceived++;
                        lastSummary = title(m);
                        order.add(Integer.parseInt(lastSummary.substring(1)));
                    }
                    case "run.progress" -> {
                        assertThat(runs.put(m.get("data").get("id").asLong(), m)).as("one message per run once coalesced").isNull();
                        order.add(m.get("data").get("input_tokens").asInt());
                    }
                    case "cluster.updated" -> {
                        assertThat(clusters.put(m.get("data").get("cluster").asText(), m)).as("one message per cluster").isNull();
                        order.add(m.get("data").get("seq").asInt());
                    }
                    case "dropped" -> dropped += m.get("count").asLong();
                    default -> throw new AssertionError("unexpected " + m);
                }
            }
            System.out.printf("slow client caught up: %d messages, %d of %d summaries, %d dropped%n", got.size(), summariesReceived,
                    summaries, dropped);
            assertThat(order).as("publication order").isSorted().doesNotHaveDuplicates();
            assertThat(runs).hasSize(3);
            for (Map.Entry<Long, Integer> e : lastRunSeq.entrySet()) {
                JsonNode r = runs.get(e.getKey());
                assertThat(r.get("data").get("input_tokens").asInt()).as("latest state of run " + e.getKey()).isEqualTo(e.getValue());
                assertThat(r.get("data").get("analysed").asLong()).isEqualTo(99);
            }
            assertThat(clusters).hasSize(2);
            for (Map.Entry<String, Integer> e : lastClusterSeq.entrySet()) {
                assertThat(clusters.get(e.getKey()).get("data").get("seq").asInt()).as("latest state of " + e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(dropped).isPositive();
            assertThat(summariesReceived + dropped).as("every summary is received or counted as dropped").isEqualTo(summaries);
            assertThat(metric("prism_ws_messages_total{outcome=\"dropped\"}") - droppedAtStart).isEqualTo(dropped);
            assertThat(lastSummary).as("the newest summaries are kept").isEqualTo(lastTitle);

            // 4. Caught up: updates flow straight through again.
            assertThat(metric("prism_ws_buffered_messages")).isZero();
            publishSummary("slow", "live");
            JsonNode live = c.next();
            assertThat(title(live)).isEqualTo("live");
        }
    }
}
