package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
@DisplayName("Themes over HTTP")
class ThemesApiTest {

    private TestServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        server = TestServer.start(vertx, TestServer.defaults(dataDir));
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
    }

    record Answer(int status, JsonNode json) {
    }

    private Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort() + "/api/projects/default/themes" + path))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    private static final String PROMPT = "Find refund problems. {{trace_text}} Answer JSON: {\\\"theme_relevant\\\": bool, \\\"title\\\": \\\"\\\", \\\"summary\\\": \\\"\\\"}";

    @Test
    @DisplayName("every project starts with the six built-in themes, enabled, each with a focused prompt and pre-filters")
    void builtIns() throws Exception {
        Answer list = call("GET", "", null);
        assertThat(list.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.json().get("results").forEach(t -> {
            if (t.get("built_in").asBoolean()) {
                ids.add(t.get("theme_id").asText());
                assertThat(t.get("prompt").asText()).contains("Look for:").contains("{{trace_text}}").contains("theme_relevant");
                assertThat(t.get("theme_filters").isEmpty()).as(t.get("theme_id").asText()).isFalse();
            }
        });
        assertThat(ids).containsExactlyInAnyOrder("error_analysis", "ux_issues", "feature_requests", "performance_issues",
                "success_patterns", "unhappy_users");
    }

    @Test
    @DisplayName("custom themes are created, read, patched (a new prompt makes a new prompt version), replaced and deleted")
    void crud() throws Exception {
        Answer created = call("POST", "", """
                {"theme_id": "refunds", "name": "Refund problems", "description": "Refunds that went wrong",
                 "theme_filters": [{"key": "$ai_model", "operator": "exact", "value": "gpt-4o", "type": "event"}],
                 "sample_rate": 0.5, "prompt": "%s"}""".formatted(PROMPT));
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        assertThat(created.json().get("prompt_version").asInt()).isEqualTo(1);
        assertThat(created.json().get("sample_seed").asText()).isEqualTo("refunds");
        assertThat(created.json().get("built_in").asBoolean()).isFalse();
        assertThat(created.json().get("schedule").get("minutes").asInt()).isEqualTo(10);

        assertThat(call("GET", "/refunds", null).json().get("name").asText()).isEqualTo("Refund problems");

        Answer disabled = call("PATCH", "/refunds", "{\"enabled\": false}");
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
        assertThat(disabled.json().get("prompt_version").asInt()).isEqualTo(1);

        Answer reprompted = call("PATCH", "/refunds", "{\"prompt\": \"%s Be brief.\"}".formatted(PROMPT));
        assertThat(reprompted.json().get("prompt_version").asInt()).isEqualTo(2);
        assertThat(reprompted.json().get("sample_rate").asDouble()).isEqualTo(0.5);

        Answer replaced = call("PUT", "/refunds", "{\"name\": \"Refunds v2\", \"prompt\": \"%s Be brief.\"}".formatted(PROMPT));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().get("sample_rate").asDouble()).as("PUT resets unspecified fields").isEqualTo(1.0);
        assertThat(replaced.json().get("prompt_version").asInt()).isEqualTo(2);

        assertThat(call("DELETE", "/refunds", null).status()).isEqualTo(200);
        assertThat(call("GET", "/refunds", null).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("built-in themes are read-only except for enabling, and can be cloned into an editable theme")
    void builtInsReadOnlyAndClonable() throws Exception {
        Answer put = call("PUT", "/error_analysis", "{\"name\": \"mine\"}");
        assertThat(put.status()).isEqualTo(403);
        assertThat(put.json().get("error").asText()).isEqualTo("built_in_theme");
        assertThat(call("DELETE", "/error_analysis", null).status()).isEqualTo(403);
        assertThat(call("PATCH", "/error_analysis", "{\"sample_rate\": 0.1}").status()).isEqualTo(403);

        Answer off = call("PATCH", "/success_patterns", "{\"enabled\": false}");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.json().get("enabled").asBoolean()).isFalse();
        call("PATCH", "/success_patterns", "{\"enabled\": true}");

        Answer clone = call("POST", "", "{\"clone_from\": \"error_analysis\", \"theme_id\": \"my_errors\", \"name\": \"My errors\"}");
        assertThat(clone.status()).as(clone.json().toString()).isEqualTo(201);
        Answer original = call("GET", "/error_analysis", null);
        assertThat(clone.json().get("built_in").asBoolean()).isFalse();
        assertThat(clone.json().get("prompt").asText()).isEqualTo(original.json().get("prompt").asText());
        assertThat(clone.json().get("theme_filters")).isEqualTo(original.json().get("theme_filters"));
        assertThat(call("PATCH", "/my_errors", "{\"sample_rate\": 0.2}").json().get("sample_rate").asDouble()).isEqualTo(0.2);
    }

    @Test
    @DisplayName("the filter builder gets property names actually seen in the project's events, and the trace-level keys")
    void propertySuggestions() throws Exception {
        var s02 = dev.prism.support.Fixtures.named("s02");
        server.http.post("/batch/", dev.prism.support.HttpApi.batch(TestServer.PROJECT_TOKEN, s02.events()));
        JsonNode ai = server.http.api("/api/projects/default/properties?prefix=$ai_m").json().get("results");
        List<String> names = new ArrayList<>();
        ai.forEach(n -> names.add(n.asText()));
        assertThat(names).contains("$ai_model").allMatch(n -> n.startsWith("$ai_m"));
        JsonNode trace = server.http.api("/api/projects/default/properties?prefix=TRACE.").json().get("results");
        assertThat(trace).hasSize(5);
    }

    @Test
    @DisplayName("invalid themes are refused with 4xx naming each field at fault")
    void validation() throws Exception {
        Answer bad = call("POST", "", """
                {"theme_id": "Bad Id!", "sample_rate": 1.5, "prompt": "no placeholder here", "colour": "red",
                 "schedule": {"type": "hourly"}, "date_range": {"date_from": "last week"}}""");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("invalid_theme");
        String detail = bad.json().get("detail").asText();
        assertThat(detail).contains("theme_id:").contains("name: required").contains("sample_rate:").contains("prompt: missing the {{trace_text}}")
                .contains("colour: unknown field").contains("schedule:").contains("date_range.date_from:");

        call("POST", "", "{\"theme_id\": \"dup\", \"name\": \"Dup\"}");
        Answer dup = call("POST", "", "{\"theme_id\": \"dup\", \"name\": \"Dup again\"}");
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("detail").asText()).contains("theme_id");

        assertThat(call("POST", "", "{not json").status()).isEqualTo(400);
        assertThat(call("GET", "/nope", null).status()).isEqualTo(404);
        assertThat(call("PATCH", "/dup", "{\"theme_id\": \"other\"}").json().get("detail").asText()).contains("theme_id: cannot be changed");
    }

    @Test
    @DisplayName("GET → edit → PUT and PATCH round-trip: read-only fields sent back are ignored, not refused")
    void roundTrip() throws Exception {
        Answer created = call("POST", "", "{\"theme_id\": \"trip\", \"name\": \"Round trip\", \"sample_rate\": 0.5}");
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);

        com.fasterxml.jackson.databind.node.ObjectNode got = (com.fasterxml.jackson.databind.node.ObjectNode) call("GET", "/trip", null).json();
        assertThat(got.has("built_in") && got.has("created_at") && got.has("updated_at") && got.has("prompt_version")).isTrue();
        got.put("name", "Round trip, renamed");
        Answer put = call("PUT", "/trip", got.toString());
        assertThat(put.status()).as(put.json().toString()).isEqualTo(200);
        assertThat(put.json().get("name").asText()).isEqualTo("Round trip, renamed");
        assertThat(put.json().get("sample_rate").asDouble()).as("the GET body carried it").isEqualTo(0.5);
        assertThat(put.json().get("created_at")).isEqualTo(got.get("created_at"));
        assertThat(put.json().get("prompt_version").asInt()).isEqualTo(1);

        com.fasterxml.jackson.databind.node.ObjectNode again = (com.fasterxml.jackson.databind.node.ObjectNode) put.json();
        again.put("built_in", true).put("created_at", "1999-01-01T00:00:00Z").put("prompt_version", 99).put("sample_rate", 0.25);
        Answer patched = call("PATCH", "/trip", again.toString());
        assertThat(patched.status()).as(patched.json().toString()).isEqualTo(200);
        assertThat(patched.json().get("sample_rate").asDouble()).isEqualTo(0.25);
        assertThat(patched.json().get("built_in").asBoolean()).as("read-only: ignored").isFalse();
        assertThat(patched.json().get("prompt_version").asInt()).isEqualTo(1);
        assertThat(patched.json().get("created_at")).isEqualTo(got.get("created_at"));

        HttpRequest preview = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort() + "/api/projects/default/themes/preview"))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(patched.json().toString())).build();
        HttpResponse<String> previewed = client.send(preview, HttpResponse.BodyHandlers.ofString());
        assertThat(previewed.statusCode()).as(previewed.body()).isEqualTo(200);
        assertThat(JSON.readTree(previewed.body()).has("estimated_llm_calls")).isTrue();
    }

    @Test
    @DisplayName("a built-in theme read with GET, switched off and sent back whole (PUT or PATCH) is accepted; editing its prompt is not")
    void builtInRoundTrip() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode got = (com.fasterxml.jackson.databind.node.ObjectNode) call("GET", "/ux_issues", null).json();
        got.put("enabled", false);
        Answer put = call("PUT", "/ux_issues", got.toString());
        assertThat(put.status()).as(put.json().toString()).isEqualTo(200);
        assertThat(put.json().get("enabled").asBoolean()).isFalse();
        assertThat(put.json().get("built_in").asBoolean()).isTrue();

        got.put("enabled", true);
        Answer patch = call("PATCH", "/ux_issues", got.toString());
        assertThat(patch.status()).as(patch.json().toString()).isEqualTo(200);
        assertThat(patch.json().get("enabled").asBoolean()).isTrue();

        got.put("prompt", got.get("prompt").asText() + " Be brief.");
        assertThat(call("PATCH", "/ux_issues", got.toString()).status()).isEqualTo(403);
        got.remove("prompt");
        assertThat(call("PUT", "/ux_issues", got.toString()).status()).as("a PUT that would reset the prompt").isEqualTo(403);
    }

    @Test
    @DisplayName("sample_seed accepts an integer or a string, and the two select the same traces")
    void integerSeed() throws Exception {
        Answer created = call("POST", "", "{\"theme_id\": \"seeded\", \"name\": \"Seeded\", \"sample_seed\": 42}");
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        assertThat(created.json().get("sample_seed").asText()).isEqualTo("42");
        assertThat(call("PATCH", "/seeded", "{\"sample_seed\": \"7\"}").json().get("sample_seed").asText()).isEqualTo("7");
        assertThat(call("PATCH", "/seeded", "{\"sample_seed\": 9007199254740993}").json().get("sample_seed").asText())
                .isEqualTo("9007199254740993");
        Answer fractional = call("PATCH", "/seeded", "{\"sample_seed\": 4.5}");
        assertThat(fractional.status()).isEqualTo(400);
        assertThat(fractional.json().get("detail").asText()).contains("sample_seed");
        assertThat(call("PATCH", "/seeded", "{\"sample_seed\": {}}").status()).isEqualTo(400);
    }
}
