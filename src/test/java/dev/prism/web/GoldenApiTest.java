package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP API's answers, whole, against files in {@code src/test/resources/golden}: the contract the README documents,
 * so that a change of mapping (by hand or by Jackson), of a record or of a route cannot change a field, a type or an
 * error shape unnoticed. Values that differ from run to run (times, generated ids, durations) are masked by their
 * shape, everything else is compared exactly.
 *
 * <p>After an intended change of the API, regenerate with {@code mvn test -Dtest=GoldenApiTest -Dgolden.update=true}
 * and read the diff of the golden files as the reviewer of the API change.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Golden API answers")
class GoldenApiTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path GOLDEN = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Fields whose value is generated per run (ids, secrets' prefixes, durations, live counters), whatever their shape. */
    private static final List<String> VOLATILE = List.of("id", "key_prefix", "elapsed_ms", "spent_today_usd", "ingest_share", "instance_id");
    /** Counters of work that may still be under way when the answer is taken (other themes' analyses): their type counts. */
    private static final List<String> COUNTERS = List.of("analyses", "relevant");

    private TestServer server;
    private String errorTrace;
    private String plainTrace;

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        server = TestServer.start(vertx, TestServer.defaults(dataDir));
        for (Fixtures.Fixture f : Fixtures.all()) {
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
        }
        errorTrace = Fixtures.named("s03").traceId();
        plainTrace = Fixtures.named("s01").traceId();
        // Every fixture with a trace id completed, and the error fixture's analyses are stored.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode page = server.http.api("/api/projects/default/traces?limit=100&status=completed").json();
            return page.path("results").size() >= 24
                    && server.http.api("/api/projects/default/summaries?trace_id=" + errorTrace + "&theme=error_analysis").json()
                    .path("results").size() == 1;
        });
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** name of the golden file → request path, asked with the admin key (or none where the name says so). */
    Stream<Map.Entry<String, String>> answers() {
        return Stream.of(
                Map.entry("trace-detail", "/api/projects/default/traces/" + errorTrace),
                Map.entry("trace-list-errors", "/api/projects/default/traces?errors=true&limit=3"),
                Map.entry("trace-clusters", "/api/projects/default/traces/" + plainTrace + "/clusters"),
                Map.entry("summaries-error-trace", "/api/projects/default/summaries?trace_id=" + errorTrace + "&theme=error_analysis"),
                Map.entry("themes", "/api/projects/default/themes"),
                Map.entry("theme-errors", "/api/projects/default/themes/error_analysis"),
                Map.entry("llm-settings", "/api/projects/default/llm"),
                Map.entry("alerts-empty", "/api/projects/default/alerts"),
                Map.entry("error-unknown-trace", "/api/projects/default/traces/no-such-trace"),
                Map.entry("error-unknown-theme", "/api/projects/default/themes/no_such_theme/clusters"),
                Map.entry("error-bad-limit", "/api/projects/default/summaries?limit=0"),
                Map.entry("error-unauthenticated", "unauthenticated:/api/projects/default/traces"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    @DisplayName("answers as the golden file says")
    void answersAsRecorded(Map.Entry<String, String> answer) throws Exception {
        String path = answer.getValue();
        HttpApi.Response r = path.startsWith("unauthenticated:")
                ? server.http.get(path.substring("unauthenticated:".length()), null)
                : server.http.api(path);
        ObjectNode actual = JSON.createObjectNode();
        actual.put("status", r.status());
        actual.set("body", masked(r.json()));
        Path file = GOLDEN.resolve(answer.getKey() + ".json");
        String written = JSON.writeValueAsString(actual) + "\n";
        if (UPDATE) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, written);
        }
        assertThat(Files.exists(file)).as("golden file %s (create it with -Dgolden.update=true)", file).isTrue();
        // Compared as text: field order, number forms and nulls count too (the API's bytes, masked, pretty-printed).
        assertThat(written).as("%s answered", path).isEqualTo(Files.readString(file));
    }

    /**
     * The answer with run-dependent values replaced by their kind. An analysis's own latency is how long the analyzer
     * took; the analyses of a trace finish concurrently, so they are compared in theme order.
     */
    static JsonNode masked(JsonNode node) {
        if (node.isObject()) {
            boolean analysis = node.has("$ai_analysis_theme_id");
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                boolean runDependent = VOLATILE.contains(field.getKey()) || analysis && field.getKey().equals("$ai_latency")
                        || COUNTERS.contains(field.getKey()) && value.isNumber();
                out.set(field.getKey(), runDependent && !value.isNull() ? TextNode.valueOf("<" + field.getKey() + ">") : masked(value));
            }
            if (out.path("analyses").isArray()) {
                List<JsonNode> analyses = new java.util.ArrayList<>();
                out.get("analyses").forEach(analyses::add);
                analyses.sort(java.util.Comparator.comparing(a -> a.path("properties").path("$ai_analysis_theme_id").asText()));
                out.putArray("analyses").addAll(analyses);
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(n -> out.add(masked(n)));
            return out;
        }
        if (node.isTextual()) {
            String text = INSTANT.matcher(node.asText()).replaceAll("<instant>");
            return TextNode.valueOf(UUID.matcher(text).replaceAll("<uuid>"));
        }
        return node;
    }
}
