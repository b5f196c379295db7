package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.SummaryCreated;
import dev.prism.cluster.AdjustedRandIndex;
import dev.prism.support.HttpApi;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clustering in the running server on a labelled corpus (issue 6's "must show"): summaries written many ways per
 * issue category, mixed with unrelated chat, embedded by the local model, clustered per theme with the built-in themes'
 * default configuration (k-means, automatic k, at least 5 members from 2 users).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Clusters in the running server")
class ClusterPipelineTest {

    private static final String P = "default";
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static String jdbc;
    /** trace id → the text it was made from */
    private static final Map<String, IssueCorpus.Text> TRUTH = new HashMap<>();
    private static final Random RANDOM = new Random(5);
    private static int nextTrace;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("cluster.refreshAfter", "0"); // runs only when the tests ask
        settings.put("cluster.refreshMinutes", "0");
        server = TestServer.start(vertx, settings);
        add(IssueCorpus.generate(30, 30, 1));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(vertx.close());
        pg.close();
    }

    /** Stores each text as a completed trace with a user and a done analysis, publishes its summary, waits for its vector. */
    private static List<String> add(List<IssueCorpus.Text> texts) throws Exception {
        List<String> ids = new ArrayList<>();
        List<SummaryCreated> summaries = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at, latency_seconds, cost_usd, error_count) VALUES ('default', ?, 1, 'completed', ?, ?, ?, ?, ?, ?)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", properties) "
                     + "VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, "
                     + "status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at) "
                     + "VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            for (IssueCorpus.Text t : texts) {
                String id = "t" + (nextTrace++);
                Timestamp at = Timestamp.from(now.minus(RANDOM.nextInt(48 * 60), ChronoUnit.MINUTES));
                trace.setString(1, id);
                trace.setTimestamp(2, at);
                trace.setTimestamp(3, at);
                trace.setTimestamp(4, at);
                trace.setDouble(5, 1 + RANDOM.nextDouble() * 4);
                trace.setDouble(6, 0.001 * RANDOM.nextInt(10));
                trace.setInt(7, t.themeId().equals(IssueCorpus.ERRORS) ? 1 : 0);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + RANDOM.nextInt(12));
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
                TRUTH.put(id, t);
                ids.add(id);
                summaries.add(new SummaryCreated(P, t.themeId(), id, 1, 1, true, t.title(), t.summary(), null, "offline", 0, 0, 0, 0,
                        at.toInstant()));
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
        Map<String, Long> expected = new HashMap<>();
        TRUTH.values().forEach(t -> expected.merge(t.themeId(), 1L, Long::sum));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (Map.Entry<String, Long> theme : expected.entrySet()) {
            while (await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot(P, theme.getKey())))
                    .body().items().size() < theme.getValue()) {
                assertThat(System.nanoTime()).as("embedded in time").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        return ids;
    }

    private static JsonNode refresh(String theme) throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/themes/" + theme + "/clusters/refresh", null);
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
        return r.json();
    }

    /** Cluster per trace of the theme from the store, -1 for Other. */
    private static Map<String, String> membership(String theme) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement s = c.prepareStatement("SELECT trace_id, cluster_id FROM cluster_members WHERE project_id = 'default' AND theme_id = ?")) {
            s.setString(1, theme);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private static double ari(String theme) throws Exception {
        Map<String, String> members = membership(theme);
        List<String> ids = TRUTH.entrySet().stream().filter(e -> e.getValue().themeId().equals(theme)).map(Map.Entry::getKey).sorted().toList();
        int[] truth = new int[ids.size()];
        int[] found = new int[ids.size()];
        Map<String, Integer> numbers = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            truth[i] = TRUTH.get(ids.get(i)).label();
            String cluster = members.get(ids.get(i));
            found[i] = cluster == null ? -1 : numbers.computeIfAbsent(cluster, k -> numbers.size());
        }
        return AdjustedRandIndex.of(truth, found);
    }

    private static Set<String> clusterIds(String theme) throws Exception {
        JsonNode list = server.http.api("/api/projects/default/themes/" + theme + "/clusters").json();
        Set<String> ids = new HashSet<>();
        list.get("results").forEach(c -> ids.add(c.get("id").asText()));
        return ids;
    }

    private static double kept(Set<String> before, Set<String> after) {
        Set<String> both = new HashSet<>(before);
        both.retainAll(after);
        return before.isEmpty() ? 0 : (double) both.size() / before.size();
    }

    @Test
    @Order(1)
    @DisplayName("each theme's categories come out as clusters with adjusted Rand index ≥ 0.6 against the labels, unrelated chat mostly in Other")
    void quality() throws Exception {
        for (String theme : List.of(IssueCorpus.ERRORS, IssueCorpus.FEATURES)) {
            JsonNode run = refresh(theme);
            double ari = ari(theme);
            System.out.printf("[cluster quality] %s: ARI %.3f, %s%n", theme, ari, run);

            assertThat(run.get("items").asInt()).isEqualTo(150);
            assertThat(run.get("clusters").asInt()).isBetween(4, 8);
            assertThat(run.get("lineage").get("new").asInt()).isEqualTo(run.get("clusters").asInt());
            assertThat(run.get("renamed").asInt()).isEqualTo(run.get("clusters").asInt());
            assertThat(run.get("elapsed_ms").asLong()).isPositive();
            assertThat(ari).isGreaterThanOrEqualTo(0.6);
        }
    }

    @Test
    @Order(2)
    @DisplayName("the cluster list gives id, title, description, size, trend, growth, metrics and map coordinates, largest first")
    void listShape() throws Exception {
        HttpApi.Response r = server.http.api("/api/projects/default/themes/error_analysis/clusters");
        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.size()).isGreaterThanOrEqualTo(4);
        assertThat(r.json().get("theme_summaries").asInt()).isEqualTo(150);
        assertThat(r.json().get("last_run").get("items").asInt()).isEqualTo(150);
        int previousSize = Integer.MAX_VALUE;
        int total = 0;
        for (JsonNode c : results) {
            assertThat(c.get("id").asText()).startsWith("c_");
            assertThat(c.get("title").asText()).isNotBlank().isNotEqualTo("Unnamed cluster");
            // The description names what sets the cluster apart and a typical member; no count, which would go stale.
            assertThat(c.get("description").asText()).startsWith("Distinctive terms: ").contains("Typical: ")
                    .doesNotContainPattern("\\d+ summaries");
            assertThat(c.get("size").asInt()).isBetween(5, previousSize);
            previousSize = c.get("size").asInt();
            total += previousSize;
            assertThat(c.get("trend").get("hourly")).hasSize(24);
            assertThat(c.get("trend").get("daily")).hasSize(14);
            long daily = 0;
            for (JsonNode b : c.get("trend").get("daily")) {
                daily += b.get("count").asLong();
            }
            assertThat(daily).isEqualTo(c.get("size").asLong()); // every member is from the last 48 hours
            assertThat(c.has("growth")).isTrue();
            JsonNode m = c.get("metrics");
            assertThat(m.get("share_of_theme").asDouble()).isCloseTo(c.get("size").asDouble() / 150, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(m.get("avg_latency_seconds").asDouble()).isBetween(1.0, 5.0);
            assertThat(m.get("error_rate").asDouble()).isEqualTo(1.0);
            assertThat(m.get("distinct_users").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(c.get("x").isNumber() && c.get("y").isNumber()).isTrue();
        }
        assertThat(total + r.json().get("unassigned").asInt()).isEqualTo(150);
        // the clusters are spread on the map, not piled on one point
        assertThat(results.get(0).get("x").asDouble()).isNotEqualTo(results.get(1).get("x").asDouble());
    }

    @Test
    @Order(3)
    @DisplayName("one cluster lists its members nearest the centroid first, representative summaries and its lineage")
    void detail() throws Exception {
        JsonNode first = server.http.api("/api/projects/default/themes/feature_requests/clusters").json().get("results").get(0);
        HttpApi.Response r = server.http.api("/api/projects/default/clusters/" + first.get("id").asText());
        assertThat(r.status()).isEqualTo(200);
        JsonNode d = r.json();
        assertThat(d.get("members")).hasSize(first.get("size").asInt());
        double previous = -1;
        Map<String, Integer> categories = new HashMap<>();
        for (JsonNode m : d.get("members")) {
            assertThat(m.get("distance").asDouble()).isGreaterThanOrEqualTo(previous);
            previous = m.get("distance").asDouble();
            categories.merge(TRUTH.get(m.get("trace_id").asText()).category(), 1, Integer::sum);
        }
        int top = categories.values().stream().max(Integer::compare).orElse(0);
        assertThat(top).as(categories.toString()).isGreaterThanOrEqualTo((int) Math.ceil(0.8 * d.get("members").size()));
        assertThat(d.get("representatives")).hasSize(5);
        JsonNode nearestTwo = server.http.api("/api/projects/default/clusters/" + first.get("id").asText() + "?members_limit=2").json();
        assertThat(nearestTwo.get("members")).hasSize(2);
        assertThat(nearestTwo.get("members").get(1).get("trace_id")).isEqualTo(d.get("members").get(1).get("trace_id"));
        HttpApi.Response tooMany = server.http.api("/api/projects/default/clusters/" + first.get("id").asText() + "?members_limit=0");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("error").asText()).isEqualTo("invalid_members_limit");
        for (JsonNode rep : d.get("representatives")) {
            assertThat(rep.get("title").asText()).isEqualTo(TRUTH.get(rep.get("trace_id").asText()).title());
            assertThat(rep.get("summary").asText()).isNotBlank();
        }
        assertThat(d.get("lineage").get(0).get("event").asText()).isEqualTo("NEW");
        // The run's snapshot keeps the name the cluster was given (the cluster page shows renames from it).
        assertThat(d.get("lineage").get(0).get("cluster_id").asText()).isEqualTo(first.get("id").asText());
        assertThat(d.get("lineage").get(0).get("title").asText()).isEqualTo(first.get("title").asText());
        assertThat(d.get("lineage").get(0).get("renamed").asBoolean()).isTrue();
        // A second page of titled members continues the first, each with its summary's title and its trace's figures.
        JsonNode page2 = server.http.api("/api/projects/default/clusters/" + first.get("id").asText()
                + "?members_limit=2&members_offset=2&member_titles=true").json();
        assertThat(page2.get("members").get(0).get("trace_id")).isEqualTo(d.get("members").get(2).get("trace_id"));
        assertThat(page2.get("members").get(0).get("title").asText()).isEqualTo(TRUTH.get(page2.get("members").get(0).get("trace_id").asText()).title());
        assertThat(page2.get("members").get(0).has("cost_usd")).isTrue();
    }

    @Test
    @Order(4)
    @DisplayName("re-clustering the same summaries keeps at least 90 % of the cluster ids and their names")
    void sameDataKeepsIds() throws Exception {
        for (String theme : List.of(IssueCorpus.ERRORS, IssueCorpus.FEATURES)) {
            Set<String> before = clusterIds(theme);
            JsonNode run = refresh(theme);
            Set<String> after = clusterIds(theme);
            System.out.printf("[cluster stability] %s, same data: %.0f %% of %d ids kept, %s%n", theme, 100 * kept(before, after), before.size(), run.get("lineage"));
            assertThat(kept(before, after)).isGreaterThanOrEqualTo(0.9);
            assertThat(run.get("renamed").asInt()).isLessThanOrEqualTo(run.get("clusters").asInt() / 10);
        }
    }

    @Test
    @Order(5)
    @DisplayName("a query about one category returns mostly that category's summaries, each with its trace id, theme, title, summary and score")
    void search() throws Exception {
        String q = URLEncoder.encode("the payment provider keeps timing out when customers check out", StandardCharsets.UTF_8);
        HttpApi.Response r = server.http.api("/api/projects/default/search?q=" + q + "&theme=error_analysis&k=10");
        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results).hasSize(10);
        int payment = 0;
        double previous = 2;
        for (JsonNode hit : results) {
            assertThat(hit.get("theme_id").asText()).isEqualTo("error_analysis");
            assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("score").asDouble();
            IssueCorpus.Text t = TRUTH.get(hit.get("trace_id").asText());
            assertThat(hit.get("title").asText()).isEqualTo(t.title());
            assertThat(hit.get("summary").asText()).isEqualTo(t.summary());
            payment += t.category().equals("payment-timeout") ? 1 : 0;
        }
        assertThat(payment).isGreaterThanOrEqualTo(8);

        // across themes too: a feature request query finds feature requests
        String q2 = URLEncoder.encode("please add a dark theme, the white screen is too bright at night", StandardCharsets.UTF_8);
        JsonNode all = server.http.api("/api/projects/default/search?q=" + q2 + "&k=5").json().get("results");
        assertThat(all).hasSize(5);
        all.forEach(hit -> assertThat(TRUTH.get(hit.get("trace_id").asText()).category()).isEqualTo("dark-mode"));

        assertThat(server.http.api("/api/projects/default/search?q=&k=5").status()).isEqualTo(400);
    }

    @Test
    @Order(6)
    @DisplayName("a new summary joins its category's cluster at once and a cluster.updated event says so")
    void streamingAssignment() throws Exception {
        Map<String, String> members = membership(IssueCorpus.FEATURES);
        Map<String, Integer> exportClusters = new HashMap<>();
        members.forEach((trace, cluster) -> {
            if (cluster != null && TRUTH.get(trace).category().equals("export")) {
                exportClusters.merge(cluster, 1, Integer::sum);
            }
        });
        String exportCluster = exportClusters.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();

        CompletableFuture<LiveEvent> assigned = new CompletableFuture<>();
        var consumer = vertx.eventBus().<Object>consumer(Addresses.CLUSTER_UPDATED, m -> {
            if (m.body() instanceof LiveEvent e && "assigned".equals(e.data().path("event").asText())) {
                assigned.complete(e);
            }
        });
        await(consumer.completion());
        try {
            IssueCorpus.Text text = new IssueCorpus.Text(IssueCorpus.FEATURES, 1, "export", "Wants a spreadsheet download",
                    "The user asked whether their monthly report can be exported to an Excel or CSV file for the accountant.");
            String id = add(List.of(text)).get(0);
            LiveEvent e = assigned.get(30, TimeUnit.SECONDS);
            assertThat(e.type()).isEqualTo("cluster.updated");
            assertThat(e.data().get("trace_id").asText()).isEqualTo(id);
            assertThat(e.key()).isEqualTo(exportCluster);
            assertThat(e.themeId()).isEqualTo(IssueCorpus.FEATURES);
            assertThat(membership(IssueCorpus.FEATURES)).containsEntry(id, exportCluster);
        } finally {
            await(consumer.unregister());
        }
    }

    @Test
    @Order(7)
    @DisplayName("re-clustering with 10 % more summaries keeps at least 90 % of the cluster ids")
    void moreDataKeepsIds() throws Exception {
        Map<String, Set<String>> before = new HashMap<>();
        for (String theme : List.of(IssueCorpus.ERRORS, IssueCorpus.FEATURES)) {
            before.put(theme, clusterIds(theme));
        }
        add(IssueCorpus.generate(3, 3, 2));
        for (String theme : List.of(IssueCorpus.ERRORS, IssueCorpus.FEATURES)) {
            JsonNode run = refresh(theme);
            Set<String> after = clusterIds(theme);
            double ari = ari(theme);
            System.out.printf("[cluster stability] %s, +10 %%: %.0f %% of %d ids kept, ARI %.3f, %s%n", theme, 100 * kept(before.get(theme), after),
                    before.get(theme).size(), ari, run.get("lineage"));
            assertThat(run.get("items").asInt()).isGreaterThanOrEqualTo(165);
            assertThat(kept(before.get(theme), after)).isGreaterThanOrEqualTo(0.9);
            assertThat(ari).isGreaterThanOrEqualTo(0.6);
        }
    }

    @Test
    @Order(8)
    @DisplayName("unknown clusters and themes answer 404 with an error body")
    void notFound() throws Exception {
        HttpApi.Response cluster = server.http.api("/api/projects/default/clusters/c_nope");
        assertThat(cluster.status()).isEqualTo(404);
        assertThat(cluster.json().get("error").asText()).isEqualTo("cluster_not_found");
        assertThat(server.http.api("/api/projects/default/themes/no_such_theme/clusters").status()).isEqualTo(404);
        assertThat(server.http.admin("POST", "/api/projects/default/themes/no_such_theme/clusters/refresh", null).status()).isEqualTo(404);
        assertThat(server.http.api("/api/projects/nope/themes/error_analysis/clusters").status()).isEqualTo(404);
    }
}
