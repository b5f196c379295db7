package dev.prism.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.trace.TraceAssembler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Message shapes and edge cases, each on a small hand-written event. */
class TraceFormatterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String render(String propertiesJson) throws Exception {
        return render(propertiesJson, TraceFormatter.Options.defaults());
    }

    private static String render(String propertiesJson, TraceFormatter.Options options) throws Exception {
        ObjectNode props = (ObjectNode) JSON.readTree(propertiesJson);
        props.put("$ai_trace_id", "t");
        TraceEvent e = new TraceEvent("u1", "$ai_generation", "user", Instant.parse("2025-01-01T00:00:00Z"), Instant.EPOCH, props);
        return TraceFormatter.format(TraceAssembler.assemble("t", List.of(e)), options);
    }

    @Test
    @DisplayName("OpenAI chat: string and parts content, tool calls with JSON-string arguments and their results, refusals, null content")
    void openAiChat() throws Exception {
        String text = render("""
                {"$ai_input": [{"role": "user", "content": [{"type": "text", "text": "Weather in Köln?"}]},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Köln\\", \\"days\\": 2}"}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "{\\"temp_c\\": 7}"},
                  {"role": "assistant", "content": null, "refusal": "I can't share that."}],
                 "$ai_output_choices": [{"role": "assistant", "content": "7 °C and cloudy."}]}""");
        assertThat(text).contains("[user] Weather in Köln?").contains("→ get_weather(city=\"Köln\", days=2)")
                .contains("[tool] {temp_c: 7}").contains("[refusal] I can't share that.").contains("7 °C and cloudy.")
                .doesNotContain("\\\"").doesNotContain("\\u").doesNotContain("null");
    }

    @Test
    @DisplayName("OpenAI Responses: function_call and its output, reasoning with encrypted content, web search, whole response objects")
    void openAiResponses() throws Exception {
        String text = render("""
                {"$ai_input": [{"role": "user", "content": "Find flights"},
                  {"type": "function_call", "name": "search_flights", "arguments": "{\\"to\\": \\"LIS\\"}", "call_id": "x"},
                  {"type": "function_call_output", "call_id": "x", "output": "{\\"cheapest\\": 89}"},
                  {"type": "web_search_call", "action": {"query": "LIS weather"}}],
                 "$ai_output_choices": {"output": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "Pick the cheapest."}],
                   "encrypted_content": "%s"},
                   {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Cheapest is 89 EUR."}]}]}}"""
                .formatted("A".repeat(500)));
        assertThat(text).contains("→ search_flights(to=\"LIS\")").contains("[tool x] {cheapest: 89}").contains("LIS weather")
                .contains("[reasoning] Pick the cheapest. [encrypted reasoning").contains("Cheapest is 89 EUR.")
                .doesNotContain("AAAAAAAAAA");
    }

    @Test
    @DisplayName("Anthropic: system, images, tool_use, tool_result as string and as list, thinking without its signature, redacted thinking")
    void anthropic() throws Exception {
        String text = render("""
                {"$ai_input": {"system": "Be brief.", "messages": [
                  {"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "%s"}},
                                               {"type": "text", "text": "What is this?"}]},
                  {"role": "assistant", "content": [{"type": "thinking", "thinking": "Looks like a chart.", "signature": "%s"},
                                                    {"type": "redacted_thinking", "data": "abc"},
                                                    {"type": "tool_use", "id": "t1", "name": "ocr", "input": {"lang": "en"}}]},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "Revenue 2024"}]},
                                               {"type": "tool_result", "tool_use_id": "t2", "content": "plain result", "is_error": true}]}]}}"""
                .formatted("iVBORw0KGgo".repeat(100), "Zm9v".repeat(100)));
        assertThat(text).contains("[system] Be brief.").contains("[image/png base64, ").contains("What is this?")
                .contains("[thinking] Looks like a chart.").contains("redacted thinking").contains("→ ocr(lang=\"en\")")
                .contains("[tool t1] Revenue 2024").contains("[tool t2 ERROR] plain result")
                .doesNotContain("iVBORw0KGgoiVBORw0KGgo").doesNotContain("Zm9vZm9v");
    }

    @Test
    @DisplayName("Gemini: systemInstruction, contents with functionCall and functionResponse, candidates, thought signatures hidden")
    void gemini() throws Exception {
        String text = render("""
                {"$ai_input": {"systemInstruction": {"parts": [{"text": "You control lights."}]},
                  "contents": [{"role": "user", "parts": [{"text": "Lights off"}]},
                               {"role": "model", "parts": [{"functionCall": {"name": "set_lights", "args": {"on": false}}, "thoughtSignature": "%s"}]},
                               {"role": "user", "parts": [{"functionResponse": {"name": "set_lights", "response": {"ok": true}}}]}]},
                 "$ai_output_choices": {"candidates": [{"content": {"role": "model", "parts": [{"text": "Done."}]}, "finishReason": "MAX_TOKENS"}]}}"""
                .formatted("c2ln".repeat(80)));
        assertThat(text).contains("[system] You control lights.").contains("[user] Lights off").contains("→ set_lights(on=false)")
                .contains("[tool set_lights] {ok: true}").contains("[assistant] Done.").contains("MAX_TOKENS").doesNotContain("c2lnc2ln");
    }

    @Test
    @DisplayName("LangChain messages, serialized constructors and LangGraph states read as a conversation")
    void langChain() throws Exception {
        String text = render("""
                {"$ai_input": {"messages": [
                   {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"], "kwargs": {"content": "Hola"}},
                   {"type": "ai", "content": "", "tool_calls": [{"name": "lookup", "args": {"q": "x"}, "id": "1"}], "name": "agent"},
                   {"type": "tool", "content": "found", "name": "lookup"}]}}""");
        assertThat(text).contains("[user] Hola").contains("→ lookup(q=\"x\")").contains("[tool lookup] found");
    }

    @Test
    @DisplayName("Vercel AI SDK parts and OTel GenAI parts: tool-call, tool-result with json output, reasoning, files and blobs")
    void vercelAndOtel() throws Exception {
        String text = render("""
                {"$ai_input": [
                   {"role": "user", "content": [{"type": "text", "text": "Triage"}, {"type": "file", "mediaType": "application/pdf", "data": "%s"}]},
                   {"role": "assistant", "content": [{"type": "tool-call", "toolCallId": "a", "toolName": "listIssues", "input": {"label": "bug"}}]},
                   {"role": "tool", "content": [{"type": "tool-result", "toolCallId": "a", "toolName": "listIssues", "output": {"type": "json", "value": [{"n": 1}]}}]},
                   {"role": "user", "parts": [{"type": "text", "content": "otel text"}, {"type": "blob", "mime_type": "image/jpeg", "content": "%s"}]},
                   {"role": "assistant", "parts": [{"type": "tool_call", "name": "reset", "arguments": {"user": "m"}},
                                                   {"type": "reasoning", "content": "thinking aloud"}]}]}"""
                .formatted("JVBERi0".repeat(60), "/9j/4AAQ".repeat(60)));
        assertThat(text).contains("[user] Triage").contains("[file] [application/pdf base64").contains("→ listIssues(label=\"bug\")")
                .contains("[tool listIssues] [{n: 1}]").contains("[user] otel text").contains("[blob]")
                .contains("→ reset(user=\"m\")").contains("thinking aloud").doesNotContain("JVBERi0JVBERi0").doesNotContain("[object Object]");
    }

    @Test
    @DisplayName("OpenInference flattened keys and JSON-string tool schemas")
    void openInference() throws Exception {
        String text = render("""
                {"$ai_input": [{"message.role": "user", "message.content": "Mortgage?"}],
                 "$ai_output_choices": [{"message.role": "assistant", "message.content": "", "message.tool_calls": [
                    {"tool_call.function.name": "calc", "tool_call.function.arguments": "{\\"years\\": 25}"}]}],
                 "$ai_tools": [{"tool.json_schema": "{\\"type\\": \\"function\\", \\"function\\": {\\"name\\": \\"calc\\", \\"parameters\\": {\\"properties\\": {\\"years\\": {}}}}}"}]}""");
        assertThat(text).contains("[user] Mortgage?").contains("→ calc(years=25)").contains("Tools: calc(years)");
    }

    @Test
    @DisplayName("plain strings, JSON stored as strings and broken JSON all render; nothing is printed double-encoded")
    void stringsAndBrokenJson() throws Exception {
        String text = render("""
                {"$ai_input": "just a question",
                 "$ai_output_choices": "[{\\"role\\": \\"assistant\\", \\"content\\": \\"decoded answer\\"}]",
                 "$ai_tools": "[{\\"name\\": \\"broken\\", "}""");
        assertThat(text).contains("just a question").contains("[assistant] decoded answer").contains("Tools: [{\"name\": \"broken\", ")
                .doesNotContain("\\\"role\\\"");
    }

    @Test
    @DisplayName("errors show message, HTTP status found in the text, and the telling line of a Python traceback")
    void errors() throws Exception {
        String text = render("""
                {"$ai_is_error": true, "$ai_http_status": 0,
                 "$ai_error": "Traceback (most recent call last):\\n  File \\"/app/agent.py\\", line 10, in run\\n    x()\\n  File \\"/app/tools.py\\", line 42, in pay\\n    return p.payment_id\\nAttributeError: 'NoneType' object has no attribute 'payment_id'"}""");
        assertThat(text).contains("ERROR").contains("AttributeError: 'NoneType' object has no attribute 'payment_id'")
                .contains("/app/tools.py:42 in pay");
        String js = render("""
                {"$ai_is_error": true, "$ai_error": "{\\"name\\": \\"APICallError\\", \\"message\\": \\"Error code: 429 Too Many Requests\\", \\"stack\\": \\"APICallError: x\\\\n    at call (/srv/ai.js:10:5)\\"}"}""");
        assertThat(js).contains("ERROR (HTTP 429): APICallError: Error code: 429").contains("at call (/srv/ai.js:10:5)");
        assertThat(render("{\"$ai_is_error\": true, \"$ai_error\": \"504 DEADLINE_EXCEEDED. {'error': {'code': 504}}\"}"))
                .contains("ERROR (HTTP 504)");
        assertThat(render("{\"$ai_is_error\": true, \"$ai_error\": \"{'error': {'code': 503, 'status': 'UNAVAILABLE'}}\"}"))
                .contains("ERROR (HTTP 503)");
    }

    @Test
    @DisplayName("long values are cut in the middle with a note, and every tool name survives a long tool list")
    void cutsAndTools() throws Exception {
        StringBuilder tools = new StringBuilder("[");
        for (int i = 0; i < 60; i++) {
            tools.append(i == 0 ? "" : ",").append("{\"type\": \"function\", \"function\": {\"name\": \"tool_").append(i)
                    .append("\", \"description\": \"").append("d".repeat(500)).append("\"}}");
        }
        String text = render("{\"$ai_input\": \"" + "x".repeat(50_000) + "MIDDLE" + "y".repeat(50_000) + "\", \"$ai_tools\": " + tools + "]}");
        assertThat(text).contains("chars cut]").doesNotContain("MIDDLE").contains("tool_0()").contains("tool_59()");
        assertThat(text.length()).isLessThan(20_000);
    }

    @Test
    @DisplayName("line numbers prefix every line; max_length samples evenly spaced lines under a header saying what share is shown")
    void lineNumbersAndBudget() throws Exception {
        StringBuilder msgs = new StringBuilder("[");
        for (int i = 0; i < 400; i++) {
            msgs.append(i == 0 ? "" : ",").append("{\"role\": \"user\", \"content\": \"message number ").append(i).append("\"}");
        }
        String props = "{\"$ai_input\": " + msgs + "]}";
        String numbered = render(props, new TraceFormatter.Options(true, 0));
        assertThat(numbered.lines().filter(l -> !l.isEmpty())).allMatch(l -> l.matches("^L\\d{3}: .*|^L\\d{3}: ?$"));
        String small = render(props, new TraceFormatter.Options(true, 3_000));
        assertThat(small.length()).isLessThanOrEqualTo(3_000);
        assertThat(small).startsWith("[showing ").contains("evenly spaced").contains("message number 3").contains("message number 39");
    }

    @Test
    @DisplayName("a 5 MB trace of 2,000 generations, and a single 5 MB output, render within max_length well under a second")
    void hugeTraces() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        String sentence = "The parcel left the warehouse and the customer asked about the refund again. ";
        for (int g = 0; g < 2_000; g++) {
            ObjectNode p = JSON.createObjectNode().put("$ai_trace_id", "big").put("$ai_span_id", "g" + g).put("$ai_model", "gpt-4o-mini");
            var input = p.putArray("$ai_input");
            for (int m = 0; m < 6; m++) {
                input.addObject().put("role", m % 2 == 0 ? "user" : "assistant").put("content", sentence.repeat(5));
            }
            p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", sentence.repeat(5));
            events.add(new TraceEvent("u" + g, "$ai_generation", "user", Instant.EPOCH.plusSeconds(g), Instant.EPOCH, p));
        }
        AssembledTrace big = TraceAssembler.assemble("big", events);
        assertThat(JSON.writeValueAsString(events.stream().map(TraceEvent::properties).toList()).length()).isGreaterThan(5_000_000);
        ObjectNode huge = JSON.createObjectNode().put("$ai_trace_id", "huge").put("$ai_output_choices", "z".repeat(5_000_000));
        AssembledTrace one = TraceAssembler.assemble("huge", List.of(new TraceEvent("u", "$ai_generation", "x", Instant.EPOCH, Instant.EPOCH, huge)));
        TraceFormatter.Options budget = new TraceFormatter.Options(false, 50_000);
        TraceFormatter.format(big, budget); // warm-up
        long start = System.nanoTime();
        String a = TraceFormatter.format(big, budget);
        String b = TraceFormatter.format(one, budget);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(a.length()).isLessThanOrEqualTo(50_000);
        assertThat(b.length()).isLessThanOrEqualTo(50_000);
        assertThat(millis).as("render time in ms (a sanity bound; docs/benchmarks.md has the figures)").isLessThan(1_000);
    }

    @Test
    @DisplayName("spans, embeddings and evaluations hang in the tree with one-line summaries; metrics and feedback are annotations")
    void eventKinds() throws Exception {
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        ObjectNode root = (ObjectNode) JSON.readTree("{\"$ai_trace_id\": \"k\", \"$ai_span_name\": \"checkout\", \"$ai_input_state\": {\"cart\": 3}}");
        ObjectNode span = (ObjectNode) JSON.readTree("{\"$ai_trace_id\": \"k\", \"$ai_span_id\": \"s\", \"$ai_span_name\": \"pay\", \"$ai_latency\": 31.5,"
                + " \"$ai_is_error\": true, \"$ai_error\": \"card declined\", \"$ai_http_status\": 402}");
        ObjectNode embedding = (ObjectNode) JSON.readTree("{\"$ai_trace_id\": \"k\", \"$ai_parent_id\": \"s\", \"$ai_model\": \"text-embedding-3-small\","
                + " \"$ai_input\": [\"first doc\", \"second doc\"], \"$ai_total_cost_usd\": 0.00002}");
        ObjectNode evaluation = (ObjectNode) JSON.readTree("{\"$ai_trace_id\": \"k\", \"$ai_evaluation_name\": \"faithfulness\", \"$ai_evaluation_result\": 0.2}");
        ObjectNode metric = (ObjectNode) JSON.readTree("{\"$ai_trace_id\": \"k\", \"$ai_metric_name\": \"thumbs\", \"$ai_metric_value\": -1}");
        ObjectNode feedback = (ObjectNode) JSON.readTree("{\"$ai_trace_id\": \"k\", \"$ai_feedback_text\": \"Too slow\"}");
        String text = TraceFormatter.format(TraceAssembler.assemble("k", List.of(
                new TraceEvent("1", "$ai_trace", "u", t.plusSeconds(9), t, root),
                new TraceEvent("2", "$ai_span", "u", t.plusSeconds(5), t, span),
                new TraceEvent("3", "$ai_embedding", "u", t.plusSeconds(2), t, embedding),
                new TraceEvent("4", "$ai_evaluation", "u", t.plusSeconds(6), t, evaluation),
                new TraceEvent("5", "$ai_metric", "u", t.plusSeconds(7), t, metric),
                new TraceEvent("6", "$ai_feedback", "u", t.plusSeconds(8), t, feedback))), TraceFormatter.Options.defaults());
        assertThat(text).startsWith("Trace: checkout (k)").contains("Trace input:").contains("cart: 3")
                .contains("- span pay · 31.5 s · ERROR").contains("ERROR (HTTP 402): card declined")
                .contains("  - embedding · text-embedding-3-small").contains("Embedded: [\"first doc\", \"second doc\"]").contains("$0.00002")
                .contains("- evaluation").contains("evaluation_name: faithfulness").contains("evaluation_result: 0.2")
                .contains("- metric thumbs = -1").contains("- feedback: \"Too slow\"");
    }

    @Test
    @DisplayName("broken or mistyped fields never make rendering fail")
    void neverFails() throws Exception {
        String text = render("""
                {"$ai_input": [null, 3, true, {"role": 5, "content": {"weird": [1, {"x": null}]}}, {"type": "tool_result"}],
                 "$ai_output_choices": {"choices": "not a list"}, "$ai_latency": "slow", "$ai_total_cost_usd": "free",
                 "$ai_tools": 42, "$ai_error": {"nested": {"deep": true}}, "$ai_is_error": "true"}""");
        assertThat(text).contains("ERROR").contains("weird");
    }
}
