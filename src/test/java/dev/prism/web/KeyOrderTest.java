package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.Main;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.HttpApi.JSON;
import static dev.prism.support.TestServer.PROJECT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, point 3: object keys keep the client's order from the request to the rendered text, so the server's text
 * of a trace equals {@code prism format} of the same events, byte for byte. PostgreSQL's jsonb sorts keys (by length,
 * then bytes), which turned {@code search_flights(from, to, date?)} into {@code search_flights(to, date?, from)}.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Faithful payloads: key order from request to rendered text")
class KeyOrderTest {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private TestServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        server = TestServer.start(vertx, TestServer.defaults(dataDir));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /**
     * Keys deliberately out of alphabetical and of jsonb order, at every depth: a tool schema's parameters, an
     * Anthropic tool_use input, a tool result object, span states and an unknown nested property.
     */
    private static List<JsonNode> agentTrace(String traceId) throws Exception {
        String events = """
                [
                 {"event": "$ai_generation", "distinct_id": "traveller-7", "timestamp": "2026-03-01T10:00:00.000Z",
                  "uuid": "%1$s-1",
                  "properties": {"$ai_trace_id": "%1$s", "$ai_span_id": "gen-1", "$ai_parent_id": "%1$s",
                   "$ai_provider": "anthropic", "$ai_model": "claude-sonnet-4-20250514",
                   "$ai_tools": [{"name": "search_flights", "description": "Find flights between two airports",
                     "input_schema": {"type": "object", "required": ["from", "to"],
                       "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "date": {"type": "string"},
                                      "cabin_class": {"type": "string"}, "adults": {"type": "integer"}}}},
                     {"type": "function", "function": {"name": "book_seat", "parameters": {"type": "object",
                       "properties": {"zone": {"type": "string"}, "row": {"type": "integer"}, "aisle": {"type": "boolean"}},
                       "required": ["zone", "row"]}}}],
                   "$ai_input": [{"role": "user", "content": "Lisbon to New York on the 2nd, two adults"},
                     {"role": "assistant", "content": [{"type": "tool_use", "id": "tu_1", "name": "search_flights",
                       "input": {"from": "LIS", "to": "JFK", "date": "2026-03-02", "adults": 2, "cabin_class": "economy"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tu_1",
                       "content": {"results": [{"zulu_time": "09:40Z", "price": 412.5, "airline": "TP", "id": "TP209"}],
                                   "currency": "EUR", "based_on": {"to": "JFK", "from": "LIS"}}}]}],
                   "$ai_output_choices": [{"role": "assistant", "content": [{"type": "text", "text": "TP209 at 09:40 for 412.50 EUR."},
                     {"type": "tool_use", "id": "tu_2", "name": "book_seat", "input": {"zone": "B", "row": 14, "aisle": true}}]}],
                   "$ai_input_tokens": 1200, "$ai_output_tokens": 90, "$ai_latency": 1.4, "$ai_http_status": 200,
                   "zz_custom": {"y": 1, "x": {"later": true, "earlier": false}}}},
                 {"event": "$ai_span", "distinct_id": "traveller-7", "timestamp": "2026-03-01T10:00:02.000Z", "uuid": "%1$s-2",
                  "properties": {"$ai_trace_id": "%1$s", "$ai_span_id": "tool-1", "$ai_parent_id": "%1$s",
                   "$ai_span_name": "book_seat", "$ai_input_state": {"zone": "B", "row": 14, "aisle": true},
                   "$ai_output_state": {"seat": "14B", "status": "held", "expires": "10:15Z", "confirmation": {"pnr": "X7Q2", "class": "Y"}},
                   "$ai_latency": 0.3}},
                 {"event": "$ai_generation", "distinct_id": "traveller-7", "timestamp": "2026-03-01T10:00:03.000Z", "uuid": "%1$s-3",
                  "properties": {"$ai_trace_id": "%1$s", "$ai_span_id": "gen-2", "$ai_parent_id": "%1$s",
                   "$ai_provider": "openai", "$ai_model": "gpt-4o-mini",
                   "$ai_input": [{"role": "user", "content": "and a hotel?"},
                     {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                       "function": {"name": "find_hotel", "arguments": {"near": "JFK", "nights": 3, "budget": 180}}}]},
                     {"role": "tool", "tool_call_id": "call_1", "content": {"name": "Hotel Zeta", "rating": 4.2, "address": "1 Main St"}}],
                   "$ai_output_choices": [{"role": "assistant", "content": "Hotel Zeta, 4.2 stars."}],
                   "$ai_input_tokens": 300, "$ai_output_tokens": 20}},
                 {"event": "$ai_trace", "distinct_id": "traveller-7", "timestamp": "2026-03-01T10:00:04.000Z", "uuid": "%1$s-4",
                  "properties": {"$ai_trace_id": "%1$s", "$ai_span_name": "travel agent",
                   "$ai_input_state": {"question": "trip", "at": "now"}, "$ai_output_state": {"verdict": "booked", "amount": 412.5}}}
                ]""".formatted(traceId);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(events).forEach(out::add);
        return out;
    }

    @Test
    @DisplayName("tool schemas, arguments, results and states render in the client's key order, as prism format renders them")
    void agentTraceMatchesFormat(@TempDir Path dir) throws Exception {
        String traceId = "key-order-" + RUN;
        List<JsonNode> events = agentTrace(traceId);
        String served = ingestAndRender(traceId, events);
        String offline = format(dir, events);

        assertThat(served).isEqualTo(offline);
        // The orders jsonb would have produced would fail these (it sorts "to" before "from", "row" before "zone").
        assertThat(served).contains("search_flights(from, to, date?, cabin_class?, adults?)").contains("book_seat(zone, row, aisle?)");
        assertThat(served).containsSubsequence("LIS", "JFK", "2026-03-02");
        assertThat(served).containsSubsequence("zulu_time", "price", "airline");
        assertThat(served).containsSubsequence("seat", "status", "expires", "confirmation", "pnr");
        assertThat(served).containsSubsequence("near", "nights", "budget");
    }

    @Test
    @DisplayName("the trace API returns each event's properties with the keys in the order they were sent")
    void apiKeepsOrder() throws Exception {
        String traceId = "key-order-api-" + RUN;
        List<JsonNode> sent = agentTrace(traceId);
        ingestAndRender(traceId, sent);
        JsonNode trace = server.http.api("/api/projects/default/traces/" + traceId).json();
        int compared = 0;
        for (JsonNode e : trace.get("events")) {
            for (JsonNode s : sent) {
                if (s.get("uuid").asText().equals(e.get("uuid").asText())) {
                    assertThat(keyPaths(e.get("properties"))).as(s.get("uuid").asText())
                            .startsWith(keyPaths(s.get("properties")).toArray(String[]::new));
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(sent.size());
    }

    @Test
    @DisplayName("a uuid sent twice in one batch, then again, is stored once with the first copy's text and key order")
    void duplicatesKeepTheFirstCopy() throws Exception {
        String traceId = "key-order-dup-" + RUN;
        String first = """
                {"event": "$ai_span", "uuid": "%1$s-dup", "timestamp": "2026-03-01T10:00:00Z",
                 "properties": {"$ai_trace_id": "%1$s", "$ai_span_name": "first", "$ai_output_state": {"zeta": 1, "alpha": 2}}}"""
                .formatted(traceId);
        String second = first.replace("\"first\"", "\"second\"").replace("{\"zeta\": 1, \"alpha\": 2}", "{\"alpha\": 2, \"zeta\": 1}");
        post(List.of(JSON.readTree(first), JSON.readTree(second)));
        post(List.of(JSON.readTree(second)));
        String text = awaitText(traceId);
        assertThat(text).contains("first").doesNotContain("second").containsSubsequence("zeta", "alpha");
        JsonNode trace = server.http.api("/api/projects/default/traces/" + traceId).json();
        assertThat(trace.get("events")).hasSize(1);
        assertThat(keyPaths(trace.get("events").get(0).get("properties"))).containsSubsequence("/$ai_output_state/zeta", "/$ai_output_state/alpha");
    }

    @Test
    @DisplayName("every repository fixture: the server's text equals prism format on the same events, byte for byte")
    void fixturesMatchFormat(@TempDir Path dir) throws Exception {
        Map<String, List<JsonNode>> traces = new java.util.LinkedHashMap<>();
        for (Fixture f : Fixtures.all()) {
            if (f.traceId() == null) {
                continue; // ingestion rejects events without a trace id: nothing is stored to compare
            }
            // A fresh trace id per run, and uuids as the SDKs send them, so events sent without a timestamp (received
            // together, same receive time) keep the file's order on the server too.
            String traceId = f.traceId() + "-" + RUN;
            List<JsonNode> events = new ArrayList<>();
            int i = 0;
            for (JsonNode e : f.events()) {
                ObjectNode copy = e.deepCopy();
                if (!copy.has("uuid")) {
                    copy.put("uuid", String.format("%s-%03d", traceId, i));
                }
                i++;
                if (copy.path("properties").isObject() && f.traceId().equals(copy.get("properties").path("$ai_trace_id").asText())) {
                    ((ObjectNode) copy.get("properties")).put("$ai_trace_id", traceId);
                }
                events.add(copy);
            }
            traces.put(f.name() + " " + traceId, events);
            post(events);
        }
        assertThat(traces).as("fixtures with a trace id").hasSizeGreaterThanOrEqualTo(20);
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> t : traces.entrySet()) {
            String name = t.getKey().substring(0, t.getKey().indexOf(' '));
            String served = awaitText(t.getKey().substring(name.length() + 1));
            String offline = format(dir.resolve(name), t.getValue());
            if (!served.equals(offline)) {
                differing.add(name);
                System.err.println("=== " + name + " served:\n" + served + "\n=== prism format:\n" + offline);
            }
        }
        assertThat(differing).as("fixtures whose server text differs from prism format").isEmpty();
    }

    /** Posts the events as one batch, waits for the trace to complete and returns {@code GET …/traces/{id}/text}. */
    private String ingestAndRender(String traceId, List<JsonNode> events) throws Exception {
        post(events);
        return awaitText(traceId);
    }

    private void post(List<JsonNode> events) throws Exception {
        HttpApi.Response posted = server.http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, events));
        assertThat(posted.status()).as(String.valueOf(posted.json())).isEqualTo(200);
        assertThat(posted.json().path("rejected").size()).as(String.valueOf(posted.json())).isZero();
    }

    private String awaitText(String traceId) throws Exception {
        server.http.awaitApi("/api/projects/default/traces/" + traceId,
                r -> r.status() == 200 && "completed".equals(r.json().get("status").asText()), Duration.ofSeconds(30));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort()
                        + "/api/projects/default/traces/" + traceId + "/text"))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /** {@code prism format FILE}, the CLI's own code path, over a file holding exactly the events that were posted. */
    private static String format(Path dir, List<JsonNode> events) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("events.json");
        Files.write(file, JSON.writeValueAsBytes(events));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(Main.run("format", file.toString())).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Every object key with its path, depth first, in document order. */
    private static List<String> keyPaths(JsonNode node) {
        List<String> out = new ArrayList<>();
        walk(node, "", out);
        return out;
    }

    private static void walk(JsonNode node, String path, List<String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                out.add(path + "/" + f.getKey());
                walk(f.getValue(), path + "/" + f.getKey(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", out);
            }
        }
    }
}
