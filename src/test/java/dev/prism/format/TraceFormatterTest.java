package dev.prism.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceNode;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.prism.format.TestTraces.event;
import static dev.prism.format.TestTraces.render;
import static dev.prism.format.TestTraces.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The layout of a whole trace: header, span tree, trace input and output, annotations, and robustness. */
class TraceFormatterTest {

    private static AssembledTrace agentTrace() {
        return trace(
                event("$ai_trace", 10, """
                        {"$ai_trace_id": "trace-1", "$ai_span_id": "trace-1", "$ai_span_name": "support_bot", "$ai_latency": 9.5,
                         "$ai_session_id": "sess-7",
                         "$ai_input_state": {"question": "Where is my parcel?"}, "$ai_output_state": {"answer": "Arriving Friday."}}"""),
                event("$ai_span", 9, """
                        {"$ai_span_id": "s1", "$ai_parent_id": "trace-1", "$ai_span_name": "agent_loop", "$ai_latency": 8.0}"""),
                event("$ai_generation", 3, """
                        {"$ai_span_id": "g1", "$ai_parent_id": "s1", "$ai_model": "gpt-4.1-mini", "$ai_provider": "openai",
                         "$ai_latency": 1.25, "$ai_input_tokens": 1200, "$ai_output_tokens": 80, "$ai_total_cost_usd": 0.0123,
                         "$ai_stop_reason": "length", "customer_tier": "gold",
                         "$ai_input": [{"role": "user", "content": "Where is my parcel?"}],
                         "$ai_output_choices": [{"role": "assistant", "content": "Let me check."}]}"""),
                event("$ai_span", 5, """
                        {"$ai_span_id": "t1", "$ai_parent_id": "s1", "$ai_span_name": "track_parcel", "$ai_latency": 2.0,
                         "$ai_is_error": true, "$ai_error": "TimeoutError: carrier API did not answer", "$ai_http_status": 504,
                         "$ai_input_state": {"tracking": "PK123"}}"""),
                event("$ai_embedding", 6, """
                        {"$ai_span_id": "e1", "$ai_parent_id": "s1", "$ai_model": "text-embedding-3-small", "$ai_input_tokens": 12,
                         "$ai_input": "parcel delayed"}"""),
                event("$ai_evaluation", 11, """
                        {"$ai_evaluation_name": "helpfulness", "$ai_evaluation_result": false,
                         "$ai_evaluation_reasoning": "The answer did not give a date.", "$ai_target_event_id": "g1"}"""),
                event("$ai_metric", 12, """
                        {"$ai_metric_name": "thumbs", "$ai_metric_value": -1}"""),
                event("$ai_feedback", 13, """
                        {"$ai_feedback_text": "Still no date, très décevant."}"""));
    }

    @Test
    @DisplayName("the header names the trace and gives its events, latency, tokens, cost, errors, models, user and session")
    void header() {
        List<String> lines = render(agentTrace()).lines().toList();

        assertThat(lines.get(0)).isEqualTo("Trace \"support_bot\" (id trace-1)");
        assertThat(lines.get(1)).isEqualTo("events: 8 | latency: 9.50 s | tokens: 1,212 in / 80 out | cost: $0.0123 | errors: 1"
                + " | models: gpt-4.1-mini, text-embedding-3-small");
        assertThat(lines.get(2)).isEqualTo("user: user-1 | started: 2025-06-01T10:00:03Z | session: sess-7");
    }

    @Test
    @DisplayName("the span tree nests children under parents with one summary line each, content indented beneath with spaces only")
    void tree() {
        String text = render(agentTrace());

        assertThat(text).contains("""
                span tree:
                ├─ span "agent_loop" · 8.00 s
                │  ├─ generation · gpt-4.1-mini (openai) · 1.25 s · 1,200 in / 80 out tokens · $0.0123 · stop: length
                         input:
                           [user] Where is my parcel?
                         output:
                           [assistant] Let me check.
                         metadata: customer_tier="gold"
                │  ├─ span "track_parcel" · 2.00 s · ERROR 504
                         ERROR (HTTP 504): TimeoutError: carrier API did not answer
                         input: {tracking: "PK123"}
                │  └─ embedding · text-embedding-3-small · 12 tokens
                         input: parcel delayed
                └─ evaluation "helpfulness" · result: false
                      reasoning: The answer did not give a date.
                      target_event_id: g1
                """);
    }

    @Test
    @DisplayName("the trace's input comes before the tree, its output after it, annotations last")
    void traceStatesAndAnnotations() {
        String text = render(agentTrace());

        assertThat(text).contains("\ntrace input: {question: \"Where is my parcel?\"}\n\nspan tree:\n");
        assertThat(text).endsWith("""
                trace output: {answer: "Arriving Friday."}

                annotations:
                  metric thumbs = -1 (by user-1)
                  feedback (by user-1): Still no date, très décevant.
                """);
    }

    @Test
    @DisplayName("a resent history is folded into one line; a short one is simply repeated")
    void folding() {
        String history = """
                [{"role": "system", "content": "%s"}, {"role": "user", "content": "first question"}""".formatted("Long system prompt. ".repeat(15));
        String text = render(trace(
                event("$ai_generation", 1, "{\"$ai_input\": " + history + "], \"$ai_output_choices\": [{\"role\": \"assistant\", \"content\": \"first answer\"}]}"),
                event("$ai_generation", 2, "{\"$ai_input\": " + history + ", {\"role\": \"assistant\", \"content\": \"first answer\"},"
                        + " {\"role\": \"user\", \"content\": \"second question\"}]}"),
                event("$ai_generation", 3, "{\"$ai_input\": [{\"role\": \"user\", \"content\": \"short\"}]}"),
                event("$ai_generation", 4, "{\"$ai_input\": [{\"role\": \"user\", \"content\": \"short\"}]}")));

        assertThat(text).contains("(3 earlier messages, already shown above)\n").contains("[user] second question");
        assertThat(text.split("\\[system]", -1)).hasSize(2);
        assertThat(text.split("\\[user] short", -1)).hasSize(3);
    }

    @Test
    @DisplayName("a pseudo-trace without $ai_trace renders from its events, with the id it was given")
    void pseudoTrace() {
        AssembledTrace t = TraceAssembler.assemble("(no trace id)", List.of(event("$ai_generation", 1, "{\"$ai_input\": \"hello\"}")));

        assertThat(render(t)).startsWith("Trace (unnamed) (id (no trace id))\n").contains("[user] hello");
    }

    @Test
    @DisplayName("rendering never throws: null trace and options, null lists, null events and properties, mistyped values")
    void neverThrows() {
        ObjectNode odd = TestTraces.props("""
                {"$ai_model": {"not": "a string"}, "$ai_latency": "fast", "$ai_input_tokens": [1], "$ai_total_cost_usd": "n/a",
                 "$ai_input": 42, "$ai_output_choices": [null, 7, true, [[["deep"]]], {"unknown": {"shape": []}}],
                 "$ai_tools": 3, "$ai_error": ["list", "error"], "$ai_is_error": "yes", "$ai_http_status": "abc",
                 "$ai_span_name": ["x"], "$ai_input_state": {"messages": "not a list"}}""");
        TraceEvent weird = new TraceEvent(null, null, null, null, null, odd);
        TraceEvent empty = new TraceEvent("u", "$ai_span", "d", Instant.EPOCH, Instant.EPOCH, null);
        List<TraceNode> children = new ArrayList<>(Arrays.asList(null, new TraceNode("c", null, 2, null, null)));
        AssembledTrace broken = new AssembledTrace(null, null, empty,
                Arrays.asList(new TraceNode("a", null, 1, weird, children), null, new TraceNode("b", null, 1, empty, null)),
                Arrays.asList(null, weird), null, null);

        assertThatCode(() -> TraceFormatter.format(null, null)).doesNotThrowAnyException();
        assertThatCode(() -> TraceFormatter.format(broken, new TraceFormatter.Options(true, 50))).doesNotThrowAnyException();
        String text = TraceFormatter.format(broken, null);
        assertThat(text).startsWith("Trace (unnamed) (id none)").contains("├─ event · ERROR").contains("ERROR: [\"list\", \"error\"]")
                .contains("input: {messages: \"not a list\"}").contains("(no event)");
    }

    @Test
    @DisplayName("a tree thousands of levels deep renders without overflowing the stack, its indentation capped")
    void deepTree() {
        List<TraceEvent> events = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            events.add(event("$ai_span", i, "{\"$ai_span_id\": \"s" + i + "\", \"$ai_parent_id\": \"s" + (i - 1) + "\", \"$ai_span_name\": \"level " + i + "\"}"));
        }

        String text = render(TraceAssembler.assemble("deep", events));

        assertThat(text).contains("span \"level 4999\" [depth 5000]");
        assertThat(text.lines().mapToInt(String::length).max().orElse(0)).isLessThan(120);
    }

    @Test
    @DisplayName("a node that appears twice in a hand-made tree is drawn once")
    void sharedNodes() {
        TraceEvent e = event("$ai_span", 1, "{\"$ai_span_name\": \"shared\"}");
        TraceNode shared = new TraceNode("x", null, 2, e, List.of());
        TraceNode parent = new TraceNode("p", null, 1, event("$ai_span", 0, "{}"), List.of(shared, shared));
        AssembledTrace t = new AssembledTrace("t", "t", null, List.of(parent), List.of(), List.of(e), null);

        assertThat(render(t).split("shared", -1)).hasSize(2);
    }

    @Test
    @DisplayName("aggregates are optional: without them the header counts the events")
    void noAggregates() {
        TraceEvent e = event("$ai_generation", 1, "{\"$ai_input\": \"hi\"}");
        AssembledTrace t = new AssembledTrace("t", null, null, List.of(new TraceNode("n", null, 1, e, List.of())), List.of(), List.of(e), null);

        assertThat(render(t).lines().toList().get(1)).isEqualTo("events: 1");
    }

    @Test
    @DisplayName("the same trace renders to the same text every time, so cached texts stay valid")
    void deterministic() {
        assertThat(render(agentTrace())).isEqualTo(render(agentTrace()));
    }

    @Test
    @DisplayName("aggregates from the assembler are shown as given, with costs too small for cents still visible")
    void smallCosts() {
        AssembledTrace base = agentTrace();
        TraceAggregates a = new TraceAggregates(1, 1, null, 5, 6, 0.000061, 0, List.of(), 1);
        AssembledTrace t = new AssembledTrace(base.traceId(), base.name(), null, List.of(), List.of(), List.of(), a);

        assertThat(render(t)).contains("latency: unknown | tokens: 5 in / 6 out | cost: $0.000061 | errors: 0\n");
    }
}
