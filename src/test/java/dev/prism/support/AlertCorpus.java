package dev.prism.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.SummaryCreated;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The error theme of {@link IssueCorpus} stored the offline way for alert tests: completed traces with done analyses
 * of a chosen age, embedded by the local model and clustered by the server, with cluster members dated when their
 * traces completed (so trends, and the growth and regression rules reading them, see the corpus's timeline). One
 * instance per test class; the server may be replaced ({@link #use}) to play a restart on the same database.
 */
public final class AlertCorpus {

    public static final String PROJECT = "default";
    public static final String THEME = IssueCorpus.ERRORS;

    private final Vertx vertx;
    private final String jdbc;
    private final Random random;
    private final AtomicLong lastUpdate = new AtomicLong(System.nanoTime());
    private TestServer server;
    private int nextTrace;
    private int stored;

    public AlertCorpus(Vertx vertx, ServicePostgres pg, long seed) {
        this.vertx = vertx;
        this.jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        this.random = new Random(seed);
        vertx.eventBus().consumer(Addresses.CLUSTER_UPDATED, m -> lastUpdate.set(System.nanoTime()));
    }

    /**
     * Test defaults for a server that re-clusters only when asked (one refresh is one clustering cycle) and evaluates
     * alert rules only on cluster updates.
     */
    public static Map<String, String> settings(Path dataDir, ServicePostgres pg, String publicUrl) {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("cluster.refreshAfter", "0");
        settings.put("cluster.refreshMinutes", "0");
        settings.put("alerts.evaluateSeconds", "0");
        settings.put("dashboard.publicUrl", publicUrl + "/");
        return settings;
    }

    public AlertCorpus use(TestServer s) {
        this.server = s;
        return this;
    }

    public TestServer server() {
        return server;
    }

    /** The theme's error texts: {@code perCategory} of each cause, or of one cause only. */
    public static List<IssueCorpus.Text> errors(int perCategory, long seed, String onlyCategory) {
        return IssueCorpus.generate(perCategory, perCategory, seed).stream().filter(t -> t.themeId().equals(THEME))
                .filter(t -> onlyCategory == null || onlyCategory.equals(t.category())).toList();
    }

    /** Stores texts as completed traces with done analyses of the given age, publishes them, waits until all are cluster members. */
    public List<String> add(List<IssueCorpus.Text> texts, Duration minAge, Duration maxAge) throws Exception {
        List<String> ids = new ArrayList<>();
        List<SummaryCreated> summaries = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection c = connect();
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at, error_count) VALUES ('default', ?, 1, 'completed', ?, ?, ?, 1)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", properties) "
                     + "VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, severity, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (IssueCorpus.Text t : texts) {
                String id = "t" + (nextTrace++);
                long spread = maxAge.toMinutes() - minAge.toMinutes();
                Timestamp at = Timestamp.from(now.minus(minAge).minus(random.nextInt((int) spread), ChronoUnit.MINUTES));
                String severity = t.category().equals("payment-timeout") ? "high" : "low";
                trace.setString(1, id);
                trace.setTimestamp(2, at);
                trace.setTimestamp(3, at);
                trace.setTimestamp(4, at);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + random.nextInt(12));
                event.setString(3, id);
                event.setTimestamp(4, at);
                event.addBatch();
                analysis.setString(1, t.themeId());
                analysis.setString(2, id);
                analysis.setString(3, t.title());
                analysis.setString(4, t.summary());
                analysis.setString(5, severity);
                analysis.setTimestamp(6, at);
                analysis.setTimestamp(7, at);
                analysis.addBatch();
                ids.add(id);
                summaries.add(new SummaryCreated(PROJECT, t.themeId(), id, 1, 1, true, t.title(), t.summary(), severity, "offline", 0, 0, 0, 0,
                        at.toInstant()));
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
        stored += texts.size();
        await().atMost(Duration.ofSeconds(120)).until(() -> await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT,
                new EmbedSnapshot(PROJECT, THEME))).body().items().size() >= stored);
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM cluster_members WHERE theme_id = '" + THEME + "'") >= stored);
        // Trends count members by when they reached the clustering; these "arrived" when their traces completed.
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("UPDATE cluster_members m SET member_at = t.completed_at FROM traces t"
                     + " WHERE t.project_id = m.project_id AND t.trace_id = m.trace_id AND m.trace_id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            assertThat(s.executeUpdate()).isEqualTo(ids.size());
        }
        return ids;
    }

    /**
     * Stores {@code count} completed traces the theme analysed and found not relevant (no summary, nothing to embed or
     * cluster): the denominator of the theme's share of relevant traces.
     */
    public void addIrrelevant(int count, Duration minAge, Duration maxAge) throws Exception {
        Instant now = Instant.now();
        try (Connection c = connect();
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at, error_count) VALUES ('default', ?, 1, 'completed', ?, ?, ?, 0)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', false, '', '', 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                String id = "t" + (nextTrace++);
                long spread = maxAge.toMinutes() - minAge.toMinutes();
                Timestamp at = Timestamp.from(now.minus(minAge).minus(random.nextInt((int) spread), ChronoUnit.MINUTES));
                trace.setString(1, id);
                trace.setTimestamp(2, at);
                trace.setTimestamp(3, at);
                trace.setTimestamp(4, at);
                trace.addBatch();
                analysis.setString(1, THEME);
                analysis.setString(2, id);
                analysis.setTimestamp(3, at);
                analysis.setTimestamp(4, at);
                analysis.addBatch();
            }
            trace.executeBatch();
            analysis.executeBatch();
        }
    }

    /**
     * Moves everything stored so far {@code by} into the past (traces, analyses, member times), as if that much time had
     * passed without a summary: what makes a cluster come back after quiet days within one test run.
     */
    public void age(Duration by) throws Exception {
        String interval = by.toSeconds() + " seconds";
        try (Connection c = connect()) {
            c.createStatement().executeUpdate("UPDATE traces SET first_seen = first_seen - interval '" + interval + "', last_seen = last_seen - interval '"
                    + interval + "', completed_at = completed_at - interval '" + interval + "' WHERE project_id = 'default'");
            c.createStatement().executeUpdate("UPDATE analyses SET created_at = created_at - interval '" + interval
                    + "', completed_at = completed_at - interval '" + interval + "' WHERE project_id = 'default'");
            c.createStatement().executeUpdate("UPDATE cluster_members SET member_at = member_at - interval '" + interval + "' WHERE project_id = 'default'");
        }
    }

    public long count(String sql) throws Exception {
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The cluster most of these traces are members of. */
    public String clusterOf(List<String> traces) throws Exception {
        Map<String, Integer> votes = new HashMap<>();
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("SELECT cluster_id FROM cluster_members WHERE theme_id = ? AND trace_id = ANY(?)")) {
            s.setString(1, THEME);
            s.setArray(2, c.createArrayOf("text", traces.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null) {
                        votes.merge(rs.getString(1), 1, Integer::sum);
                    }
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** One clustering cycle of the theme. */
    public void refresh() throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/themes/" + THEME + "/clusters/refresh", null);
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
    }

    /** Waits until no cluster update came for twice the alert evaluation's debounce: the evaluations they caused are over. */
    public void awaitQuiet() {
        await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - lastUpdate.get() > 2_000_000_000L);
    }

    /**
     * The notice a rule that fired for the cluster now must have sent, from the cluster API (without {@code fired_at},
     * which only the notice knows): name, size, the trend's last and previous day, the first three representatives'
     * summaries and links under {@code publicUrl}.
     */
    public ObjectNode expectedGrowthNotice(String ruleId, String ruleName, String clusterId, String publicUrl) throws Exception {
        JsonNode cluster = server.http.api("/api/projects/default/clusters/" + clusterId).json();
        long last = cluster.get("trend").get("last_day").asLong();
        long previous = cluster.get("trend").get("previous_day").asLong();
        ObjectNode expected = HttpApi.JSON.createObjectNode().put("project_id", PROJECT).put("rule_id", ruleId)
                .put("rule_name", ruleName).put("theme_id", THEME)
                .put("theme_name", server.http.api("/api/projects/default/themes/" + THEME).json().get("name").asText())
                .put("cluster_id", clusterId).put("cluster_name", cluster.get("title").asText()).put("kind", "growth")
                .put("lifecycle", "growing").put("size", cluster.get("size").asInt()).put("previous_size", previous)
                .put("growth_percent", (last - previous) * 100.0 / previous).put("severity", "high");
        var summaries = expected.putArray("summaries");
        List<JsonNode> reps = new ArrayList<>();
        cluster.get("representatives").forEach(reps::add);
        reps.stream().limit(3).forEach(m -> summaries.add(m.get("summary").asText()));
        expected.put("cluster_url", publicUrl + "/#/themes/" + THEME + "/clusters")
                .put("trace_url", publicUrl + "/#/traces/" + reps.get(0).get("trace_id").asText())
                .put("dedupe_key", ruleId + "/" + clusterId + "/growth:day:" + Instant.now().atOffset(ZoneOffset.UTC).toLocalDate())
                .putNull("share_percent").putNull("previous_share_percent");
        return expected;
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(jdbc, "postgres", "");
    }
}
