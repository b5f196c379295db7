package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.bus.TraceEvent;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One event's rendering: a one-line summary for the tree (type, name, model, latency, tokens, cost, ERROR) and the
 * body beneath it (error, tools, conversation or states, custom properties), per event type: {@code $ai_generation},
 * {@code $ai_embedding}, {@code $ai_span}, {@code $ai_trace}, {@code $ai_evaluation}, {@code $ai_metric} and
 * {@code $ai_feedback}; unknown types render like spans.
 */
final class EventRenderer {

    /** Stop reasons that say nothing unusual happened, left out of the summary. */
    private static final Set<String> NORMAL_STOPS = Set.of("stop", "end_turn", "completed", "tool_calls", "tool_use",
            "tool-calls", "function_call", "stop_sequence", "finish_reason_stop");

    /** Evaluation properties that identify rather than describe, left out of an evaluation's body. */
    private static final Set<String> IDENTIFYING = Set.of("$ai_trace_id", "$ai_span_id", "$ai_parent_id", "$ai_span_name",
            "$ai_session_id", "$ai_lib", "$ai_lib_version", "$ai_evaluation_name", "$ai_evaluation_result", "$ai_model",
            "$ai_provider", "$ai_latency", "$ai_is_error", "$ai_error", "$ai_error_stack", "$ai_http_status");

    private static final int METADATA_LIMIT = 600;

    private final RenderContext ctx;
    private final MessageRenderer messages;
    private JsonNode describedFor;
    private ErrorRenderer.Described described;

    EventRenderer(RenderContext ctx) {
        this.ctx = ctx;
        this.messages = new MessageRenderer(ctx);
    }

    // ---------------------------------------------------------------- summary line

    /** {@code generation "llm" · gpt-4.1-mini (openai) · 1.15 s · 298 in / 49 out tokens · $0.0004 · ERROR 429}. */
    String summary(TraceEvent e) {
        JsonNode p = e.properties();
        String kind = kind(e.event());
        StringBuilder sb = new StringBuilder(96).append(kind);
        String name = EventProps.text(p, "$ai_span_name");
        if (name == null && kind.equals("evaluation")) {
            name = EventProps.text(p, "$ai_evaluation_name");
        }
        if (name != null) {
            sb.append(" \"").append(oneLine(name, 200)).append('"');
        }
        String model = EventProps.text(p, "$ai_model");
        if (model != null) {
            sb.append(" · ").append(oneLine(model, 120));
            String provider = EventProps.text(p, "$ai_provider");
            if (provider != null) {
                sb.append(" (").append(oneLine(provider, 60)).append(')');
            }
        }
        Double latency = EventProps.number(p, "$ai_latency");
        if (latency != null) {
            sb.append(" · ").append(Fmt.seconds(latency));
        }
        Double in = EventProps.number(p, "$ai_input_tokens");
        Double out = EventProps.number(p, "$ai_output_tokens");
        if (in != null && out != null && (in > 0 || out > 0)) {
            sb.append(" · ").append(Fmt.count(Math.round(in))).append(" in / ").append(Fmt.count(Math.round(out))).append(" out tokens");
        } else if (in != null && in > 0 || out != null && out > 0) {
            sb.append(" · ").append(Fmt.count(Math.round(in != null ? in : out))).append(in != null ? " tokens" : " output tokens");
        }
        double cost = cost(p);
        if (cost > 0) {
            sb.append(" · ").append(Fmt.usd(cost));
        }
        String stop = EventProps.text(p, "$ai_stop_reason");
        if (stop != null && !NORMAL_STOPS.contains(stop.toLowerCase(Locale.ROOT))) {
            sb.append(" · stop: ").append(oneLine(stop, 60));
        }
        if (kind.equals("evaluation")) {
            JsonNode result = firstOf(p, "$ai_evaluation_result", "$ai_evaluation_numeric_result", "$ai_score");
            if (result != null) {
                sb.append(" · result: ").append(oneLine(ValueText.scalar(result), 100));
            }
        }
        if (EventProps.isError(p)) {
            Integer status = ErrorRenderer.status(p, described(p));
            sb.append(" · ERROR").append(status == null ? "" : " " + status);
        }
        return sb.toString();
    }

    /** The event's error, read once for its summary line and its body. */
    private ErrorRenderer.Described described(JsonNode p) {
        if (p != describedFor || described == null) {
            described = ErrorRenderer.describe(EventProps.get(p, "$ai_error"));
            describedFor = p;
        }
        return described;
    }

    static double cost(JsonNode p) {
        Double total = EventProps.number(p, "$ai_total_cost_usd");
        if (total != null) {
            return total;
        }
        Double in = EventProps.number(p, "$ai_input_cost_usd");
        Double out = EventProps.number(p, "$ai_output_cost_usd");
        return (in == null ? 0 : in) + (out == null ? 0 : out);
    }

    /** {@code $ai_generation} → {@code generation}. */
    static String kind(String event) {
        if (event == null || event.isBlank()) {
            return "event";
        }
        return oneLine(event.startsWith("$ai_") ? event.substring(4) : event, 60);
    }

    // ---------------------------------------------------------------- body

    /** The lines beneath an event's summary. */
    void body(TextOut out, TraceEvent e) {
        JsonNode p = e.properties();
        if (EventProps.isError(p)) {
            ErrorRenderer.write(out, p, described(p));
        }
        switch (kind(e.event())) {
            case "generation" -> generation(out, p);
            case "embedding" -> embedding(out, p);
            case "evaluation" -> evaluation(out, p);
            default -> states(out, p, "input", "output");
        }
        if (!kind(e.event()).equals("feedback")) {
            // Feedback text on an event of another (or no) type is still what the user said: shown, not dropped.
            JsonNode feedback = EventProps.get(p, "$ai_feedback_text");
            if (feedback != null && !ValueText.isBlank(feedback)) {
                ValueText.labeled(out, "feedback", feedback);
            }
        }
        metadata(out, p);
    }

    private void generation(TextOut out, JsonNode p) {
        details(out, p);
        ToolRenderer.available(out, EventProps.get(p, "$ai_tools"), ctx);
        List<Message> input = new ArrayList<>();
        JsonNode instructions = EventProps.get(p, "$ai_instructions");
        if (instructions != null && !ValueText.isBlank(instructions)) {
            input.addAll(MessageParser.parse(instructions, "system"));
        }
        input.addAll(MessageParser.parse(EventProps.get(p, "$ai_input"), "user"));
        if (!input.isEmpty()) {
            out.line("input:");
            String old = out.push("  ");
            messages.conversation(out, input, MessageRenderer.Fold.SHOWN);
            out.indent(old);
        }
        JsonNode outputValue = structuredFirst(p, "$ai_output_choices", "$ai_output");
        List<Message> output = MessageParser.parse(outputValue, "assistant");
        if (!output.isEmpty()) {
            out.line("output:");
            String old = out.push("  ");
            messages.conversation(out, output, MessageRenderer.Fold.NONE);
            out.indent(old);
        }
    }

    private void embedding(TextOut out, JsonNode p) {
        JsonNode input = EventProps.get(p, "$ai_input");
        if (!ValueText.isBlank(input)) {
            ValueText.labeled(out, "input", input);
        }
        JsonNode output = firstOf(p, "$ai_output", "$ai_embedding");
        if (output != null && output.isArray() && !output.isEmpty()) {
            JsonNode firstVector = output.get(0).isArray() ? output.get(0) : output;
            out.line("output: [" + (output.get(0).isArray() ? output.size() + " vectors of " : "vector of ")
                    + firstVector.size() + " dimensions]");
        }
    }

    private void evaluation(TextOut out, JsonNode p) {
        if (p == null || !p.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            boolean describes = key.startsWith("$ai_evaluation_") || key.startsWith("$ai_score") || key.startsWith("$ai_metric_")
                    || key.startsWith("$ai_target_") || key.equals("$ai_status");
            if (describes && !IDENTIFYING.contains(key) && !ValueText.isBlank(f.getValue())) {
                String label = key.startsWith("$ai_evaluation_") ? key.substring(15) : key.substring(4);
                ValueText.labeled(out, label, f.getValue());
            }
        }
        states(out, p, "input", "output");
    }

    /** Model parameters and the usage figures the summary line leaves out. */
    private static void details(TextOut out, JsonNode p) {
        List<String> items = new ArrayList<>();
        JsonNode params = MessageParser.decoded(EventProps.get(p, "$ai_model_parameters"));
        if (params != null && params.isObject() && !params.isEmpty()) {
            StringBuilder sb = new StringBuilder("params: ");
            int n = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext() && n < 12; ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!ValueText.isBlank(f.getValue())) {
                    sb.append(n++ == 0 ? "" : ", ").append(f.getKey()).append('=').append(ValueText.oneLine(f.getValue(), 60, 120));
                }
            }
            if (n > 0) {
                items.add(sb.toString());
            }
        }
        addNumber(items, p, "$ai_time_to_first_token", "first token after ", true);
        addNumber(items, p, "$ai_reasoning_tokens", "reasoning tokens: ", false);
        addNumber(items, p, "$ai_cache_read_input_tokens", "cache read tokens: ", false);
        addNumber(items, p, "$ai_cache_creation_input_tokens", "cache write tokens: ", false);
        addNumber(items, p, "$ai_web_search_count", "web searches: ", false);
        if (!items.isEmpty()) {
            out.line(oneLine(String.join(" · ", items), 800));
        }
    }

    private static void addNumber(List<String> items, JsonNode p, String key, String label, boolean seconds) {
        Double v = EventProps.number(p, key);
        if (v != null && v > 0) {
            items.add(label + (seconds ? Fmt.seconds(v) : Fmt.count(Math.round(v))));
        }
    }

    /** A span's (or trace's) input and output states, falling back to {@code $ai_input}/{@code $ai_output}. */
    void states(TextOut out, JsonNode p, String inputLabel, String outputLabel) {
        state(out, inputLabel, structuredFirst(p, "$ai_input_state", "$ai_input"), "user");
        state(out, outputLabel, structuredFirst(p, "$ai_output_state", "$ai_output", "$ai_output_choices"), "assistant");
    }

    /**
     * One state: a conversation (a message list or a single message) rendered as messages; an object some of whose
     * fields are conversations (a LangGraph {@code {"messages": […], "next": …}} state, a LangChain
     * {@code {"input": …, "chat_history": […]}}) with those fields as messages and the others as values; anything else
     * as a value.
     */
    void state(TextOut out, String label, JsonNode v, String defaultRole) {
        if (ValueText.isBlank(v)) {
            return;
        }
        JsonNode d = MessageParser.decoded(v);
        MessageRenderer.Fold fold = defaultRole.equals("assistant") ? MessageRenderer.Fold.SHOWN_BUT_LAST : MessageRenderer.Fold.SHOWN;
        if (d != null && MessageParser.isConversation(d)) {
            out.line(label + ":");
            String old = out.push("  ");
            messages.conversation(out, MessageParser.parse(d, defaultRole), fold);
            out.indent(old);
        } else if (d != null && d.isObject() && hasConversationField(d)) {
            out.line(label + ":");
            String old = out.push("  ");
            for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (ValueText.isBlank(f.getValue())) {
                    continue;
                }
                if (MessageParser.isConversation(f.getValue())) {
                    if (!f.getKey().equals("messages")) {
                        out.line(f.getKey() + ":");
                    }
                    String inner = f.getKey().equals("messages") ? out.indent() : out.push("  ");
                    messages.conversation(out, MessageParser.parse(f.getValue(), defaultRole), fold);
                    out.indent(inner);
                } else {
                    ValueText.labeled(out, f.getKey(), f.getValue());
                }
            }
            out.indent(old);
        } else {
            ValueText.labeled(out, label, d != null ? d : v); // already decoded: a big JSON string is parsed once
        }
    }

    private static boolean hasConversationField(JsonNode o) {
        int checked = 0;
        for (Iterator<JsonNode> it = o.elements(); it.hasNext() && checked < 50; checked++) {
            JsonNode v = it.next();
            if ((v.isArray() || v.isTextual() && v.textValue().startsWith("[")) && MessageParser.isConversation(v)) {
                return true;
            }
        }
        return false;
    }

    /** The event's own properties (those not starting with {@code $}), on one line. */
    private static void metadata(TextOut out, JsonNode p) {
        if (p == null || !p.isObject()) {
            return;
        }
        StringBuilder sb = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().startsWith("$") || ValueText.isBlank(f.getValue())) {
                continue;
            }
            sb = sb == null ? new StringBuilder("metadata: ") : sb.append(", ");
            sb.append(f.getKey()).append('=').append(ValueText.oneLine(f.getValue(), 100, 200));
            if (sb.length() > METADATA_LIMIT) {
                break;
            }
        }
        if (sb != null) {
            out.line(ValueText.cut(sb.toString(), METADATA_LIMIT));
        }
    }

    /** An annotation line: {@code metric helpful = 0}, {@code feedback: "…"}. */
    void annotation(TextOut out, TraceEvent e) {
        JsonNode p = e.properties();
        String kind = kind(e.event());
        StringBuilder sb = new StringBuilder(kind);
        String name = EventProps.text(p, "$ai_metric_name");
        JsonNode value = EventProps.get(p, "$ai_metric_value");
        if (name != null || value != null) {
            sb.append(' ').append(name == null ? "(unnamed)" : oneLine(name, 120)).append(" = ")
                    .append(value == null ? "(no value)" : ValueText.oneLine(value, 100, 200));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = p == null ? java.util.Collections.emptyIterator() : p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            if (key.startsWith("$ai_feedback_") && !key.equals("$ai_feedback_text") && !ValueText.isBlank(f.getValue())) {
                sb.append(", ").append(key.substring(13)).append(": ").append(ValueText.oneLine(f.getValue(), 100, 200));
            }
        }
        if (e.distinctId() != null && !e.distinctId().isBlank()) {
            sb.append(" (by ").append(oneLine(e.distinctId(), 80)).append(')');
        }
        JsonNode text = EventProps.get(p, "$ai_feedback_text");
        if (text != null && !ValueText.isBlank(text)) {
            ValueText.write(out, sb + ": ", null, text.isTextual() ? text : TextNode.valueOf(ValueText.scalar(text)),
                    ValueText.TEXT_LIMIT, 0);
        } else {
            out.line(sb);
        }
    }

    /**
     * The first of the keys holding a list, an object or JSON text, else the first non-blank one: when a client sent
     * both and one is a stray scalar ({@code "NaN"}, {@code true}), the messages are what the event carries.
     */
    private static JsonNode structuredFirst(JsonNode p, String... keys) {
        JsonNode scalar = null;
        for (String k : keys) {
            JsonNode v = EventProps.get(p, k);
            if (v == null || ValueText.isBlank(v)) {
                continue;
            }
            if (v.isContainerNode() || v.isTextual() && isJsonStart(v.textValue())) {
                return v;
            }
            if (scalar == null) {
                scalar = v;
            }
        }
        return scalar;
    }

    private static boolean isJsonStart(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '[' || c == '{';
            }
        }
        return false;
    }

    private static JsonNode firstOf(JsonNode p, String... keys) {
        for (String k : keys) {
            JsonNode v = EventProps.get(p, k);
            if (v != null && !ValueText.isBlank(v)) {
                return v;
            }
        }
        return null;
    }

    /** A short single-line version of an identifier-like value. */
    static String oneLine(String s, int max) {
        String t = s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? s.replace('\r', ' ').replace('\n', ' ') : s;
        return ValueText.cut(t, max);
    }
}
