package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.HttpApi.JSON;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Theme preview over the 25 fixtures")
class ThemePreviewTest {

    private TestServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        server = TestServer.start(vertx, TestServer.defaults(dataDir));
        for (Fixtures.Fixture f : Fixtures.all()) {
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
        }
        server.http.awaitApi("/api/projects/default/traces?status=completed&limit=100&since=2025-01-01T00:00:00Z",
                r -> r.json().get("results").size() == 24, Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
    }

    private HttpApi.Response preview(String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort()
                        + "/api/projects/default/themes/preview"))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new HttpApi.Response(r.statusCode(), JSON.readTree(r.body()), r.headers());
    }

    private ObjectNode draftFrom(String builtIn) throws Exception {
        JsonNode theme = server.http.api("/api/projects/default/themes/" + builtIn).json();
        ObjectNode draft = JSON.createObjectNode();
        draft.set("theme_filters", theme.get("theme_filters"));
        draft.putObject("date_range").put("date_from", "2025-01-01T00:00:00Z").put("date_to", "2026-01-01T00:00:00Z");
        return draft;
    }

    @Test
    @DisplayName("the error pre-filter selects the 7 error traces of 24, and the estimate is cheaper than the naive plan")
    void errorPreview() throws Exception {
        HttpApi.Response r = preview(draftFrom("error_analysis").toString());
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        JsonNode p = r.json();
        assertThat(p.get("traces_in_range").asLong()).isEqualTo(24);
        assertThat(p.get("matching_base_filters").asLong()).isEqualTo(24);
        assertThat(p.get("matching_theme_filters").asLong()).isEqualTo(7);
        assertThat(p.get("sampled").asLong()).isEqualTo(7);
        assertThat(p.get("estimated_llm_calls").asLong()).isEqualTo(7);
        assertThat(p.get("estimated_input_tokens").asLong()).isPositive();
        assertThat(p.get("estimated_cost_usd").asDouble()).isPositive().isLessThan(p.get("naive").get("cost_usd").asDouble());
        assertThat(p.get("naive").get("llm_calls").asLong()).isEqualTo(24);
        assertThat(p.get("savings_share").asDouble()).isBetween(0.3, 1.0);
        assertThat(p.get("model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    @DisplayName("sampling, base filters and the model change the estimate as expected")
    void samplingAndModel() throws Exception {
        ObjectNode all = JSON.createObjectNode().put("sample_rate", 0.5).put("sample_seed", "s");
        all.putObject("date_range").put("date_from", "2025-01-01T00:00:00Z");
        JsonNode half = preview(all.toString()).json();
        assertThat(half.get("matching_theme_filters").asLong()).isEqualTo(24);
        assertThat(half.get("sampled").asLong()).isBetween(4L, 20L);
        assertThat(preview(all.toString()).json().get("sampled")).as("sampling is deterministic").isEqualTo(half.get("sampled"));

        ObjectNode anthropic = all.deepCopy().put("sample_rate", 1.0);
        anthropic.putArray("base_filters").addObject().put("key", "$ai_model").put("operator", "icontains").put("value", "claude").put("type", "event");
        JsonNode claude = preview(anthropic.toString()).json();
        assertThat(claude.get("matching_base_filters").asLong()).isBetween(5L, 10L);
        assertThat(claude.get("matching_theme_filters").asLong()).isEqualTo(claude.get("matching_base_filters").asLong());

        JsonNode pricier = preview(all.deepCopy().put("model", "claude-sonnet-4-20250514").toString()).json();
        assertThat(pricier.get("estimated_cost_usd").asDouble()).isGreaterThan(half.get("estimated_cost_usd").asDouble());
    }

    @Test
    @DisplayName("project-wide base filters apply to every preview until they are cleared")
    void projectBaseFilters() throws Exception {
        ObjectNode draft = JSON.createObjectNode();
        draft.putObject("date_range").put("date_from", "2025-01-01T00:00:00Z");
        long before = preview(draft.toString()).json().get("matching_base_filters").asLong();
        String url = "http://127.0.0.1:" + server.server.httpPort() + "/api/projects/default/base_filters";
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"base_filters\": [{\"key\": \"$ai_model\", \"operator\": \"icontains\", \"value\": \"gemini\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(server.http.api("/api/projects/default/base_filters").json().get("base_filters")).hasSize(1);
        long after = preview(draft.toString()).json().get("matching_base_filters").asLong();
        assertThat(after).isPositive().isLessThan(before);
        HttpResponse<String> bad = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"base_filters\": [{\"key\": \"x\", \"operator\": \"nearly\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"base_filters\": []}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preview(draft.toString()).json().get("matching_base_filters").asLong()).isEqualTo(before);
    }

    @Test
    @DisplayName("bad drafts are refused naming the field: unknown operator, broken regex, sample rate, unknown model")
    void badDrafts() throws Exception {
        HttpApi.Response op = preview("{\"theme_filters\": [{\"key\": \"$ai_model\", \"operator\": \"roughly\", \"value\": \"x\"}]}");
        assertThat(op.status()).isEqualTo(400);
        assertThat(op.json().get("detail").asText()).contains("theme_filters[0].operator");
        HttpApi.Response regex = preview("{\"theme_filters\": [{\"key\": \"$ai_input\", \"operator\": \"regex\", \"value\": \"(unclosed\"}]}");
        assertThat(regex.status()).isEqualTo(400);
        assertThat(regex.json().get("detail").asText()).contains("theme_filters[0].value");
        assertThat(preview("{\"sample_rate\": -1}").json().get("detail").asText()).contains("sample_rate");
        assertThat(preview("{\"model\": \"mystery-9000\"}").json().get("detail").asText()).contains("model");
        HttpApi.Response group = preview("{\"theme_filters\": {\"type\": \"XOR\", \"values\": []}}");
        assertThat(group.json().get("detail").asText()).contains("theme_filters.type");
    }
}
