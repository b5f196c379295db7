package dev.prism.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.llm.OfflineAnalyzer.Analysis;
import dev.prism.llm.OfflineAnalyzer.Theme;
import dev.prism.relevance.TraceView;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The recovery rule and the success pattern, on small hand-built traces in the OpenAI chat shape. */
class SuccessPatternTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Theme SUCCESS = new Theme("success_patterns", "Success patterns", "");

    /** Builds one trace's events, a second apart, each call seeing the conversation so far. */
    private static final class Trace {
        private final List<TraceEvent> events = new ArrayList<>();
        private final ArrayNode history = JSON.createArrayNode();
        private Instant at = Instant.parse("2026-12-01T10:00:00Z");

        Trace user(String text) {
            history.addObject().put("role", "user").put("content", text);
            return this;
        }

        Trace answer(String text) {
            ObjectNode message = JSON.createObjectNode().put("role", "assistant").put("content", text);
            generation(message, "stop", null);
            history.add(message);
            return this;
        }

        /** The model asks for a tool; the tool's result (or error) joins the conversation. */
        Trace toolCall(String tool, String result) {
            ObjectNode message = JSON.createObjectNode().put("role", "assistant");
            String id = "call_" + events.size();
            message.putArray("tool_calls").addObject().put("id", id).put("type", "function")
                    .putObject("function").put("name", tool).put("arguments", "{}");
            generation(message, "tool_calls", null);
            history.add(message);
            history.addObject().put("role", "tool").put("tool_call_id", id).put("content", result);
            return this;
        }

        Trace failedCall(int status, String error) {
            generation(null, null, error).put("$ai_http_status", status);
            return this;
        }

        Trace failedTool(String tool, String error) {
            ObjectNode p = event("$ai_span");
            p.put("$ai_span_name", tool).put("$ai_is_error", true).put("$ai_error", error);
            return this;
        }

        /** A chain span wrapping the events {@code from} on, ending now without error. */
        Trace chain(String name, int from) {
            String id = "chain" + events.size();
            for (int i = from; i < events.size(); i++) {
                events.get(i).properties().put("$ai_parent_id", id);
            }
            ObjectNode p = event("$ai_span");
            p.put("$ai_span_name", name).put("$ai_span_id", id);
            return this;
        }

        /** A LangChain-style root that closes the trace, in error when the run failed. */
        Trace root(String error) {
            ObjectNode p = event("$ai_trace");
            p.put("$ai_span_name", "AgentExecutor");
            if (error != null) {
                p.put("$ai_is_error", true).put("$ai_error", error);
            }
            return this;
        }

        private ObjectNode generation(ObjectNode output, String stop, String error) {
            ObjectNode p = event("$ai_generation");
            p.put("$ai_model", "gpt-4.1-mini").put("$ai_provider", "openai").put("$ai_latency", 1.2);
            p.set("$ai_input", history.deepCopy());
            if (output != null) {
                p.putArray("$ai_output_choices").add(output);
                p.put("$ai_stop_reason", stop).put("$ai_http_status", 200);
            }
            if (error != null) {
                p.put("$ai_is_error", true).put("$ai_error", error);
            }
            return p;
        }

        private ObjectNode event(String name) {
            at = at.plusSeconds(1);
            ObjectNode e = JSON.createObjectNode().put("event", name).put("distinct_id", "u1").put("timestamp", at.toString());
            ObjectNode p = e.putObject("properties").put("$ai_trace_id", "t1").put("$ai_span_id", "s" + events.size());
            events.add(TraceEvent.fromCapture(e, "e" + events.size(), at));
            return p;
        }

        AssembledTrace assemble() {
            return TraceAssembler.assemble("t1", events);
        }
    }

    private static Analysis success(Trace t) {
        AssembledTrace trace = t.assemble();
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        return OfflineAnalyzer.analyze(SUCCESS, trace, text, new OfflineAnalyzer.Verdict(true, 0.9, "", null));
    }

    private static boolean recovered(Trace t) {
        AssembledTrace trace = t.assemble();
        boolean rule = trace.recoveredFromFailure();
        // The relevance model's view and the analyzer's signals read the same rule.
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        assertThat(TraceView.of(trace, text).structure().recovered()).isEqualTo(rule);
        assertThat(TraceSignals.of(trace, text).recovered()).isEqualTo(rule);
        return rule;
    }

    @Test
    @DisplayName("recovery: a failed model call then a retry that answers is recovered; a failure with nothing after it is not")
    void modelCallRetry() {
        assertThat(recovered(new Trace().user("Flights to Lisbon on Friday?").failedCall(429, "Rate limit reached")
                .answer("Two direct flights: 07:10 and 18:45."))).isTrue();
        assertThat(recovered(new Trace().user("Flights to Lisbon on Friday?").failedCall(429, "Rate limit reached")
                .failedCall(429, "Rate limit reached"))).isFalse();
        assertThat(recovered(new Trace().user("Flights to Lisbon on Friday?").answer("Two direct flights."))).as("nothing failed").isFalse();
    }

    @Test
    @DisplayName("recovery: a failed tool counts when the tool is called again before the answer, not when the reply only reports the failure")
    void toolRetry() {
        assertThat(recovered(new Trace().user("Is order 8812 shipped?").toolCall("get_order", "{\"error\": \"timed out\"}")
                .failedTool("get_order", "ReadTimeout").toolCall("get_order", "{\"status\": \"shipped\"}")
                .answer("Yes, it shipped yesterday."))).as("retried tool").isTrue();
        assertThat(recovered(new Trace().user("Is order 8812 shipped?").toolCall("get_order", "{\"error\": \"timed out\"}")
                .failedTool("get_order", "ReadTimeout")
                .answer("Sorry, I couldn't reach the order system just now."))).as("reply after a failed tool, no retry").isFalse();
        assertThat(recovered(new Trace().user("Is order 8812 shipped?").toolCall("get_order", "{\"error\": \"timed out\"}")
                .failedTool("get_order", "ReadTimeout").chain("AgentStep", 0).answer("Sorry, I couldn't reach the order system just now.")))
                .as("the step wrapping the failed tool ends before the apology: no retry").isFalse();
    }

    @Test
    @DisplayName("recovery: a wrapper that ends in error after the last answer means the trace failed")
    void wrapperFailsLast() {
        assertThat(recovered(new Trace().user("Is order 8812 shipped?").failedCall(503, "Service unavailable")
                .answer("Yes, it shipped.").root("AgentExecutor failed: OutputParserException"))).isFalse();
        assertThat(recovered(new Trace().user("Is order 8812 shipped?").failedCall(503, "Service unavailable")
                .answer("Yes, it shipped.").root(null))).isTrue();
    }

    @Test
    @DisplayName("the title names how the trace succeeded, decided from structure; the summary keeps the task")
    void patterns() {
        Analysis direct = success(new Trace().user("How long do I roast a 1.5 kg chicken?").answer("About 80 minutes at 190 °C.")
                .user("thanks a lot!").answer("Enjoy your meal!"));
        assertThat(direct.title()).isEqualTo(SuccessPattern.DIRECT.title);
        assertThat(direct.summary()).contains("How long do I roast a 1.5 kg chicken?").contains("thanked");

        Analysis tools = success(new Trace().user("What did I spend on groceries in January?")
                .toolCall("get_transactions", "{\"total_eur\": 412.37}").answer("You spent 412.37 EUR on groceries."));
        assertThat(tools.title()).isEqualTo(SuccessPattern.WITH_TOOLS.title);
        assertThat(tools.summary()).contains("groceries in January").contains("1 tool call");

        Analysis recovered = success(new Trace().user("Is order 8812 shipped?").toolCall("get_order", "{\"error\": \"timed out\"}")
                .failedTool("get_order", "httpx.ReadTimeout: The read operation timed out").toolCall("get_order", "{\"status\": \"shipped\"}")
                .answer("Yes, it shipped yesterday."));
        assertThat(recovered.title()).as("a recovery outweighs the tools it used").isEqualTo(SuccessPattern.RECOVERED.title);
        assertThat(recovered.summary()).contains("order 8812").contains("timed out");

        Analysis clarified = success(new Trace().user("Book me a table for tonight.").answer("Sure - for how many people, and which time?")
                .user("4 people at 8pm").answer("Done: a table for 4 at 20:00."));
        assertThat(clarified.title()).isEqualTo(SuccessPattern.CLARIFIED.title);
    }

    @Test
    @DisplayName("a closing offer answered with thanks is no clarifying exchange")
    void thanksAfterAQuestion() {
        Analysis a = success(new Trace().user("What's the notice period for a lease?").answer("Two months. Anything else I can help with?")
                .user("No, thank you!").answer("Have a good day!"));
        assertThat(a.title()).isEqualTo(SuccessPattern.DIRECT.title);
    }

    @Test
    @DisplayName("the same pattern in different tasks, wordings and languages embeds the same canonical text")
    void embedTextIsThePattern() {
        Analysis en = success(new Trace().user("How long do I roast a 1.5 kg chicken?").answer("About 80 minutes at 190 °C."));
        Analysis es = success(new Trace().user("¿Cuál es el plazo de preaviso para un alquiler?").answer("Dos meses."));
        assertThat(en.embedText()).isEqualTo(es.embedText()).isEqualTo(SuccessPattern.DIRECT.canonical).doesNotContain("chicken");
        assertThat(List.of(SuccessPattern.values())).extracting(p -> p.canonical).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("without a verdict the rules decide, and an unrecovered failure is no success")
    void rulesWithoutVerdict() {
        AssembledTrace failed = new Trace().user("Is order 8812 shipped?").toolCall("get_order", "{\"error\": \"timed out\"}")
                .failedTool("get_order", "ReadTimeout").answer("Sorry, I couldn't reach the order system.").assemble();
        String text = TraceFormatter.format(failed, TraceFormatter.Options.defaults());
        assertThat(OfflineAnalyzer.analyze(SUCCESS, failed, text).themeRelevant()).isFalse();
        AssembledTrace answered = new Trace().user("How long do I roast a 1.5 kg chicken?").answer("About 80 minutes.").assemble();
        Analysis a = OfflineAnalyzer.analyze(SUCCESS, answered, TraceFormatter.format(answered, TraceFormatter.Options.defaults()));
        assertThat(a.themeRelevant()).isTrue();
        assertThat(a.title()).isEqualTo(SuccessPattern.DIRECT.title);
    }
}
