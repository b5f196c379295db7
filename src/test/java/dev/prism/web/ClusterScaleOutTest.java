package dev.prism.web;

import dev.prism.bus.Addresses;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one PostgreSQL re-clustering one theme: a trigger wave reaching both is computed by one of them,
 * runs never overlap, and an instance that did not compute a run places new summaries with its centroids.
 */
@DisplayName("Re-clustering across instances")
class ClusterScaleOutTest {

    private static final String P = "default";
    private static final String THEME = IssueCorpus.ERRORS;
    private static final Random RANDOM = new Random(17);
    private static final Pattern RUNS = Pattern.compile("prism_cluster_runs_total\\{result=\"(\\w+)\"[^}]*} ([0-9.]+)");

    private String jdbc;
    private int nextTrace;

    @Test
    @DisplayName("both instances trigger, one computes each run; the other places later summaries with the newest run's centroids")
    void oncePerTrigger(@TempDir Path dataDir) throws Exception {
        Vertx va = Vertx.vertx();
        Vertx vb = Vertx.vertx();
        ServicePostgres pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        TestServer a = null;
        TestServer b = null;
        try {
            Map<String, String> settings = new HashMap<>();
            settings.put("pg.url", pg.url());
            settings.put("cluster.refreshAfter", "10");
            settings.put("cluster.refreshMinutes", "0");
            settings.put("cluster.minIntervalSeconds", "0");
            Map<String, String> sa = TestServer.defaults(dataDir.resolve("a"));
            sa.putAll(settings);
            a = TestServer.start(va, sa);
            Map<String, String> sb = TestServer.defaults(dataDir.resolve("b"));
            sb.putAll(settings);
            b = TestServer.start(vb, sb);
            List<IssueCorpus.Text> corpus = IssueCorpus.generate(16, 0, 3).stream().filter(t -> t.themeId().equals(THEME)).toList();

            // 1. The same wave reaches both: each instance's summaries are enough for the theme's first run on their own.
            List<IssueCorpus.Text> first = corpus.stream().filter(t -> t.label() < 2 && t.summary().hashCode() % 4 != 0).toList();
            List<SummaryCreated> wave = store(first);
            for (int i = 0; i < wave.size(); i++) {
                (i % 2 == 0 ? va : vb).eventBus().publish(Addresses.SUMMARY_CREATED, wave.get(i));
            }
            TestServer ta = a;
            TestServer tb = b;
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM cluster_members") == wave.size()
                    && count("SELECT count(*) FROM cluster_runs") >= 1);
            // Quiet: no trigger nor run for three seconds on either instance.
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> runs(ta).toString() + runs(tb) + count("SELECT count(*) FROM cluster_runs"),
                            new java.util.function.Predicate<String>() {
                                String last;
                                long since = System.nanoTime();

                                @Override
                                public boolean test(String now) {
                                    if (!now.equals(last)) {
                                        last = now;
                                        since = System.nanoTime();
                                    }
                                    return System.nanoTime() - since > 3_000_000_000L;
                                }
                            }::test);
            Map<String, Double> ra = runs(a);
            Map<String, Double> rb = runs(b);
            long stored = count("SELECT count(*) FROM cluster_runs");
            double computed = ra.getOrDefault("computed", 0.0) + rb.getOrDefault("computed", 0.0);
            double triggers = computed + ra.getOrDefault("skipped", 0.0) + rb.getOrDefault("skipped", 0.0)
                    + ra.getOrDefault("adopted", 0.0) + rb.getOrDefault("adopted", 0.0);
            System.out.printf("[cluster scale-out] wave of %d: A %s, B %s, %d runs stored%n", wave.size(), ra, rb, stored);
            assertThat(computed).as("every stored run computed once, by one instance").isEqualTo(stored);
            assertThat(ra.values().stream().mapToDouble(Double::doubleValue).sum()).as("A triggered").isPositive();
            assertThat(rb.values().stream().mapToDouble(Double::doubleValue).sum()).as("B triggered").isPositive();
            assertThat(triggers).as("a trigger of the other instance was not computed again").isGreaterThan(stored);
            assertNoOverlap();

            // 2. New categories reach A only, and A re-clusters on request: B never computed this run.
            List<IssueCorpus.Text> second = corpus.stream().filter(t -> t.label() >= 2 && t.summary().hashCode() % 4 != 0).toList();
            List<SummaryCreated> more = store(second);
            more.forEach(s -> va.eventBus().publish(Addresses.SUMMARY_CREATED, s));
            int total = wave.size() + more.size();
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM cluster_members") == total);
            var run = a.http.admin("POST", "/api/projects/default/themes/" + THEME + "/clusters/refresh", null);
            assertThat(run.status()).as(String.valueOf(run.json())).isEqualTo(200);
            long latest = run.json().get("run_id").asLong();
            assertThat(count("SELECT max(id) FROM cluster_runs")).isEqualTo(latest);
            assertNoOverlap();

            // 3. Later summaries of every category reach B only: placed with the centroids of A's run.
            // Fewer than cluster.refreshAfter: B places them without a run of its own.
            List<IssueCorpus.Text> third = corpus.stream().filter(t -> t.summary().hashCode() % 4 == 0).limit(8).toList();
            List<SummaryCreated> late = store(third);
            late.forEach(s -> vb.eventBus().publish(Addresses.SUMMARY_CREATED, s));
            int all = total + late.size();
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM cluster_members") == all);
            assertThat(count("SELECT max(id) FROM cluster_runs")).as("too few for a run of B's own").isEqualTo(latest);
            int placed = checkPlacedWithNewestCentroids(late);
            System.out.printf("[cluster scale-out] %d late summaries on B: %d placed in clusters, each at its nearest centroid of the newest run%n",
                    late.size(), placed);
            assertThat(placed).as("most late summaries join a cluster").isGreaterThanOrEqualTo(late.size() / 2);
        } finally {
            if (a != null) {
                a.stop();
            }
            if (b != null) {
                b.stop();
            }
            await(va.close());
            await(vb.close());
            pg.close();
        }
    }

    /** Each late summary's stored cluster is its nearest active centroid now, at the stored distance. */
    private int checkPlacedWithNewestCentroids(List<SummaryCreated> late) throws Exception {
        Map<String, float[]> centroids = new HashMap<>();
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, String> cluster = new HashMap<>();
        Map<String, Double> distance = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "")) {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT cluster_id, centroid FROM clusters WHERE theme_id = '" + THEME + "' AND status = 'active'")) {
                while (rs.next()) {
                    centroids.put(rs.getString(1), floats(rs.getArray(2)));
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT m.trace_id, m.cluster_id, m.distance, e.vector FROM cluster_members m JOIN embeddings e USING (project_id, theme_id, trace_id)"
                            + " WHERE m.theme_id = '" + THEME + "'")) {
                while (rs.next()) {
                    cluster.put(rs.getString(1), rs.getString(2));
                    distance.put(rs.getString(1), rs.getObject(3) == null ? null : rs.getDouble(3));
                    vectors.put(rs.getString(1), floats(rs.getArray(4)));
                }
            }
        }
        assertThat(centroids).isNotEmpty();
        int placed = 0;
        for (SummaryCreated s : late) {
            String got = cluster.get(s.traceId());
            if (got == null) {
                continue;
            }
            placed++;
            String nearest = null;
            double best = Double.MAX_VALUE;
            for (Map.Entry<String, float[]> e : centroids.entrySet()) {
                double d = cosineDistance(vectors.get(s.traceId()), e.getValue());
                if (d < best) {
                    best = d;
                    nearest = e.getKey();
                }
            }
            assertThat(got).as("cluster of " + s.traceId()).isEqualTo(nearest);
            assertThat(distance.get(s.traceId())).as("distance of " + s.traceId()).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-4));
        }
        return placed;
    }

    private static float[] floats(Array array) throws Exception {
        Object[] boxed = (Object[]) array.getArray();
        float[] out = new float[boxed.length];
        for (int i = 0; i < boxed.length; i++) {
            out[i] = ((Number) boxed[i]).floatValue();
        }
        return out;
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

    /** Runs of the theme never computed at the same time: each started after the one before had stored. */
    private void assertNoOverlap() throws Exception {
        List<long[]> spans = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT extract(epoch FROM at) * 1000, elapsed_ms FROM cluster_runs ORDER BY id")) {
            while (rs.next()) {
                long end = (long) rs.getDouble(1);
                spans.add(new long[]{end - rs.getLong(2), end});
            }
        }
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i)[0]).as("run %d started after run %d stored", i + 1, i).isGreaterThanOrEqualTo(spans.get(i - 1)[1] - 50);
        }
    }

    private Map<String, Double> runs(TestServer server) throws Exception {
        Map<String, Double> out = new HashMap<>();
        Matcher m = RUNS.matcher(server.http.get("/metrics", null).json().asText());
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Stores each text as a completed trace with a user and a done analysis; answers the summaries to publish. */
    private List<SummaryCreated> store(List<IssueCorpus.Text> texts) throws Exception {
        List<SummaryCreated> out = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at, latency_seconds, cost_usd, error_count) VALUES ('default', ?, 1, 'completed', ?, ?, ?, 1, 0, 1)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", properties) "
                     + "VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (IssueCorpus.Text t : texts) {
                String id = "s" + (nextTrace++);
                Timestamp at = Timestamp.from(now.minus(RANDOM.nextInt(600), ChronoUnit.MINUTES));
                trace.setString(1, id);
                trace.setTimestamp(2, at);
                trace.setTimestamp(3, at);
                trace.setTimestamp(4, at);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + RANDOM.nextInt(8));
                event.setString(3, id);
                event.setTimestamp(4, at);
                event.addBatch();
                analysis.setString(1, t.themeId());
                analysis.setString(2, id);
                analysis.setString(3, t.title());
                analysis.setString(4, t.summary());
                analysis.setTimestamp(5, at);
                analysis.setTimestamp(6, at);
                analysis.addBatch();
                out.add(new SummaryCreated(P, t.themeId(), id, 1, 1, true, t.title(), t.summary(), null, "offline", 0, 0, 0, 0, at.toInstant()));
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        return out;
    }
}
