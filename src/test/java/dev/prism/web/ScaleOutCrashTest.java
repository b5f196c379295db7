package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.alert.Receiver;
import dev.prism.support.ChildJvm;
import dev.prism.support.FakeOpenAiProvider;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.KafkaKit;
import dev.prism.support.PrismProcess;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scale-out crash test: two Prism servers, each a JVM of its own, share one PostgreSQL (the machine's, a fresh
 * database), Redis (a database of its own) and Kafka (the in-JVM KRaft kit). Traces stream to both in turn; one is
 * killed with SIGKILL mid-stream while the other keeps taking traffic, then restarted. Nothing acknowledged is lost or
 * doubled, no analysis is made twice, and clusters and alerts are not duplicated.
 */
@Tag("scale-out")
@Tag("scale-out-crash")
@DisplayName("Scale-out crash: two Prism JVMs on one PostgreSQL, Redis and Kafka, one SIGKILLed mid-stream")
class ScaleOutCrashTest {

    private static final int LLM_CONCURRENCY = 4;
    private static final String KEY_A = "sk-instance-a";
    private static final String KEY_B = "sk-instance-b";
    private static final String REDIS = System.getProperty("prism.test.redis", "redis://127.0.0.1:6379");
    private static KafkaClusterTestKit kafka;

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> acknowledgedTraces = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<Instant> kills = new CopyOnWriteArrayList<>();
    /** Ports of the instances taking traffic; the sender goes round them. */
    private final List<Integer> targets = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String jdbc;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaKit.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @DisplayName("every acknowledged event stored once, every (trace, theme) analysed once, only in-flight calls repeated, clusters and alerts not duplicated")
    void sigkillOneOfTwoInstances() throws Exception {
        long began = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        ServicePostgres pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        // Slow enough that analyses are in flight at the kill; one summary per fixture, so each fixture's copies cluster.
        FakeOpenAiProvider provider = FakeOpenAiProvider.start(vertx, 150, trace -> "Summary of traces like " + fixtureOf(trace));
        Receiver receiver = TestServer.await(new Receiver(vertx).listen(0));
        String redis = REDIS + "/" + ThreadLocalRandom.current().nextInt(1, 16);
        List<Fixtures.Fixture> fixtures = Fixtures.all().stream().filter(f -> f.traceId() != null && !f.name().startsWith("s24")).toList();
        List<ChildJvm> children = new ArrayList<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = new Thread(() -> send(fixtures, sending), "scale-out-sender");
        try {
            ChildJvm a = PrismProcess.start(logs.resolve("a.log"), settings("a", pg, provider, redis, KEY_A));
            ChildJvm b = PrismProcess.start(logs.resolve("b-0.log"), settings("b", pg, provider, redis, KEY_B));
            children.add(a);
            children.add(b);
            int portA = PrismProcess.awaitListening(a, Duration.ofSeconds(90));
            int portB = PrismProcess.awaitListening(b, Duration.ofSeconds(90));
            System.out.printf("[scale-out crash] both instances listening after %d ms%n", millisSince(began));
            for (String theme : List.of("error_analysis", "performance_issues", "unhappy_users", "ux_issues", "feature_requests")) {
                admin(portA, "POST", "/api/projects/default/alerts", """
                        {"name": "New %s cluster", "theme_id": "%s", "trigger": {"type": "new_cluster"},
                         "destinations": [{"type": "webhook", "url": "%s", "secret": "scale-out-webhook-secret-0123456789"}]}"""
                        .formatted(theme, theme, receiver.url("/hook")));
            }

            targets.addAll(List.of(portA, portB));
            sender.start();
            // Mid-stream and mid-analysis: B has provider calls awaiting their answer.
            await("B mid-analysis").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                    .until(() -> acknowledgedTraces.size() >= 30 && provider.inFlight(KEY_B) > 0);
            int inFlightAtKill = provider.inFlight(KEY_B);
            b.kill();
            kills.add(Instant.now());
            targets.remove(Integer.valueOf(portB));
            assertThat(b.process().exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
            int tracesAtKill = acknowledgedTraces.size();
            System.out.printf("[scale-out crash] B killed at %d ms: %d events, %d traces acknowledged, %d of B's calls in flight%n",
                    millisSince(began), acknowledged.size(), tracesAtKill, inFlightAtKill);

            await("traffic to A alone").atMost(Duration.ofSeconds(60)).until(() -> acknowledgedTraces.size() >= tracesAtKill + 20);
            ChildJvm b2 = PrismProcess.start(logs.resolve("b-1.log"), settings("b", pg, provider, redis, KEY_B));
            children.add(b2);
            int portB2 = PrismProcess.awaitListening(b2, Duration.ofSeconds(90));
            targets.add(portB2);
            int tracesAtRestart = acknowledgedTraces.size();
            System.out.printf("[scale-out crash] B restarted at %d ms%n", millisSince(began));
            await("traffic to both again").atMost(Duration.ofSeconds(60)).until(() -> acknowledgedTraces.size() >= tracesAtRestart + 20);
            sending.set(false);
            sender.join();
            long sent = millisSince(began);

            // The killed instance's claimed tasks wait for their lease (120 s) to run out before the others take them.
            await("every acknowledged trace analysed").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250))
                    .until(this::allAnalysed);
            long analysed = millisSince(began);
            await("alert deliveries settled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> count("SELECT count(*) FROM alert_deliveries WHERE status IN ('pending', 'sending')") == 0);

            assertThat(acknowledged).as("acknowledged events").hasSizeGreaterThanOrEqualTo(200);
            assertEventsStoredOnce();
            int repeats = assertAnalysedOnce(provider);
            assertClustersNotDuplicated();
            int alertRepeats = assertAlertsNotDuplicated(receiver);
            System.out.printf("[scale-out crash] %d events in %d traces acknowledged (%d requests refused or cut off), %d analyses stored, "
                            + "%d provider calls repeated (%d of B's were in flight at the kill), %d cluster runs, %d clusters, %d alerts delivered "
                            + "(%d repeated); sending done at %d ms, everything analysed at %d ms, total %d ms%n",
                    acknowledged.size(), acknowledgedTraces.size(), refused.get(), count("SELECT count(*) FROM analyses"), repeats, inFlightAtKill,
                    count("SELECT count(*) FROM cluster_runs"), count("SELECT count(*) FROM clusters WHERE status = 'active'"),
                    receiver.received("/hook").size(), alertRepeats, sent, analysed, millisSince(began));
            assertThat(repeats).as("calls repeated: only those cut off by the kill").isLessThanOrEqualTo(2 * LLM_CONCURRENCY);
        } finally {
            sending.set(false);
            if (sender.isAlive()) {
                sender.join();
            }
            for (ChildJvm child : children) {
                child.close();
            }
            TestServer.await(receiver.close());
            TestServer.await(provider.close());
            TestServer.await(vertx.close());
            pg.close();
        }
    }

    private Map<String, String> settings(String instance, ServicePostgres pg, FakeOpenAiProvider provider, String redis, String apiKey) {
        Map<String, String> s = TestServer.defaults(dataDir.resolve(instance));
        s.put("trace.idleSeconds", "1");
        s.put("pg.url", pg.url());
        s.put("redis.url", redis);
        s.put("kafka.bootstrap", kafka.bootstrapServers());
        s.put("kafka.partitions", "4");
        s.put("kafka.maxPollEvents", "50");
        s.put("llm.provider", "openai");
        s.put("llm.baseUrl", provider.url());
        s.put("llm.apiKey", apiKey);
        s.put("llm.maxConcurrent", Integer.toString(LLM_CONCURRENCY));
        s.put("embed.provider", "openai");
        s.put("embed.baseUrl", provider.url());
        s.put("embed.apiKey", apiKey);
        s.put("cluster.refreshAfter", "10");
        s.put("cluster.refreshMinutes", "0");
        s.put("cluster.minIntervalSeconds", "0");
        s.put("alerts.allowPrivateDestinations", "true");
        s.put("alerts.evaluateSeconds", "0");
        s.put("alerts.backoffMillis", "500");
        return s;
    }

    /** Copies of the fixtures, each with a trace id, user and event uuids of its own, to the instances in turn. */
    private void send(List<Fixtures.Fixture> fixtures, AtomicBoolean sending) {
        int n = 0;
        while (sending.get()) {
            Fixtures.Fixture f = fixtures.get(n % fixtures.size());
            String traceId = "so-" + n + "-" + f.traceId();
            ObjectNode body = HttpApi.JSON.createObjectNode().put("api_key", TestServer.PROJECT_TOKEN);
            ArrayNode batch = body.putArray("batch");
            List<String> uuids = new ArrayList<>();
            for (JsonNode e : f.events()) {
                ObjectNode copy = e.deepCopy();
                String uuid = UUID.randomUUID().toString();
                copy.put("uuid", uuid).put("distinct_id", "user-" + n % 7);
                ((ObjectNode) copy.with("properties")).put("$ai_trace_id", traceId);
                batch.add(copy);
                uuids.add(uuid);
            }
            List<Integer> ports = List.copyOf(targets);
            int port = ports.get(n++ % ports.size());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/batch/"))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && HttpApi.JSON.readTree(r.body()).path("accepted").asInt() == uuids.size()) {
                    acknowledged.addAll(uuids);
                    acknowledgedTraces.add(traceId);
                } else {
                    refused.incrementAndGet();
                }
            } catch (IOException e) {
                refused.incrementAndGet(); // the instance was killed under us: never acknowledged
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Every acknowledged trace completed and dispatched, and no analysis left queued or running. */
    private boolean allAnalysed() throws Exception {
        Set<String> dispatched = strings("SELECT trace_id FROM traces WHERE status = 'completed' AND dispatched_version = version");
        return dispatched.containsAll(acknowledgedTraces) && count("SELECT count(*) FROM analyses WHERE status IN ('queued', 'running')") == 0;
    }

    private void assertEventsStoredOnce() throws Exception {
        Set<String> stored = strings("SELECT uuid FROM events");
        assertThat(stored).as("every acknowledged event stored").containsAll(acknowledged);
        assertThat(count("SELECT count(*) FROM events")).as("each stored once").isEqualTo(stored.size());
        assertThat(count("SELECT count(*) FROM (SELECT trace_id FROM events GROUP BY trace_id HAVING count(*) > 0) t"))
                .as("acknowledged traces stored").isGreaterThanOrEqualTo(acknowledgedTraces.size());
        assertThat(count("SELECT count(*) FROM traces WHERE version <> 1")).as("no trace reopened: each arrived in one request").isZero();
    }

    /** One stored analysis per (trace, theme); each provider call has one, and none was asked again once stored. */
    private int assertAnalysedOnce(FakeOpenAiProvider provider) throws Exception {
        Map<String, Instant> completed = new HashMap<>();
        Map<String, Set<String>> themesByTrace = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT t.name, a.trace_id, a.status, a.completed_at FROM analyses a
                JOIN themes t ON t.project_id = a.project_id AND t.theme_id = a.theme_id""")) {
            while (rs.next()) {
                String key = rs.getString(1) + "/" + rs.getString(2);
                assertThat(rs.getString(3)).as("status of " + key).isEqualTo("done");
                assertThat(completed.put(key, rs.getTimestamp(4).toInstant())).as("one analysis per (theme, trace): " + key).isNull();
                if (!rs.getString(1).equals("Success patterns")) { // sampled by trace id
                    themesByTrace.computeIfAbsent(rs.getString(2), t -> new HashSet<>()).add(rs.getString(1));
                }
            }
        }
        // Theme filters are deterministic: every copy of a fixture is analysed by the same themes, whichever instance
        // took it and whether or not it was cut off by the kill.
        Map<String, Set<String>> themesByFixture = new HashMap<>();
        for (String trace : acknowledgedTraces) {
            Set<String> themes = themesByTrace.getOrDefault(trace, Set.of());
            Set<String> first = themesByFixture.putIfAbsent(fixtureOf(trace), themes);
            if (first != null) {
                assertThat(themes).as("themes analysing " + trace + " and the other copies of its fixture").isEqualTo(first);
            }
        }
        assertThat(completed).as("analyses").hasSizeGreaterThan(acknowledgedTraces.size() / 2);
        return provider.assertEachAnsweredOnce(completed, kills);
    }

    /**
     * Each summary in at most one cluster, runs of a theme one at a time, and no two active clusters of a theme on the
     * same centroid (the same fixture's summaries embed alike, so a cluster made twice would sit on one point).
     */
    private void assertClustersNotDuplicated() throws Exception {
        assertThat(count("SELECT count(*) FROM cluster_runs")).as("re-clustering runs").isPositive();
        assertThat(count("SELECT count(*) FROM clusters WHERE status = 'active'")).as("active clusters").isPositive();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
            List<long[]> spans = new ArrayList<>();
            String previousTheme = null;
            try (ResultSet rs = s.executeQuery("SELECT theme_id, extract(epoch FROM at) * 1000, elapsed_ms FROM cluster_runs ORDER BY theme_id, id")) {
                while (rs.next()) {
                    if (!rs.getString(1).equals(previousTheme)) {
                        spans.clear();
                        previousTheme = rs.getString(1);
                    }
                    long end = (long) rs.getDouble(2);
                    long start = end - rs.getLong(3);
                    if (!spans.isEmpty()) {
                        assertThat(start).as("a run of %s started before the previous one was stored", previousTheme)
                                .isGreaterThanOrEqualTo(spans.get(spans.size() - 1)[1] - 50);
                    }
                    spans.add(new long[]{start, end});
                }
            }
            Map<String, List<float[]>> centroids = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT theme_id, cluster_id, centroid FROM clusters WHERE status = 'active'")) {
                while (rs.next()) {
                    Array arr = rs.getArray(3);
                    Float[] boxed = (Float[]) arr.getArray();
                    float[] v = new float[boxed.length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = boxed[i];
                    }
                    for (float[] other : centroids.computeIfAbsent(rs.getString(1), t -> new ArrayList<>())) {
                        assertThat(cosineDistance(v, other)).as("two active clusters of %s on one centroid (%s)", rs.getString(1), rs.getString(2))
                                .isGreaterThan(1e-4);
                    }
                    centroids.get(rs.getString(1)).add(v);
                }
            }
            assertThat(count("""
                    SELECT count(*) FROM cluster_members m LEFT JOIN clusters c ON c.project_id = m.project_id AND c.cluster_id = m.cluster_id
                    WHERE m.cluster_id IS NOT NULL AND (c.cluster_id IS NULL OR c.status <> 'active' OR c.theme_id <> m.theme_id)"""))
                    .as("members of clusters that are not the theme's active ones").isZero();
        }
    }

    /** One firing per (rule, cluster, kind), each delivered; returns how many notices the receiver got more than once. */
    private int assertAlertsNotDuplicated(Receiver receiver) throws Exception {
        assertThat(count("SELECT count(*) FROM (SELECT 1 FROM alert_firings GROUP BY rule_id, cluster_id, kind HAVING count(*) > 1) d"))
                .as("firings of one rule for one cluster twice").isZero();
        assertThat(count("SELECT count(*) FROM alert_deliveries WHERE status <> 'delivered'")).as("deliveries not delivered").isZero();
        Map<String, Integer> byKey = new HashMap<>();
        receiver.received("/hook").forEach(r -> byKey.merge(r.body().path("dedupe_key").asText(), 1, Integer::sum));
        assertThat(byKey.keySet()).as("every firing delivered").containsExactlyInAnyOrderElementsOf(strings("SELECT dedupe_key FROM alert_firings"));
        int repeats = byKey.values().stream().mapToInt(n -> n - 1).sum();
        // A delivery is sent again only when its sender died mid-send (its lease ran out): at most the one kill's.
        assertThat(repeats).as("notices received twice").isLessThanOrEqualTo(LLM_CONCURRENCY);
        return repeats;
    }

    private static double cosineDistance(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return 1 - dot / Math.sqrt(na * nb);
    }

    private JsonNode admin(int port, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isLessThan(300);
        return HttpApi.JSON.readTree(r.body());
    }

    private Set<String> strings(String sql) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code so-<n>-<fixture trace id>} → the fixture trace id. */
    private static String fixtureOf(String traceId) {
        String[] parts = traceId.split("-", 3);
        return parts.length == 3 ? parts[2] : traceId;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
