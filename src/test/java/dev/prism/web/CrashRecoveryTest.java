package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.ChildJvm;
import dev.prism.support.FakeOpenAiProvider;
import dev.prism.support.Fixtures;
import dev.prism.support.PrismProcess;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crashes, not stops: Prism runs in a JVM of its own (embedded PostgreSQL, a local OpenAI-compatible provider) and is
 * killed with SIGKILL five times in a row, mid-ingestion and mid-analysis, restarting each time on the same data
 * directory.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Crash recovery (SIGKILL of the server process)")
class CrashRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KILLS = 5;
    private static final int LLM_CONCURRENCY = 4;

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    /** When each killed server was gone: a call may be repeated only across one of these. */
    private final List<Instant> kills = new CopyOnWriteArrayList<>();
    /** Events the server answered 200 for: the ones that must be there after every crash. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> acknowledgedTraces = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @DisplayName("every start succeeds within 30 s, every acknowledged event is kept, each analysis is done exactly once, no postgres is left over")
    void killFiveTimes(Vertx vertx) throws Exception {
        // Slow enough that analyses are in flight when the server is killed.
        FakeOpenAiProvider provider = FakeOpenAiProvider.start(vertx, 150, trace -> "crash test summary");
        String providerUrl = provider.url();
        List<Fixtures.Fixture> fixtures = Fixtures.all().stream()
                .filter(f -> f.traceId() != null && !f.name().startsWith("s24")).toList();

        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int round = 0; round < KILLS; round++) {
                ChildJvm prism = startPrism(round, providerUrl);
                children.add(prism);
                long launched = System.nanoTime();
                int port = PrismProcess.awaitListening(prism, Duration.ofSeconds(30));
                System.out.printf("round %d: started in %d ms%n", round, (System.nanoTime() - launched) / 1_000_000);
                if (round == 0) {
                    assertSecondServerRefused(prism);
                }
                boolean midIngestion = round % 2 == 0;
                AtomicBoolean sending = new AtomicBoolean(true);
                int r = round;
                Thread sender = new Thread(() -> send(port, fixtures, r, sending), "crash-sender-" + round);
                sender.start();
                if (midIngestion) {
                    int before = acknowledged.size();
                    await(() -> acknowledged.size() >= before + 60, Duration.ofSeconds(60), "acknowledged events in round " + round);
                } else {
                    int traces = acknowledgedTraces.size();
                    await(() -> acknowledgedTraces.size() >= traces + 12, Duration.ofSeconds(60), "acknowledged traces in round " + round);
                    sending.set(false);
                    sender.join();
                    int before = provider.answered();
                    await(() -> provider.answered() >= before + 3 && provider.inFlight() > 0, Duration.ofSeconds(60), "analyses in flight in round " + round);
                }
                prism.kill();
                kills.add(Instant.now());
                System.out.printf("round %d: killed %s, %d events and %d traces acknowledged, %d provider answers so far%n", round,
                        midIngestion ? "mid-ingestion" : "mid-analysis (" + provider.inFlight() + " calls in flight)",
                        acknowledged.size(), acknowledgedTraces.size(), provider.answered());
                assertThat(prism.process().exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
                sending.set(false);
                sender.join();
                assertThat(ChildJvm.awaitNoPostgresFor(dataDir.resolve("postgres"), Duration.ofSeconds(15)))
                        .as("PostgreSQL outliving the killed server (round " + round + ")").isEmpty();
            }

            ChildJvm last = startPrism(KILLS, providerUrl);
            children.add(last);
            try {
                PrismProcess.awaitListening(last, Duration.ofSeconds(30));
                try (Connection db = connectEmbedded()) {
                    long draining = System.nanoTime();
                    await(() -> allAnalysed(db), Duration.ofSeconds(120), "every acknowledged trace analysed");
                    System.out.printf("final start: backlog analysed in %d ms, %d provider answers in all%n",
                            (System.nanoTime() - draining) / 1_000_000, provider.answered());
                    assertAcknowledgedEventsStored(db);
                    assertAnalysedExactlyOnce(db, provider);
                }
            } finally {
                last.process().destroy(); // SIGTERM: the clean stop
                last.process().waitFor();
            }
            assertThat(ChildJvm.awaitNoPostgresFor(dataDir.resolve("postgres"), Duration.ofSeconds(15))).as("postgres left over").isEmpty();
        } finally {
            for (ChildJvm child : children) {
                child.close(); // a failed assertion must not leave a server running
            }
            TestServer.await(provider.close());
        }
    }

    private ChildJvm startPrism(int round, String providerUrl) throws IOException {
        Map<String, String> settings = new HashMap<>();
        settings.put("http.port", "0");
        settings.put("http.host", "127.0.0.1");
        settings.put("dataDir", dataDir.toString());
        settings.put("auth.projectToken", TestServer.PROJECT_TOKEN);
        settings.put("auth.adminToken", TestServer.ADMIN_KEY);
        settings.put("trace.idleSeconds", "1");
        settings.put("trace.rootGraceMillis", "200");
        settings.put("trace.sweepMillis", "100");
        settings.put("pg.poolSize", "4");
        settings.put("run.schedulerSeconds", "0");
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", providerUrl);
        settings.put("llm.apiKey", "sk-crash-test");
        settings.put("llm.maxConcurrent", Integer.toString(LLM_CONCURRENCY));
        settings.put("embed.provider", "openai");
        settings.put("embed.baseUrl", providerUrl);
        settings.put("embed.apiKey", "sk-crash-test");
        return PrismProcess.start(logs.resolve("prism-" + round + ".log"), settings);
    }

    /** A second server on the same data directory stops at once with a message naming the first, which runs on. */
    private void assertSecondServerRefused(ChildJvm first) throws Exception {
        try (ChildJvm second = startPrism(99, "http://127.0.0.1:9/v1")) {
            assertThat(second.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the second server exits").isTrue();
            assertThat(second.process().exitValue()).isEqualTo(1);
            assertThat(second.output()).contains("Prism could not start: Another Prism (pid " + first.pid()
                    + ") is already using the data directory " + dataDir.toAbsolutePath());
        }
        assertThat(first.process().isAlive()).isTrue();
    }

    /** Sends copies of the fixtures, each with a trace id and event uuids of its own, until told to stop or refused. */
    private void send(int port, List<Fixtures.Fixture> fixtures, int round, AtomicBoolean sending) {
        int n = 0;
        while (sending.get()) {
            Fixtures.Fixture f = fixtures.get(n % fixtures.size());
            String traceId = "crash-" + round + "-" + n++ + "-" + f.traceId();
            ObjectNode body = JSON.createObjectNode().put("api_key", TestServer.PROJECT_TOKEN);
            ArrayNode batch = body.putArray("batch");
            List<String> uuids = new ArrayList<>();
            for (JsonNode e : f.events()) {
                ObjectNode copy = e.deepCopy();
                String uuid = UUID.randomUUID().toString();
                copy.put("uuid", uuid);
                ((ObjectNode) copy.with("properties")).put("$ai_trace_id", traceId);
                batch.add(copy);
                uuids.add(uuid);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/batch/"))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && JSON.readTree(r.body()).path("accepted").asInt() == uuids.size()) {
                    acknowledged.addAll(uuids);
                    acknowledgedTraces.add(traceId);
                }
                Thread.sleep(20);
            } catch (IOException e) {
                return; // killed under us: this batch was never acknowledged
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Connection connectEmbedded() throws Exception {
        List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"), StandardCharsets.UTF_8);
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pid.get(3).trim() + "/postgres", "postgres", "");
    }

    /** Every acknowledged trace completed and dispatched, and no analysis left queued or running. */
    private boolean allAnalysed(Connection db) {
        try (Statement s = db.createStatement()) {
            Set<String> dispatched = new HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT trace_id FROM traces WHERE status = 'completed' AND dispatched_version = version")) {
                while (rs.next()) {
                    dispatched.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM analyses WHERE status IN ('queued', 'running')")) {
                rs.next();
                return dispatched.containsAll(acknowledgedTraces) && rs.getLong(1) == 0;
            }
        } catch (Exception e) {
            return false;
        }
    }

    private void assertAcknowledgedEventsStored(Connection db) throws Exception {
        Set<String> stored = new HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT uuid FROM events")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        assertThat(acknowledged).as("acknowledged events").hasSizeGreaterThanOrEqualTo(3 * 60);
        assertThat(stored).as("every acknowledged event survives the kills").containsAll(acknowledged);
    }

    /**
     * One finished analysis per (trace, theme, version), and none sent to the provider again once finished. A call in
     * flight at a kill may be repeated (its answer never reached the store), at most one per concurrent call per kill.
     */
    private void assertAnalysedExactlyOnce(Connection db, FakeOpenAiProvider provider) throws Exception {
        Map<String, Instant> completed = new HashMap<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT t.name, a.trace_id, a.trace_version, a.status, a.completed_at
                FROM analyses a JOIN themes t ON t.project_id = a.project_id AND t.theme_id = a.theme_id
                WHERE a.trace_id LIKE 'crash-%'""")) {
            while (rs.next()) {
                String key = rs.getString(1) + "/" + rs.getString(2);
                assertThat(rs.getString(4)).as("status of " + key).isEqualTo("done");
                assertThat(rs.getInt(3)).as("version of " + key).isEqualTo(1);
                Timestamp at = rs.getTimestamp(5);
                assertThat(completed.put(key, at.toInstant())).as("one analysis row per key: " + key).isNull();
            }
        }
        // Theme filters decide which traces a theme analyses, and they are deterministic: every copy of a fixture gets
        // the same themes. A copy with fewer lost an analysis to a crash. (Success patterns samples a quarter by trace id.)
        Map<String, Set<String>> themesByFixture = new HashMap<>();
        Map<String, Set<String>> themesByTrace = new HashMap<>();
        for (String key : completed.keySet()) {
            String[] themeAndTrace = key.split("/", 2);
            if (!themeAndTrace[0].equals("Success patterns")) {
                themesByTrace.computeIfAbsent(themeAndTrace[1], t -> new HashSet<>()).add(themeAndTrace[0]);
                themesByFixture.computeIfAbsent(fixtureOf(themeAndTrace[1]), t -> new HashSet<>()).add(themeAndTrace[0]);
            }
        }
        assertThat(themesByFixture).as("fixtures some theme analyses").hasSizeGreaterThan(5);
        // The dispatch sweep scores a copy streaming never scored (the process died between formatting and scoring), but
        // one it still cannot score (the embedding model busy after a restart) passes every pre-filter, so a copy may
        // have more themes than the others; fewer than every other copy of its fixture has means an analysis was lost.
        for (String trace : acknowledgedTraces) {
            Set<String> everyOtherCopy = null;
            for (String other : acknowledgedTraces) {
                if (!other.equals(trace) && fixtureOf(other).equals(fixtureOf(trace))) {
                    Set<String> themes = themesByTrace.getOrDefault(other, Set.of());
                    if (everyOtherCopy == null) {
                        everyOtherCopy = new HashSet<>(themes);
                    } else {
                        everyOtherCopy.retainAll(themes);
                    }
                }
            }
            if (everyOtherCopy != null) {
                assertThat(themesByTrace.getOrDefault(trace, Set.of())).as("themes that analysed " + trace).containsAll(everyOtherCopy);
            }
        }
        int repeats = provider.assertEachAnsweredOnce(completed, kills);
        // A kill cuts off the calls awaiting an answer (at most llm.maxConcurrent) and the answers whose analysis was
        // not yet stored; the permit is released when the answer arrives, so the second group is bounded only by how
        // far storing lags, which on a loaded machine can be a few. Twice the concurrency per kill keeps the bound tight
        // enough to catch a restart that re-sends everything, while the check above is the exact rule.
        assertThat(repeats).as("calls repeated because a kill cut them off").isLessThanOrEqualTo(KILLS * 2 * LLM_CONCURRENCY);
    }

    /** {@code crash-<round>-<n>-<fixture trace id>} → the fixture trace id. */
    private static String fixtureOf(String traceId) {
        return traceId.split("-", 4)[3];
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
