package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.export.CsvExport;
import dev.prism.export.ExportRenderersTest;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Export from the whole offline pipeline on embedded PostgreSQL: the fixtures, replayed four times under new trace ids
 * through PostHog's batch route, are assembled, analysed by the offline analyzer, embedded, clustered, and exported in
 * every format.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Export from the offline pipeline")
class ExportOfflinePipelineTest {

    private static final int COPIES = 4;

    @Test
    @DisplayName("fixtures ingested four times → error clusters → md, csv, json and ipynb exports that agree with the cluster API")
    void exportsFromIngestedTraces(Vertx vertx, @TempDir Path dataDir) throws Exception {
        var settings = TestServer.defaults(dataDir);
        settings.put("cluster.refreshAfter", "0");
        settings.put("cluster.refreshMinutes", "0");
        TestServer server = TestServer.start(vertx, settings);
        try {
            for (int copy = 0; copy < COPIES; copy++) {
                for (Fixtures.Fixture f : Fixtures.all()) {
                    if (f.traceId() == null) {
                        continue;
                    }
                    List<JsonNode> events = new ArrayList<>();
                    for (JsonNode e : f.events()) {
                        ObjectNode c = e.deepCopy();
                        c.put("distinct_id", "user-" + copy);
                        if (c.path("properties").has("$ai_trace_id")) {
                            ((ObjectNode) c.get("properties")).put("$ai_trace_id", f.traceId() + "-copy" + copy);
                        }
                        events.add(c);
                    }
                    assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events)).status()).isEqualTo(200);
                }
            }
            JsonNode first = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&relevant=true&limit=1000",
                    r -> r.json().get("results").size() >= 7 * COPIES, Duration.ofSeconds(120)).json();
            int relevant = first.get("results").size();
            org.awaitility.Awaitility.await("error summaries embedded and placed").atMost(Duration.ofSeconds(90)).until(() ->
                    server.http.api("/api/projects/default/themes/error_analysis/clusters").json().get("theme_summaries").asInt() >= relevant);
            JsonNode run = server.http.admin("POST", "/api/projects/default/themes/error_analysis/clusters/refresh", null).json();
            assertThat(run.get("clusters").asInt()).as("clusters from " + relevant + " error summaries").isPositive();
            JsonNode clusters = server.http.api("/api/projects/default/themes/error_analysis/clusters").json().get("results");

            String base = "http://127.0.0.1:" + server.server.httpPort() + "/api/projects/default/themes/error_analysis/export?format=";
            String md = get(base + "md");
            assertThat(md.lines().filter(l -> l.startsWith("## "))).hasSize(clusters.size());

            List<CSVRecord> rows;
            try (CSVParser p = CSVParser.parse(new StringReader(get(base + "csv")), CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
                assertThat(p.getHeaderNames()).isEqualTo(CsvExport.HEADER);
                rows = p.getRecords();
            }
            int members = 0;
            for (JsonNode c : clusters) {
                members += c.get("size").asInt();
            }
            assertThat(rows.stream().filter(r -> r.get("level").equals("cluster"))).hasSize(clusters.size());
            assertThat(rows.stream().filter(r -> r.get("level").equals("member"))).hasSize(members);
            assertThat(rows.stream().filter(r -> r.get("level").equals("member")).map(r -> r.get("title")))
                    .as("every member with its summary's title").allMatch(t -> !t.isBlank());

            JsonNode json = HttpApi.JSON.readTree(get(base + "json"));
            assertThat(json.get("clusters")).hasSize(clusters.size());
            for (int i = 0; i < clusters.size(); i++) {
                assertThat(json.get("clusters").get(i).get("title").asText()).isEqualTo(clusters.get(i).get("title").asText());
                assertThat(json.get("clusters").get(i).get("representatives").size()).isBetween(1, 3);
            }
            ExportRenderersTest.assertValidNotebook(get(base + "ipynb").getBytes(StandardCharsets.UTF_8));
            System.out.printf("[export] offline pipeline: %d error summaries, %d clusters, %d members exported%n", relevant, clusters.size(), members);
        } finally {
            server.stop();
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }
}
