package dev.prism.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TraceAssemblerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private int seq;

    private TraceEvent ev(String event, String spanId, String parentId, int second) {
        ObjectNode p = JSON.createObjectNode().put("$ai_trace_id", "trace-1");
        if (spanId != null) {
            p.put("$ai_span_id", spanId);
        }
        if (parentId != null) {
            p.put("$ai_parent_id", parentId);
        }
        return new TraceEvent("uuid-" + (seq++), event, "user-" + (second % 2), T0.plusSeconds(second), T0, p);
    }

    @Test
    @DisplayName("children that arrive before their parents hang under them; a parent naming the trace puts a node at the top")
    void buildsTreeInAnyOrder() {
        List<TraceEvent> events = List.of(
                ev("$ai_generation", "g1", "step", 3),
                ev("$ai_span", "step", "agent", 4),
                ev("$ai_span", "agent", "trace-1", 5),
                ev("$ai_trace", "root-span", null, 6));
        AssembledTrace t = TraceAssembler.assemble("trace-1", events);
        assertThat(t.root()).isNotNull();
        assertThat(t.nodes()).extracting(TraceNode::id).containsExactly("agent");
        assertThat(t.nodes().get(0).children().get(0).children().get(0).id()).isEqualTo("g1");
        assertThat(t.aggregates().depth()).isEqualTo(3);
        assertThat(t.aggregates().eventCount()).isEqualTo(4);
    }

    @Test
    @DisplayName("the span id of the $ai_trace event is the trace too; orphans become top-level nodes")
    void traceSpanAliasAndOrphans() {
        List<TraceEvent> events = List.of(
                ev("$ai_span", "a", "root-span", 1),
                ev("$ai_generation", "b", "never-sent", 2),
                ev("$ai_generation", null, null, 3),
                ev("$ai_trace", "root-span", null, 4));
        AssembledTrace t = TraceAssembler.assemble("trace-1", events);
        assertThat(t.nodes()).hasSize(3);
        assertThat(t.nodes()).allMatch(n -> n.depth() == 1);
        assertThat(t.nodes().get(2).id()).startsWith("event:");
    }

    @Test
    @DisplayName("a pseudo-trace is built when no $ai_trace event exists")
    void pseudoTrace() {
        AssembledTrace t = TraceAssembler.assemble("trace-1", List.of(ev("$ai_generation", "g", null, 1)));
        assertThat(t.root()).isNull();
        assertThat(t.nodes()).hasSize(1);
        assertThat(t.aggregates().depth()).isEqualTo(1);
    }

    @Test
    @DisplayName("parent cycles are cut so every node still appears exactly once")
    void breaksCycles() {
        List<TraceEvent> events = List.of(
                ev("$ai_span", "a", "b", 1),
                ev("$ai_span", "b", "c", 2),
                ev("$ai_span", "c", "a", 3),
                ev("$ai_span", "self", "self", 4));
        AssembledTrace t = TraceAssembler.assemble("trace-1", events);
        List<String> all = new ArrayList<>();
        List<TraceNode> stack = new ArrayList<>(t.nodes());
        while (!stack.isEmpty()) {
            TraceNode n = stack.remove(stack.size() - 1);
            all.add(n.id());
            stack.addAll(n.children());
        }
        assertThat(all).containsExactlyInAnyOrder("a", "b", "c", "self");
        assertThat(t.aggregates().depth()).isEqualTo(3);
    }

    @Test
    @DisplayName("a 20,000-deep parent chain assembles without recursion")
    void deepChain() {
        List<TraceEvent> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(ev("$ai_span", "s" + i, i == 0 ? null : "s" + (i - 1), i));
        }
        AssembledTrace t = TraceAssembler.assemble("trace-1", events);
        assertThat(t.aggregates().depth()).isEqualTo(20_000);
    }

    @Test
    @DisplayName("a span id sent twice keeps both nodes")
    void duplicateIds() {
        AssembledTrace t = TraceAssembler.assemble("trace-1", List.of(ev("$ai_span", "x", null, 1), ev("$ai_span", "x", null, 2)));
        assertThat(t.nodes()).extracting(TraceNode::id).containsExactly("x", "x#2");
    }

    @Test
    @DisplayName("aggregates add tokens and cost of generations, count errors, models and users, and span latency from first start to last end")
    void aggregates() {
        TraceEvent g1 = ev("$ai_generation", "g1", null, 10);
        g1.properties().put("$ai_input_tokens", 100).put("$ai_output_tokens", "20").put("$ai_total_cost_usd", 0.25)
                .put("$ai_latency", 4.0).put("$ai_model", "gpt-4o");
        TraceEvent g2 = ev("$ai_generation", "g2", null, 20);
        g2.properties().put("$ai_input_tokens", 50.0).put("$ai_input_cost_usd", 0.1).put("$ai_output_cost_usd", 0.05)
                .put("$ai_is_error", true).put("$ai_model", "claude");
        TraceEvent span = ev("$ai_span", "s", null, 21);
        span.properties().put("$ai_error", "boom").put("$ai_input_tokens", 999);
        TraceEvent feedback = ev("$ai_feedback", null, null, 22);
        AssembledTrace t = TraceAssembler.assemble("trace-1", List.of(g1, g2, span, feedback));
        var a = t.aggregates();
        assertThat(a.inputTokens()).isEqualTo(150);
        assertThat(a.outputTokens()).isEqualTo(20);
        assertThat(a.costUsd()).isCloseTo(0.40, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(a.errorCount()).isEqualTo(2);
        assertThat(a.models()).containsExactly("gpt-4o", "claude");
        assertThat(a.distinctUsers()).isEqualTo(2);
        assertThat(a.latencySeconds()).isEqualTo(16.0); // starts at 10 - 4 = 6 s, ends at 22 s
        assertThat(t.annotations()).containsExactly(feedback);
    }

    @Test
    @DisplayName("the $ai_trace event's own latency wins over the span of its events")
    void rootLatency() {
        TraceEvent root = ev("$ai_trace", null, null, 30);
        root.properties().put("$ai_latency", 2.5).put("$ai_span_name", "checkout");
        AssembledTrace t = TraceAssembler.assemble("trace-1", List.of(ev("$ai_span", "a", null, 1), root));
        assertThat(t.aggregates().latencySeconds()).isEqualTo(2.5);
        assertThat(t.name()).isEqualTo("checkout");
    }

    @Test
    @DisplayName("a trace's cost sums sent and estimated costs, and says when part of it was estimated")
    void estimatedCost() {
        TraceEvent sent = ev("$ai_generation", "g1", null, 1);
        sent.properties().put("$ai_total_cost_usd", 0.25);
        TraceEvent estimated = ev("$ai_generation", "g2", null, 2);
        estimated.properties().put("$ai_total_cost_usd", 0.5).put("$ai_cost_estimated", true);
        assertThat(TraceAssembler.assemble("trace-1", List.of(sent)).aggregates().costEstimated()).isFalse();
        var a = TraceAssembler.assemble("trace-1", List.of(sent, estimated)).aggregates();
        assertThat(a.costUsd()).isEqualTo(0.75);
        assertThat(a.costEstimated()).isTrue();
    }
}
