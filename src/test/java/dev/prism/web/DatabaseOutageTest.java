package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.StoppablePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "PostgreSQL stop/start under load": with an external PostgreSQL ({@code pg.url}) that stops for about
 * ten seconds while clients keep sending, ingestion answers only 200 or 503 with {@code Retry-After} (never a 500, never
 * a hang), {@code /ready} answers 503 while it is down and 200 after, every acknowledged event is stored, and the
 * pipeline resumes by itself without analysing anything twice, also when a provider's reply arrives while the store
 * is away.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A PostgreSQL outage under ingestion load")
class DatabaseOutageTest {

    private static final int CLIENTS = 4;
    /** Longest any request may take, outage or not: "never a hang". */
    private static final Duration REQUEST_BOUND = Duration.ofSeconds(15);
    private static final long OUTAGE_MILLIS = 10_000;

    @TempDir
    Path dir;

    /** One ingestion request and how it ended; status -1: no answer within the bound. */
    record Outcome(long startNanos, long endNanos, int status, String retryAfter, String error, List<String> uuids, String traceId) {
    }

    record Probe(long atNanos, int status) {
    }

    @Test
    @DisplayName("answers 503 with Retry-After while PostgreSQL is down, stores every acknowledged event and resumes by itself")
    void outageUnderLoad(Vertx vertx) throws Exception {
        StoppablePostgres pg = StoppablePostgres.start(dir.resolve("pg"));
        Map<String, String> settings = TestServer.defaults(dir.resolve("prism"));
        settings.put("pg.url", pg.url());
        settings.put("trace.idleSeconds", "1");
        TestServer server = TestServer.start(vertx, settings);
        Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        Queue<Probe> probes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + server.server.httpPort();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                threads.add(started(new Thread(() -> load(client, base, running, outcomes), "load-" + c)));
            }
            threads.add(started(new Thread(() -> probe(client, base, running, probes), "ready-probe")));

            awaitCondition("ingestion succeeds before the outage", Duration.ofSeconds(30), () -> count(outcomes, 200, 0) >= 200);
            pg.stop();
            long stopped = System.nanoTime();
            awaitCondition("503s while PostgreSQL is down", Duration.ofSeconds(30), () -> count(outcomes, 503, stopped) >= 10
                    && probes.stream().anyMatch(p -> p.atNanos > stopped && p.status == 503)
                    && System.nanoTime() - stopped > OUTAGE_MILLIS * 1_000_000);
            long restarting = System.nanoTime();
            pg.start();
            long started = System.nanoTime();
            awaitCondition("ingestion and /ready recover", Duration.ofSeconds(60), () -> count(outcomes, 200, started) >= 100
                    && probes.stream().anyMatch(p -> p.atNanos > started && p.status == 200));
            running.set(false);
            for (Thread t : threads) {
                t.join(REQUEST_BOUND.toMillis() + 5_000);
            }

            // Only 200 or 503 + Retry-After, each within the bound.
            for (Outcome o : outcomes) {
                assertThat(o.status).as("status of a request (error %s)", o.error).isIn(200, 503);
                if (o.status == 503) {
                    assertThat(o.retryAfter).as("Retry-After of a 503").isNotNull();
                }
                assertThat(Duration.ofNanos(o.endNanos - o.startNanos)).as("time to answer").isLessThan(REQUEST_BOUND);
            }
            // Nothing accepted while it was down: a request that began after the stop and ended before the restart got 503.
            assertThat(outcomes.stream().filter(o -> o.startNanos > stopped + 1_000_000_000L && o.endNanos < restarting))
                    .isNotEmpty().allSatisfy(o -> assertThat(o.status).isEqualTo(503));
            // /ready: 503 whenever asked while down, 200 after.
            assertThat(probes.stream().filter(p -> p.atNanos > stopped + 1_000_000_000L && p.atNanos < restarting))
                    .isNotEmpty().allSatisfy(p -> assertThat(p.status).isEqualTo(503));
            assertThat(server.http.get("/ready", null).status()).isEqualTo(200);

            // Every acknowledged event is stored.
            List<String> acknowledged = outcomes.stream().filter(o -> o.status == 200).flatMap(o -> o.uuids.stream()).toList();
            List<String> traces = outcomes.stream().filter(o -> o.status == 200).map(Outcome::traceId).toList();
            try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "")) {
                assertThat(scalar(db, "SELECT count(*) FROM events WHERE uuid = ANY(?)", acknowledged)).isEqualTo(acknowledged.size());
                System.out.printf("PostgreSQL down for %.1f s under load: %d ingestion requests, %d answered 200, %d answered 503 with"
                                + " Retry-After, slowest answer %d ms; %d acknowledged events, all stored%n",
                        (restarting - stopped) / 1e9, outcomes.size(), count(outcomes, 200, 0), count(outcomes, 503, 0),
                        outcomes.stream().mapToLong(o -> (o.endNanos - o.startNanos) / 1_000_000).max().orElse(0), acknowledged.size());

                // The stages resume by themselves: every acknowledged trace completes, goes through theme dispatch
                // (streaming, or the sweep for those whose hand-over the outage cut), and every analysis is done once.
                awaitCondition("the pipeline catches up", Duration.ofSeconds(120), () -> scalarQuietly(db, """
                        SELECT count(*) FROM traces WHERE trace_id = ANY(?) AND status = 'completed' AND dispatched_version = version""",
                        traces) == traces.size() && scalarQuietly(db, "SELECT count(*) FROM analyses WHERE status <> 'done'", List.of()) == 0);
                assertThat(scalar(db, "SELECT count(*) FROM analyses", List.of())).as("analyses queued").isPositive();
                assertThat(scalar(db, "SELECT count(*) FROM analyses WHERE attempts <> 1", List.of()))
                        .as("analyses that took more than one attempt (paid twice with a provider)").isZero();
            }
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(REQUEST_BOUND.toMillis() + 5_000);
            }
            try {
                pg.start(); // a failure mid-outage must not leave the server unable to stop cleanly
                server.stop();
            } finally {
                pg.close();
            }
        }
    }

    @Test
    @DisplayName("an LLM reply that arrives while PostgreSQL is down is stored once it is back: no analysis is sent, or paid for, twice")
    void paidReplyDuringOutage(Vertx vertx) throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong stoppedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger repliesWhileDown = new AtomicInteger();
        List<String> prompts = new CopyOnWriteArrayList<>();
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            inFlight.incrementAndGet();
            if (b.toString().contains("TRACE_DATA")) { // analyses; cluster naming (first 10 summaries) carries none
                prompts.add(b.toString());
            }
            ObjectNode reply = HttpApi.JSON.createObjectNode().put("model", "gpt-4o-mini-2024-07-18");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant")
                    .put("content", "{\"theme_relevant\": true, \"title\": \"Payment API timeout\", \"summary\": \"ok\", \"severity\": \"low\"}");
            reply.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 50);
            // Slow enough that calls are in flight when PostgreSQL stops, and their replies land while it is down.
            vertx.setTimer(1_500, id -> {
                inFlight.decrementAndGet();
                if (System.nanoTime() > stoppedAt.get()) {
                    repliesWhileDown.incrementAndGet();
                }
                req.response().putHeader("Content-Type", "application/json").end(reply.toString());
            });
        })).listen(0, "127.0.0.1"));
        StoppablePostgres pg = StoppablePostgres.start(dir.resolve("pg"));
        Map<String, String> settings = TestServer.defaults(dir.resolve("prism"));
        settings.put("pg.url", pg.url());
        settings.put("trace.idleSeconds", "1");
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        settings.put("llm.apiKey", "sk-fake-key-for-tests");
        settings.put("llm.maxConcurrent", "4");
        TestServer server = TestServer.start(vertx, settings);
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events())).status()).isEqualTo(200);
            }
            awaitCondition("calls in flight", Duration.ofSeconds(60), () -> inFlight.get() > 0);
            stoppedAt.set(System.nanoTime());
            pg.stop();
            awaitCondition("a reply while PostgreSQL is down", Duration.ofSeconds(30), () -> repliesWhileDown.get() > 0);
            pg.start();

            try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "")) {
                // Well within the 120 s lease: a result lost to the outage would only be retried after it.
                awaitCondition("every analysis done", Duration.ofSeconds(90), () ->
                        scalarQuietly(db, "SELECT count(*) FROM traces WHERE status <> 'completed' OR dispatched_version IS DISTINCT FROM version",
                                List.of()) == 0
                        && scalarQuietly(db, "SELECT count(*) FROM analyses WHERE status <> 'done'", List.of()) == 0);
                long done = scalar(db, "SELECT count(*) FROM analyses", List.of());
                assertThat(done).isPositive();
                long distinct = prompts.stream().distinct().count();
                assertThat(prompts.size() - distinct).as("requests sent to the provider a second time").isZero();
                assertThat(distinct).as("one request per analysis").isEqualTo(done);
                assertThat(scalar(db, "SELECT count(*) FROM analyses WHERE attempts <> 1", List.of())).isZero();
            }
        } finally {
            try {
                pg.start();
                server.stop();
            } finally {
                pg.close();
                TestServer.await(fake.close());
            }
        }
    }

    private static Thread started(Thread t) {
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void load(HttpClient client, String base, AtomicBoolean running, Queue<Outcome> outcomes) {
        while (running.get()) {
            String traceId = "outage-" + UUID.randomUUID();
            List<JsonNode> events = new ArrayList<>();
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String uuid = UUID.randomUUID().toString();
                uuids.add(uuid);
                ObjectNode e = HttpApi.JSON.createObjectNode().put("event", i == 3 ? "$ai_trace" : "$ai_generation")
                        .put("distinct_id", "user-1").put("uuid", uuid);
                e.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini")
                        .put("$ai_input_tokens", 10 + i).put("$ai_output_tokens", 5).put("$ai_is_error", i == 1)
                        .put("$ai_error", i == 1 ? "TimeoutError: payment API timed out after 30 s" : null);
                events.add(e);
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/batch/")).timeout(REQUEST_BOUND)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(HttpApi.batch(TestServer.PROJECT_TOKEN, events))).build();
            long start = System.nanoTime();
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                outcomes.add(new Outcome(start, System.nanoTime(), r.statusCode(), r.headers().firstValue("Retry-After").orElse(null),
                        r.statusCode() == 200 ? null : r.body(), uuids, traceId));
            } catch (Exception e) {
                outcomes.add(new Outcome(start, System.nanoTime(), -1, null, e.toString(), uuids, traceId));
            }
            pace();
        }
    }

    private static void probe(HttpClient client, String base, AtomicBoolean running, Queue<Probe> probes) {
        while (running.get()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/ready")).timeout(REQUEST_BOUND).GET().build();
            try {
                probes.add(new Probe(System.nanoTime(), client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
            } catch (Exception e) {
                probes.add(new Probe(System.nanoTime(), -1));
            }
            pace();
        }
    }

    /** Steady, not flat out: the machine's two cores are shared, and 503s come back at once. */
    private static void pace() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long count(Queue<Outcome> outcomes, int status, long after) {
        return outcomes.stream().filter(o -> o.status == status && o.startNanos > after).count();
    }

    private static void awaitCondition(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static long scalar(Connection db, String sql, List<String> values) throws Exception {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            if (sql.contains("?")) {
                s.setArray(1, db.createArrayOf("text", values.toArray()));
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long scalarQuietly(Connection db, String sql, List<String> values) {
        try {
            return scalar(db, sql, values);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
