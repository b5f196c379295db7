package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Cluster names from the project's LLM")
class ClusterNamingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("new clusters are named by the LLM from a fenced, contrastive prompt with the naming schema, and only once")
    void llmNamesClusters(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<JsonNode> namingRequests = new CopyOnWriteArrayList<>();
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            JsonNode body;
            try {
                body = JSON.readTree(b.toString());
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
                return;
            }
            boolean naming = body.path("response_format").path("json_schema").path("name").asText().equals("cluster_name");
            String content = naming
                    ? "{\"title\": \"Named by the model " + namingRequests.size() + "\", \"description\": \"What these traces share. Two sentences.\"}"
                    : "{\"theme_relevant\": true, \"title\": \"t\", \"summary\": \"s\", \"severity\": \"low\"}";
            if (naming) {
                namingRequests.add(body);
            }
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", content);
            reply.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 50);
            req.response().putHeader("Content-Type", "application/json").end(reply.toString());
        })).listen(0, "127.0.0.1"));
        ServicePostgres pg = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        settings.put("cluster.refreshAfter", "0");
        settings.put("cluster.refreshMinutes", "0");
        TestServer server = TestServer.start(vertx, settings);
        try {
            // Error summaries of four categories, stored as done analyses of completed traces, then announced.
            List<IssueCorpus.Text> texts = IssueCorpus.generate(12, 0, 3).stream().filter(t -> t.themeId().equals(IssueCorpus.ERRORS)).toList();
            List<SummaryCreated> summaries = new ArrayList<>();
            Instant at = Instant.now();
            String jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
                 PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                         + "completed_at) VALUES ('default', ?, 1, 'completed', ?, ?, ?)");
                 PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", "
                         + "properties) VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
                 PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, "
                         + "prompt_version, status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, "
                         + "created_at, completed_at) VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
                int n = 0;
                for (IssueCorpus.Text t : texts) {
                    String id = "n" + n++;
                    Timestamp ts = Timestamp.from(at);
                    trace.setString(1, id);
                    trace.setTimestamp(2, ts);
                    trace.setTimestamp(3, ts);
                    trace.setTimestamp(4, ts);
                    trace.addBatch();
                    event.setString(1, UUID.randomUUID().toString());
                    event.setString(2, "user-" + (n % 7));
                    event.setString(3, id);
                    event.setTimestamp(4, ts);
                    event.addBatch();
                    analysis.setString(1, t.themeId());
                    analysis.setString(2, id);
                    analysis.setString(3, t.title());
                    analysis.setString(4, t.summary());
                    analysis.setTimestamp(5, ts);
                    analysis.setTimestamp(6, ts);
                    analysis.addBatch();
                    summaries.add(new SummaryCreated("default", t.themeId(), id, 1, 1, true, t.title(), t.summary(), null, "offline", 0, 0, 0, 0, at));
                }
                trace.executeBatch();
                event.executeBatch();
                analysis.executeBatch();
            }
            summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot("default", IssueCorpus.ERRORS)))
                    .body().items().size() < texts.size()) {
                assertThat(System.nanoTime()).as("embedded in time").isLessThan(deadline);
                Thread.sleep(100);
            }

            JsonNode run = server.http.admin("POST", "/api/projects/default/themes/error_analysis/clusters/refresh", null).json();
            int clusters = run.get("clusters").asInt();
            assertThat(clusters).isPositive();
            assertThat(namingRequests).as("one naming call per new cluster").hasSize(clusters);
            JsonNode listed = server.http.api("/api/projects/default/themes/error_analysis/clusters").json();
            for (JsonNode cluster : listed.get("results")) {
                assertThat(cluster.get("title").asText()).startsWith("Named by the model");
                assertThat(cluster.get("description").asText()).isEqualTo("What these traces share. Two sentences.");
            }
            String prompt = namingRequests.get(0).get("messages").get(1).get("content").asText();
            assertThat(prompt).contains("<<<SUMMARIES").contains("SUMMARIES>>>").contains("NOT in the cluster");
            assertThat(texts).as("the members' own summaries are in the prompt").anyMatch(t -> prompt.contains(t.title()));
            assertThat(namingRequests.get(0).path("response_format").path("json_schema").path("schema").path("required").toString())
                    .contains("title").contains("description");

            // Same data again: nothing changed materially, so no name is asked for again.
            server.http.admin("POST", "/api/projects/default/themes/error_analysis/clusters/refresh", null);
            assertThat(namingRequests).hasSize(clusters);

            // Naming calls are spend: stored in the database (so a restart or another instance counts them) and shown.
            double perCall = (1000 * 0.15 + 50 * 0.60) / 1e6; // gpt-4o-mini
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
                 var rows = c.createStatement().executeQuery("SELECT count(*), sum(cost_usd) FROM llm_calls WHERE project_id = 'default'"
                         + " AND purpose = 'cluster_name'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(clusters);
                assertThat(rows.getDouble(2)).isCloseTo(clusters * perCall, org.assertj.core.data.Offset.offset(1e-12));
            }
            JsonNode llm = server.http.api("/api/projects/default/llm").json();
            assertThat(llm.get("other_spent_today_usd").asDouble()).isCloseTo(clusters * perCall, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(llm.get("spent_today_usd").asDouble()).isGreaterThanOrEqualTo(clusters * perCall - 1e-12);
        } finally {
            server.stop();
            fake.close();
            pg.close();
        }
    }
}
