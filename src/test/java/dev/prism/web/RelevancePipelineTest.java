package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Offline relevance through the whole server: scored when formatted, read by filters, deciding the offline analysis. */
@ExtendWith(VertxExtension.class)
@DisplayName("Offline relevance in the pipeline")
class RelevancePipelineTest {

    @Test
    @DisplayName("a feature request is scored when formatted, selected by trace.relevance in SQL, and analysed with the capability it asks for as title")
    void featureRequestEndToEnd(Vertx vertx, @TempDir Path dataDir) throws Exception {
        TestServer server = TestServer.start(vertx, TestServer.defaults(dataDir));
        try {
            Fixtures.Fixture request = Fixtures.named("s10");
            Fixtures.Fixture recipe = Fixtures.named("s01");
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, request.events()));
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, recipe.events()));

            JsonNode summary = server.http.awaitApi("/api/projects/default/summaries?theme=feature_requests&limit=100",
                    r -> r.json().get("results").size() >= 1, Duration.ofSeconds(60)).json().get("results").get(0).get("properties");
            assertThat(summary.get("$ai_trace_id").asText()).isEqualTo(request.traceId());
            assertThat(summary.get("$ai_theme_relevant").asBoolean()).isTrue();
            assertThat(summary.get("$ai_summary_title").asText()).isEqualTo("Asks for calendar integration");

            // Both traces completed (the recipe's may complete after the request's summary exists): what the preview counts.
            server.http.awaitApi("/api/projects/default/traces?status=completed&limit=10", r -> r.json().get("results").size() >= 2,
                    Duration.ofSeconds(60));
            // The stored score is what the filter key reads in SQL: only the request passes a high bar.
            HttpApi.Response preview = server.http.admin("POST", "/api/projects/default/themes/preview", """
                    {"name": "Likely requests", "date_range": {"date_from": "-3650d"},
                     "theme_filters": [{"key": "trace.relevance.feature_requests", "operator": "gte", "value": 0.6, "type": "trace"}]}""");
            assertThat(preview.status()).as(String.valueOf(preview.json())).isEqualTo(200);
            assertThat(preview.json().get("matching_theme_filters").asInt()).isEqualTo(1);
            assertThat(preview.json().get("matching_base_filters").asInt()).isEqualTo(2);
        } finally {
            server.stop();
        }
    }
}
