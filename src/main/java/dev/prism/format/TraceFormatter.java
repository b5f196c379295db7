package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceNode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trace as readable text, for people and for LLM prompts: a header with the trace's figures, then the span tree,
 * each node a one-line summary (kind, name, model, latency, cost, ERROR) with its conversation, tool calls, results,
 * available tools and errors beneath, then feedback and metrics. Pure, never throws, linear in the input.
 */
public final class TraceFormatter {

    /**
     * @param lineNumbers prefix every line with {@code L001:}
     * @param maxLength   0 for everything; else the most characters to return, reached by keeping evenly spaced lines
     */
    public record Options(boolean lineNumbers, int maxLength) {
        public static Options defaults() {
            return new Options(false, 0);
        }
    }

    /** Properties rendered by dedicated code; the rest of an event's properties are listed only if interesting. */
    private static final Set<String> SHOWN = Set.of("$ai_input", "$ai_output_choices", "$ai_output", "$ai_input_state",
            "$ai_output_state", "$ai_tools", "$ai_error", "$ai_error_stack", "$ai_is_error", "$ai_http_status", "$ai_model",
            "$ai_span_name", "$ai_latency", "$ai_total_cost_usd", "$ai_instructions", "$ai_stop_reason", "$ai_feedback_text",
            "$ai_metric_name", "$ai_metric_value");
    private static final Set<String> EXTRA = Set.of("$ai_evaluation_result", "$ai_evaluation_name", "$ai_evaluation_reasoning",
            "$ai_embedding_count", "$ai_session_id", "$ai_time_to_first_token");

    private TraceFormatter() {
    }

    public static String format(AssembledTrace trace, Options options) {
        StringBuilder out = new StringBuilder(4_096);
        try {
            header(trace, out);
            if (trace.root() != null) {
                traceIo(trace.root(), out);
            }
            tree(trace.nodes(), out);
            annotations(trace.annotations(), out);
        } catch (RuntimeException e) {
            // Rendering must never take a trace down with it: show what was rendered and say what stopped it.
            out.append("[rendering stopped: ").append(e.getClass().getSimpleName()).append("]\n");
        }
        return LineBudget.apply(out, options);
    }

    private static void header(AssembledTrace t, StringBuilder out) {
        TraceAggregates a = t.aggregates();
        out.append("Trace: ").append(t.name() == null ? t.traceId() : t.name() + " (" + t.traceId() + ")").append('\n');
        out.append(a.eventCount()).append(" events");
        if (a.latencySeconds() != null) {
            out.append(" · ").append(seconds(a.latencySeconds()));
        }
        if (a.inputTokens() + a.outputTokens() > 0) {
            out.append(" · ").append(thousands(a.inputTokens())).append(" in / ").append(thousands(a.outputTokens())).append(" out tokens");
        }
        if (a.costUsd() > 0) {
            out.append(" · ").append(cost(a.costUsd()));
        }
        if (a.errorCount() > 0) {
            out.append(" · ").append(a.errorCount()).append(a.errorCount() == 1 ? " error" : " errors");
        }
        if (!a.models().isEmpty()) {
            out.append(" · models: ").append(String.join(", ", a.models()));
        }
        out.append("\n\n");
    }

    private static void traceIo(TraceEvent root, StringBuilder out) {
        JsonNode p = root.properties();
        if (hasValue(p, "$ai_input_state")) {
            out.append("Trace input:\n");
            new Messages(out, "  ").render(p.get("$ai_input_state"));
        }
        if (hasValue(p, "$ai_output_state")) {
            out.append("Trace output:\n");
            new Messages(out, "  ").render(p.get("$ai_output_state"));
        }
        error(p, out, "  ");
        if (hasValue(p, "$ai_input_state") || hasValue(p, "$ai_output_state") || isError(p)) {
            out.append('\n');
        }
    }

    /** Depth-first, iterative: a 20,000-deep tree cannot overflow the stack. */
    private static void tree(List<TraceNode> tops, StringBuilder out) {
        Deque<TraceNode> stack = new ArrayDeque<>();
        for (int i = tops.size() - 1; i >= 0; i--) {
            stack.push(tops.get(i));
        }
        while (!stack.isEmpty()) {
            TraceNode n = stack.pop();
            // Past 40 levels indentation stops growing: deeper nesting would only push the text off the page.
            String indent = "  ".repeat(Math.min(n.depth() - 1, 40));
            node(n, indent, out);
            for (int i = n.children().size() - 1; i >= 0; i--) {
                stack.push(n.children().get(i));
            }
        }
    }

    private static void node(TraceNode n, String indent, StringBuilder out) {
        TraceEvent e = n.event();
        JsonNode p = e.properties();
        String kind = e.event().startsWith("$ai_") ? e.event().substring(4) : e.event();
        out.append(indent).append("- ").append(kind);
        String name = text(p, "$ai_span_name");
        if (name != null) {
            out.append(' ').append(name);
        }
        String model = text(p, "$ai_model");
        if (model != null) {
            out.append(" · ").append(model);
        }
        double latency = number(p, "$ai_latency");
        if (!Double.isNaN(latency)) {
            out.append(" · ").append(seconds(latency));
        }
        double cost = number(p, "$ai_total_cost_usd");
        if (!Double.isNaN(cost) && cost > 0) {
            out.append(" · ").append(cost(cost));
        }
        if (isError(p)) {
            out.append(" · ERROR");
        }
        out.append('\n');
        String body = indent + "    ";
        if (hasValue(p, "$ai_tools")) {
            out.append(body).append("Tools: ").append(Tools.signatures(p.get("$ai_tools"))).append('\n');
        }
        if (hasValue(p, "$ai_instructions")) {
            out.append(body).append("[system] ").append(JsonText.scalar(p.get("$ai_instructions")).replace("\n", "\n" + body + "  ")).append('\n');
        }
        Messages messages = new Messages(out, body);
        if (hasValue(p, "$ai_input")) {
            if (e.event().equals("$ai_embedding")) {
                out.append(body).append("Embedded: ").append(JsonText.scalar(p.get("$ai_input")).replace("\n", "\n" + body)).append('\n');
            } else {
                messages.render(p.get("$ai_input"));
            }
        }
        if (hasValue(p, "$ai_input_state")) {
            state("Input", p.get("$ai_input_state"), body, out);
        }
        if (hasValue(p, "$ai_output_choices") || hasValue(p, "$ai_output")) {
            out.append(body).append("Output:\n");
            new Messages(out, body + "  ").render(hasValue(p, "$ai_output_choices") ? p.get("$ai_output_choices") : p.get("$ai_output"));
        }
        if (hasValue(p, "$ai_output_state")) {
            state("Output", p.get("$ai_output_state"), body, out);
        }
        String stop = text(p, "$ai_stop_reason");
        if (stop != null && !Set.of("stop", "end_turn", "STOP", "tool_calls", "tool_use").contains(stop)) {
            out.append(body).append("(stop reason: ").append(stop).append(")\n");
        }
        error(p, out, body);
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (EXTRA.contains(f.getKey()) && !f.getValue().isNull()) {
                out.append(body).append(f.getKey().substring(4)).append(": ").append(JsonText.scalar(f.getValue())).append('\n');
            }
        }
    }

    /** A span's state: a conversation when it holds messages (LangGraph), else its fields. */
    private static void state(String label, JsonNode value, String indent, StringBuilder out) {
        JsonNode v = value.isTextual() ? JsonText.parseOrText(value.asText()) : value;
        boolean conversation = v.isObject() && (v.path("messages").isArray() || v.has("content") && (v.has("type") || v.has("role")))
                || v.isArray() && v.size() > 0 && v.get(0).isObject() && (v.get(0).has("role") || v.get(0).has("lc") || v.get(0).has("type"));
        if (conversation) {
            out.append(indent).append(label).append(":\n");
            new Messages(out, indent + "  ").render(v);
        } else {
            out.append(indent).append(label).append(": ").append(JsonText.scalar(v).replace("\n", "\n" + indent)).append('\n');
        }
    }

    private static void error(JsonNode p, StringBuilder out, String indent) {
        if (!isError(p) && !hasValue(p, "$ai_error")) {
            return;
        }
        Errors.Described d = Errors.describe(p);
        out.append(indent).append("ERROR");
        if (d.status() != null) {
            out.append(" (HTTP ").append(d.status()).append(')');
        }
        out.append(": ").append(d.message().replace("\n", "\n" + indent + "  ")).append('\n');
        if (d.location() != null) {
            out.append(indent).append("  at ").append(d.location()).append('\n');
        }
    }

    private static void annotations(List<TraceEvent> annotations, StringBuilder out) {
        if (annotations.isEmpty()) {
            return;
        }
        out.append("\nAnnotations:\n");
        for (TraceEvent a : annotations) {
            JsonNode p = a.properties();
            if (a.event().equals("$ai_feedback")) {
                out.append("- feedback");
                String text = text(p, "$ai_feedback_text");
                out.append(": ").append(text == null ? JsonText.inline(p) : "\"" + JsonText.cut(text, 2_000) + "\"").append('\n');
            } else {
                out.append("- metric ").append(String.valueOf(text(p, "$ai_metric_name"))).append(" = ")
                        .append(p.has("$ai_metric_value") ? JsonText.scalar(p.get("$ai_metric_value")) : "?").append('\n');
            }
        }
    }

    static boolean isError(JsonNode p) {
        JsonNode flag = p.get("$ai_is_error");
        return flag != null && (flag.asBoolean(false) || "true".equalsIgnoreCase(flag.asText()));
    }

    static boolean hasValue(JsonNode p, String key) {
        JsonNode v = p.get(key);
        return v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty()) && !(v.isContainerNode() && v.isEmpty());
    }

    static String text(JsonNode p, String key) {
        JsonNode v = p.get(key);
        return v == null || v.isNull() || v.isContainerNode() || v.asText().isBlank() ? null : v.asText();
    }

    static double number(JsonNode p, String key) {
        JsonNode v = p.get(key);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    // Hand-rolled number formatting: String.format took a third of the render time of small traces.
    static String seconds(double s) {
        return decimal(s, s >= 10 ? 1 : 2) + " s";
    }

    static String cost(double usd) {
        if (usd >= 0.0001 || usd == 0) {
            return "$" + decimal(usd, usd >= 0.01 ? 2 : 4);
        }
        String tiny = decimal(usd, 6); // fractions of a cent-hundredth: show the digits that exist, no trailing zeros
        int end = tiny.length();
        while (end > 0 && tiny.charAt(end - 1) == '0') {
            end--;
        }
        return "$" + tiny.substring(0, end);
    }

    /** {@code value} rounded half-up to {@code digits} decimals, without locale or exponent. */
    static String decimal(double value, int digits) {
        if (!Double.isFinite(value) || Math.abs(value) >= 1e15) {
            return String.valueOf(value);
        }
        long scale = digits == 1 ? 10 : digits == 2 ? 100 : digits == 4 ? 10_000 : (long) Math.pow(10, digits);
        long scaled = Math.round(Math.abs(value) * scale);
        StringBuilder sb = new StringBuilder(value < 0 && scaled != 0 ? "-" : "").append(scaled / scale).append('.');
        String frac = Long.toString(scaled % scale);
        for (int i = frac.length(); i < digits; i++) {
            sb.append('0');
        }
        return sb.append(frac).toString();
    }

    /** 12345 → "12,345". */
    static String thousands(long n) {
        String s = Long.toString(Math.abs(n));
        StringBuilder sb = new StringBuilder(n < 0 ? "-" : "");
        for (int i = 0; i < s.length(); i++) {
            if (i > 0 && (s.length() - i) % 3 == 0) {
                sb.append(',');
            }
            sb.append(s.charAt(i));
        }
        return sb.toString();
    }
}
