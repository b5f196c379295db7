package dev.prism.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTrafficTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static List<List<ObjectNode>> traces;

    @BeforeAll
    static void generate() {
        traces = generate(11, 500);
    }

    private static List<List<ObjectNode>> generate(long seed, int count) {
        DemoTraffic traffic = new DemoTraffic(seed);
        List<List<ObjectNode>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(traffic.nextTrace(NOW));
        }
        return out;
    }

    private static List<ObjectNode> allEvents() {
        return traces.stream().flatMap(List::stream).toList();
    }

    private static JsonNode props(ObjectNode event) {
        return event.get("properties");
    }

    @Test
    @DisplayName("the same seed produces exactly the same traces, byte for byte")
    void sameSeedSameTraffic() {
        assertThat(generate(42, 200).toString()).isEqualTo(generate(42, 200).toString());
    }

    @Test
    @DisplayName("different seeds produce different traffic")
    void differentSeedsDiffer() {
        assertThat(generate(1, 20).toString()).isNotEqualTo(generate(2, 20).toString());
    }

    @Test
    @DisplayName("every event is an $ai_* capture object with a distinct id, a unique UUID and an object of properties")
    void eventsAreCaptureShaped() {
        Set<String> uuids = new HashSet<>();
        for (ObjectNode e : allEvents()) {
            assertThat(e.path("event").asText()).startsWith("$ai_");
            assertThat(e.path("distinct_id").asText()).isNotBlank();
            assertThat(e.get("properties").isObject()).as("properties of %s", e).isTrue();
            assertThat(uuids.add(UUID.fromString(e.path("uuid").asText()).toString())).as("uuid unique: %s", e.get("uuid")).isTrue();
        }
    }

    @Test
    @DisplayName("all events of a trace share one non-blank string $ai_trace_id, and no two traces share one")
    void oneTraceIdPerTrace() {
        Set<String> seen = new HashSet<>();
        for (List<ObjectNode> trace : traces) {
            assertThat(trace).isNotEmpty();
            JsonNode first = props(trace.get(0)).get("$ai_trace_id");
            assertThat(first.isTextual()).isTrue();
            assertThat(first.asText()).isNotBlank();
            for (ObjectNode e : trace) {
                assertThat(props(e).get("$ai_trace_id")).isEqualTo(first);
            }
            assertThat(seen.add(first.asText())).isTrue();
        }
    }

    @Test
    @DisplayName("timestamps parse as ISO-8601, are not after now, and fall within the last few minutes")
    void timestampsAreRecent() {
        for (ObjectNode e : allEvents()) {
            Instant t = Instant.parse(e.path("timestamp").asText());
            assertThat(t).isBeforeOrEqualTo(NOW).isAfter(NOW.minus(Duration.ofMinutes(10)));
        }
    }

    @Test
    @DisplayName("every $ai_parent_id names the trace id or a span id of the same trace")
    void parentsResolve() {
        for (List<ObjectNode> trace : traces) {
            String traceId = props(trace.get(0)).get("$ai_trace_id").asText();
            Set<String> spanIds = new HashSet<>();
            trace.forEach(e -> spanIds.add(props(e).path("$ai_span_id").asText(null)));
            for (ObjectNode e : trace) {
                JsonNode parent = props(e).get("$ai_parent_id");
                if (parent != null) {
                    assertThat(parent.asText()).as("parent of %s", e).isIn(union(spanIds, traceId));
                }
            }
        }
    }

    @Test
    @DisplayName("about 70% of traces end with an $ai_trace event, which is always the last event and never appears twice")
    void traceEventsComeLast() {
        int withTrace = 0;
        for (List<ObjectNode> trace : traces) {
            long count = trace.stream().filter(e -> e.path("event").asText().equals("$ai_trace")).count();
            assertThat(count).isLessThanOrEqualTo(1);
            if (count == 1) {
                withTrace++;
                assertThat(trace.get(trace.size() - 1).path("event").asText()).isEqualTo("$ai_trace");
            }
        }
        assertThat(withTrace).isBetween(300, 400);
    }

    @Test
    @DisplayName("500 traces cover errors, feedback, metrics, embeddings, slow and expensive calls and at least four providers")
    void scenariosAreCovered() {
        Set<String> providers = new HashSet<>();
        Set<String> eventNames = new HashSet<>();
        Set<Integer> statuses = new HashSet<>();
        int errors = 0;
        double maxLatency = 0;
        double maxCost = 0;
        for (ObjectNode e : allEvents()) {
            JsonNode p = props(e);
            eventNames.add(e.path("event").asText());
            if (p.has("$ai_provider")) {
                providers.add(p.get("$ai_provider").asText());
            }
            if (p.path("$ai_is_error").asBoolean(false)) {
                errors++;
                assertThat(p.path("$ai_error").asText()).isNotBlank();
            }
            if (p.has("$ai_http_status")) {
                statuses.add(p.get("$ai_http_status").asInt());
            }
            if (e.path("event").asText().equals("$ai_feedback")) {
                assertThat(p.path("$ai_feedback_text").asText()).isNotBlank();
            }
            maxLatency = Math.max(maxLatency, p.path("$ai_latency").asDouble(0));
            maxCost = Math.max(maxCost, p.path("$ai_total_cost_usd").asDouble(0));
        }
        assertThat(errors).isGreaterThan(20);
        assertThat(statuses).contains(200, 429, 500);
        assertThat(eventNames).contains("$ai_generation", "$ai_span", "$ai_trace", "$ai_embedding", "$ai_feedback", "$ai_metric");
        assertThat(maxLatency).isGreaterThanOrEqualTo(30);
        assertThat(maxCost).isGreaterThanOrEqualTo(0.5);
        assertThat(providers).hasSizeGreaterThanOrEqualTo(4).contains("openai", "anthropic", "gemini");
    }

    @Test
    @DisplayName("some traces nest three or more levels deep through spans of the same trace")
    void nestingIsDeep() {
        int deepest = 0;
        for (List<ObjectNode> trace : traces) {
            String traceId = props(trace.get(0)).get("$ai_trace_id").asText();
            Map<String, String> parentOfSpan = new HashMap<>();
            for (ObjectNode e : trace) {
                if (e.path("event").asText().equals("$ai_span") && props(e).has("$ai_span_id")) {
                    parentOfSpan.put(props(e).get("$ai_span_id").asText(), props(e).path("$ai_parent_id").asText(null));
                }
            }
            for (ObjectNode e : trace) {
                String parent = props(e).path("$ai_parent_id").asText(null);
                int depth = 0;
                while (parent != null && !parent.equals(traceId) && parentOfSpan.containsKey(parent) && depth < 50) {
                    depth++;
                    parent = parentOfSpan.get(parent);
                }
                if (traceId.equals(parent)) { // the chain reached the trace through spans only
                    deepest = Math.max(deepest, depth + 1);
                }
            }
        }
        assertThat(deepest).isGreaterThanOrEqualTo(3);
    }

    @Test
    @DisplayName("the provider message shapes, Python tracebacks, frustrated users and feature requests all show up")
    void contentVaries() {
        String all = traces.toString();
        assertThat(all)
                .contains("\"tool_calls\":[{\"id\":\"call_")                   // OpenAI chat
                .contains("\"type\":\"function_call\"", "\"type\":\"function_call_output\"") // OpenAI Responses
                .contains("\"type\":\"tool_use\"", "\"type\":\"tool_result\"")  // Anthropic
                .contains("\"functionCall\"", "\"functionResponse\"", "\"candidates\"") // Gemini
                .contains("\"type\":\"tool-call\"", "\"type\":\"tool-result\"") // Vercel AI SDK
                .contains("\"type\":\"human\"", "\"$ai_span_name\":\"LangGraph\"") // LangChain / LangGraph
                .contains("Traceback (most recent call last)", "This is the third time I ask", "Google Calendar");
        boolean jsonStringArguments = allEvents().stream()
                .map(e -> props(e).path("$ai_output_choices").path(0).path("tool_calls").path(0).path("function").path("arguments"))
                .anyMatch(JsonNode::isTextual);
        assertThat(jsonStringArguments).as("OpenAI tool-call arguments are JSON strings").isTrue();
        long distinctUsers = allEvents().stream().map(e -> e.path("distinct_id").asText()).distinct().count();
        assertThat(distinctUsers).isGreaterThanOrEqualTo(10);
    }

    private static Set<String> union(Set<String> ids, String traceId) {
        Set<String> all = new HashSet<>(ids);
        all.add(traceId);
        return all;
    }
}
