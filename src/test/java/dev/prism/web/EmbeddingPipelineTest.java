package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSearch;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Embedding in the running server")
class EmbeddingPipelineTest {

    @Test
    @DisplayName("every relevant summary of the fixtures is embedded once into its theme's index, and search finds it again")
    void fixturesAreEmbedded(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        List<EmbeddingCreated> published = new CopyOnWriteArrayList<>();
        vertx.eventBus().<EmbeddingCreated>consumer(Addresses.EMBEDDING_CREATED, m -> published.add(m.body()));
        List<dev.prism.bus.SummaryCreated> summaries = new CopyOnWriteArrayList<>();
        vertx.eventBus().<dev.prism.bus.SummaryCreated>consumer(Addresses.SUMMARY_CREATED, m -> summaries.add(m.body()));
        try {
            for (Fixtures.Fixture f : Fixtures.all()) {
                server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
            }
            // Settled: the relevant summaries stop changing and each has its vector.
            JsonNode relevant = null;
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                JsonNode now = server.http.api("/api/projects/default/summaries?relevant=true&limit=1000").json().get("results");
                if (relevant != null && now.size() == relevant.size() && published.size() == now.size() && now.size() > 0) {
                    break;
                }
                relevant = now;
            }
            assertThat(relevant).isNotNull();
            assertThat(published).hasSize(relevant.size());

            Map<String, Set<String>> expected = new HashMap<>();
            relevant.forEach(s -> expected.computeIfAbsent(s.get("properties").get("$ai_analysis_theme_id").asText(), t -> new HashSet<>())
                    .add(s.get("properties").get("$ai_trace_id").asText()));
            for (Map.Entry<String, Set<String>> theme : expected.entrySet()) {
                EmbedSnapshot.Vectors snapshot = await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT,
                        new EmbedSnapshot("default", theme.getKey()))).body();
                assertThat(snapshot.items()).extracting(EmbedSnapshot.Item::traceId).containsExactlyInAnyOrderElementsOf(theme.getValue());
            }

            JsonNode first = relevant.get(0).get("properties");
            // What was embedded is the summary's canonical text (the cause, or the masked title): searching for it finds it.
            String query = summaries.stream().filter(c -> c.traceId().equals(first.get("$ai_trace_id").asText())
                            && c.themeId().equals(first.get("$ai_analysis_theme_id").asText()))
                    .findFirst().orElseThrow().embedText();
            EmbedSearch.Hits hits = await(vertx.eventBus().<EmbedSearch.Hits>request(Addresses.EMBED_SEARCH,
                    new EmbedSearch("default", first.get("$ai_analysis_theme_id").asText(), query, 3))).body();
            assertThat(hits.hits().get(0).score()).isGreaterThan(0.999);
            assertThat(hits.hits().get(0).themeId()).isEqualTo(first.get("$ai_analysis_theme_id").asText());
        } finally {
            server.stop();
        }
    }
}
