package dev.prism.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.llm.OfflineAnalyzer.Analysis;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Performance causes read from the events, through the offline analyzer: titles never name the model. */
class PerformanceCauseTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Builds one trace's events: a root plus calls, each one second after the previous. */
    private static final class Trace {
        final String id;
        final List<TraceEvent> events = new ArrayList<>();
        int n;

        Trace(String id, double latency) {
            this.id = id;
            ObjectNode p = props(Map.of("$ai_trace_id", id, "$ai_span_name", "agent", "$ai_latency", latency));
            events.add(event("$ai_trace", p));
        }

        Trace generation(String model, double latency, long inputTokens, double cost, boolean error) {
            ObjectNode p = props(Map.of("$ai_trace_id", id, "$ai_model", model, "$ai_latency", latency, "$ai_input_tokens", inputTokens,
                    "$ai_output_tokens", 200, "$ai_total_cost_usd", cost, "$ai_parent_id", id, "$ai_span_id", "g" + n));
            if (error) {
                p.put("$ai_is_error", true).put("$ai_http_status", 503).put("$ai_error", "server busy");
            } else {
                p.set("$ai_output_choices", MAPPER.valueToTree(List.of(Map.of("role", "assistant", "content", "ok"))));
            }
            events.add(event("$ai_generation", p));
            return this;
        }

        Trace tool(String name, double latency) {
            events.add(event("$ai_span", props(Map.of("$ai_trace_id", id, "$ai_span_name", name, "$ai_latency", latency,
                    "$ai_parent_id", id, "$ai_span_id", "s" + n))));
            return this;
        }

        private TraceEvent event(String name, ObjectNode p) {
            return new TraceEvent(id + "-" + n, name, "user", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n++), Instant.EPOCH, p);
        }

        private static ObjectNode props(Map<String, Object> m) {
            return MAPPER.valueToTree(m);
        }

        Analysis analyze() {
            AssembledTrace t = TraceAssembler.assemble(id, events);
            return OfflineAnalyzer.analyze(new OfflineAnalyzer.Theme("performance_issues", "Performance", ""), t,
                    TraceFormatter.format(t, TraceFormatter.Options.defaults()));
        }
    }

    @Test
    @DisplayName("slow generations on different models are one cause; the summary names the model and the seconds")
    void slowGeneration() {
        Set<String> titles = new LinkedHashSet<>();
        for (String model : List.of("gpt-4.1-mini", "gemini-1.5-flash", "claude-opus-4-1", "mistral-large-latest")) {
            Analysis a = new Trace("slow-" + model, 48).tool("lookup", 0.4).generation(model, 46.5, 3_000, 0.02, false).analyze();
            assertThat(a.themeRelevant()).isTrue();
            assertThat(a.title()).doesNotContain(model);
            assertThat(a.summary()).contains(model).contains("46.5 s");
            assertThat(a.embedText()).doesNotContain(model);
            titles.add(a.title());
        }
        assertThat(titles).containsExactly(PerformanceCause.SLOW_GENERATION);
    }

    @Test
    @DisplayName("the same tool called again and again is a loop, whichever tool and model")
    void loop() {
        Trace t = new Trace("loop", 35).generation("gpt-4o", 2, 2_000, 0.01, false);
        for (int i = 0; i < 7; i++) {
            t.tool("search_docs", 1.5).generation("gpt-4o", 2, 2_000, 0.01, false);
        }
        Analysis a = t.analyze();
        assertThat(a.title()).isEqualTo(PerformanceCause.LOOP);
        assertThat(a.summary()).contains("search_docs").contains("7 times");

        Trace models = new Trace("loop-model", 40);
        for (int i = 0; i < 9; i++) {
            models.generation("gemini-2.0-flash", 4, 1_000, 0.001, false);
        }
        assertThat(models.analyze().title()).isEqualTo(PerformanceCause.LOOP);
    }

    @Test
    @DisplayName("failed calls tried again and again are many retries, not a loop")
    void retries() {
        Trace t = new Trace("retries", 45);
        for (int i = 0; i < 3; i++) {
            t.generation("claude-sonnet-4", 8, 1_000, 0.01, true);
        }
        t.generation("claude-sonnet-4", 9, 1_000, 0.01, false);
        Analysis a = t.analyze();
        assertThat(a.title()).isEqualTo(PerformanceCause.MANY_RETRIES);
        assertThat(a.summary()).contains("3 calls were retries");
    }

    @Test
    @DisplayName("a tool that took most of the time is a slow tool call")
    void slowTool() {
        Analysis a = new Trace("tool", 40).generation("gpt-4o-mini", 2, 1_000, 0.001, false).tool("export_pdf", 35)
                .generation("gpt-4o-mini", 2, 1_000, 0.001, false).analyze();
        assertThat(a.title()).isEqualTo(PerformanceCause.SLOW_TOOL);
        assertThat(a.summary()).contains("export_pdf").contains("35.0 s");
    }

    @Test
    @DisplayName("a huge prompt is a very large prompt context; plain spending is an expensive trace")
    void expensive() {
        Analysis large = new Trace("large", 12).generation("gpt-4.1", 10, 180_000, 0.9, false).analyze();
        assertThat(large.title()).isEqualTo(PerformanceCause.LARGE_CONTEXT);
        assertThat(large.summary()).contains("180,000 input tokens").contains("gpt-4.1");

        Analysis costly = new Trace("costly", 12).generation("o3", 10, 20_000, 1.4, false).analyze();
        assertThat(costly.title()).isEqualTo(PerformanceCause.EXPENSIVE);
        assertThat(costly.summary()).contains("$1.40");
    }

    @Test
    @DisplayName("a slow trace whose calls were quick is slow outside them, not a slow generation")
    void slowElsewhere() {
        Analysis a = new Trace("idle", 55).generation("gpt-4o", 3, 1_000, 0.01, false).generation("gpt-4o", 3, 1_000, 0.01, false).analyze();
        assertThat(a.title()).isEqualTo(PerformanceCause.SLOW_ELSEWHERE);
    }

    @Test
    @DisplayName("tool calls are read from generation outputs in every SDK's shape, stringified or not")
    void toolCallsInOutputs() throws Exception {
        String openai = "[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"get_order\",\"arguments\":\"{}\"}}]}]";
        String anthropic = "[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"get_order\",\"input\":{}}]}]";
        String gemini = "[{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_order\",\"args\":{\"id\":1}}}]}]";
        String vercel = "[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool-call\",\"toolCallId\":\"x\",\"toolName\":\"get_order\",\"input\":{}}]}]";
        for (String shape : List.of(openai, anthropic, gemini, vercel)) {
            assertThat(dev.prism.common.CallCounts.toolCallsIn(MAPPER.readTree(shape), 0)).as(shape).containsExactly("get_order");
            assertThat(dev.prism.common.CallCounts.toolCallsIn(MAPPER.getNodeFactory().textNode(shape), 0)).as("stringified " + shape)
                    .containsExactly("get_order");
        }
        assertThat(dev.prism.common.CallCounts.toolCallsIn(MAPPER.readTree("[{\"role\":\"assistant\",\"content\":\"Your order shipped.\"}]"), 0)).isEmpty();
    }
}
