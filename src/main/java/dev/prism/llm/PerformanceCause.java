package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Why a trace was slow or expensive, read from its events: many failed calls tried again, the same tool or model
 * called over and over, one slow tool, slow generations, a huge prompt, or plain spending. The cause never names the
 * model (a slow gpt-4.1-mini and a slow gemini-1.5-flash are one problem); {@link #facts()} gives the specifics for
 * the summary. Pure.
 */
public final class PerformanceCause {

    public static final String MANY_RETRIES = "Many retries";
    public static final String LOOP = "Repeated calls in a loop";
    public static final String SLOW_TOOL = "Slow tool call";
    public static final String SLOW_GENERATION = "Slow generation over 30 s";
    public static final String SLOW_GENERATION_20 = "Slow generation over 20 s";
    /** Slow, but neither its generations nor its tools took the time: it went to untraced work or waiting. */
    public static final String SLOW_ELSEWHERE = "Slow trace outside model and tool calls";
    public static final String LARGE_CONTEXT = "Very large prompt context";
    public static final String EXPENSIVE = "Expensive trace";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** Failed calls tried again before a trace counts as retrying too much. */
    static final int RETRIES = 2;
    /** Calls of one tool, or generations of one model, that make a loop. */
    static final int TOOL_LOOP_CALLS = 5;
    static final int MODEL_LOOP_CALLS = 8;
    /** Input tokens of one generation (or of the whole trace) that make a very large prompt. */
    static final long LARGE_PROMPT_TOKENS = 60_000;
    static final long LARGE_TRACE_INPUT_TOKENS = 100_000;
    /** A tool this slow, or one that took most of a slow trace, is the reason it was slow. */
    static final double SLOW_TOOL_SECONDS = 15;

    /** @param title the cause; @param facts the specifics, in words, for the summary */
    public record Verdict(String title, List<String> facts) {
    }

    /** The figures of a trace's calls. */
    record Calls(Map<String, Integer> toolCalls, Map<String, Integer> modelCalls, int retried, String retriedWhat,
                 double slowestToolSeconds, String slowestTool, double generationSeconds, double slowestGenerationSeconds,
                 String slowestModel, long largestPromptTokens, String largestPromptModel) {

        static Calls of(AssembledTrace trace) {
            Set<String> parents = new HashSet<>();
            for (TraceEvent e : trace.events()) {
                String parent = e.properties().path("$ai_parent_id").asText("");
                if (!parent.isEmpty()) {
                    parents.add(parent);
                }
            }
            Map<String, Integer> tools = new LinkedHashMap<>();
            Map<String, Integer> models = new LinkedHashMap<>();
            Map<String, Integer> failedBefore = new LinkedHashMap<>();
            // Tools the model asked for: some SDKs send no span per tool run, and the calls show only in the outputs.
            Map<String, Integer> requestedTools = new LinkedHashMap<>();
            int retried = 0;
            String retriedWhat = null;
            double slowestTool = 0;
            String slowestToolName = null;
            double generationSeconds = 0;
            double slowestGeneration = 0;
            String slowestModel = null;
            long largestPrompt = 0;
            String largestPromptModel = null;
            for (TraceEvent e : trace.events()) {
                JsonNode p = e.properties();
                double latency = p.path("$ai_latency").asDouble(0);
                String what;
                if (e.event().equals("$ai_generation")) {
                    for (String requested : toolCallsIn(p.get("$ai_output_choices"), 0)) {
                        requestedTools.merge(requested, 1, Integer::sum);
                    }
                    String model = p.path("$ai_model").asText("model");
                    what = "model " + model;
                    models.merge(model, 1, Integer::sum);
                    generationSeconds += latency;
                    if (latency > slowestGeneration) {
                        slowestGeneration = latency;
                        slowestModel = model;
                    }
                    long in = p.path("$ai_input_tokens").asLong(0);
                    if (in > largestPrompt) {
                        largestPrompt = in;
                        largestPromptModel = model;
                    }
                } else if (e.event().equals("$ai_span") && !parents.contains(p.path("$ai_span_id").asText("\u0000"))) {
                    String tool = p.path("$ai_span_name").asText("tool");
                    what = "tool " + tool;
                    tools.merge(tool, 1, Integer::sum);
                    if (latency > slowestTool) {
                        slowestTool = latency;
                        slowestToolName = tool;
                    }
                } else {
                    continue;
                }
                // A call of something that failed before is a retry, whether it succeeds or fails again.
                if (failedBefore.getOrDefault(what, 0) > 0) {
                    retried++;
                    retriedWhat = what;
                }
                if (failed(p)) {
                    failedBefore.merge(what, 1, Integer::sum);
                }
            }
            requestedTools.forEach((tool, n) -> tools.merge(tool, n, Math::max));
            return new Calls(tools, models, retried, retriedWhat, slowestTool, slowestToolName, generationSeconds, slowestGeneration,
                    slowestModel, largestPrompt, largestPromptModel);
        }

        /**
         * The names of the tools a generation's output asks for, in any SDK's shape: an object with a name (or a
         * {@code toolName}, Vercel's) and its
         * arguments ({@code arguments}, {@code args}, {@code input}, {@code parameters}), or a {@code function} /
         * {@code functionCall} object with a name. Stringified JSON is read too.
         */
        static List<String> toolCallsIn(JsonNode node, int depth) {
            List<String> out = new ArrayList<>();
            if (node == null || depth > 12) {
                return out;
            }
            if (node.isTextual()) {
                String text = node.asText().strip();
                if ((text.startsWith("[") || text.startsWith("{")) && text.length() < 200_000) {
                    try {
                        return toolCallsIn(JSON.readTree(text), depth + 1);
                    } catch (java.io.IOException notJson) {
                        return out;
                    }
                }
                return out;
            }
            if (node.isObject()) {
                JsonNode name = node.has("toolName") ? node.get("toolName") : node.has("tool_name") ? node.get("tool_name") : node.get("name");
                boolean call = name != null && name.isTextual()
                        && (node.has("arguments") || node.has("args") || node.has("input") || node.has("parameters"));
                if (call) {
                    out.add(name.asText());
                    return out;
                }
                node.fields().forEachRemaining(f -> out.addAll(toolCallsIn(f.getValue(), depth + 1)));
            } else if (node.isArray()) {
                node.forEach(n -> out.addAll(toolCallsIn(n, depth + 1)));
            }
            return out;
        }

        private static boolean failed(JsonNode p) {
            JsonNode error = p.get("$ai_error");
            return p.path("$ai_is_error").asBoolean(false) || "true".equalsIgnoreCase(p.path("$ai_is_error").asText())
                    || p.path("$ai_http_status").asDouble(0) >= 400
                    || error != null && !error.isNull() && !(error.isBoolean() && !error.booleanValue()) && !error.asText("x").isBlank()
                    && !(error.isContainerNode() && error.isEmpty());
        }

        Map.Entry<String, Integer> mostCalledTool() {
            return toolCalls.isEmpty() ? null : toolCalls.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        }

        Map.Entry<String, Integer> mostCalledModel() {
            return modelCalls.isEmpty() ? null : modelCalls.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        }
    }

    private PerformanceCause() {
    }

    /**
     * The cause of a slow or expensive trace, the most telling first: retries and loops explain both time and money;
     * then a slow tool; then slow generations (a huge prompt makes a generation slow, so it is named first when there is
     * one); for a trace that is only expensive, a huge prompt or the spending itself.
     *
     * @param slow      whether the trace counts as slow ({@link TraceSignals#slow()})
     * @param latency   the trace's seconds
     * @param costUsd   its cost
     * @param tokens    its input plus output tokens
     * @param inputTokens its input tokens
     */
    /**
     * The same tool called {@value #TOOL_LOOP_CALLS}+ times or the same model {@value #MODEL_LOOP_CALLS}+ times: an agent
     * going round in circles is a performance problem even when each call is quick and cheap.
     */
    static boolean looping(AssembledTrace trace) {
        Calls c = Calls.of(trace);
        Map.Entry<String, Integer> tool = c.mostCalledTool();
        Map.Entry<String, Integer> model = c.mostCalledModel();
        return tool != null && tool.getValue() >= TOOL_LOOP_CALLS || model != null && model.getValue() >= MODEL_LOOP_CALLS;
    }

    static Verdict of(AssembledTrace trace, boolean slow, double latency, double costUsd, long tokens, long inputTokens) {
        Calls c = Calls.of(trace);
        List<String> facts = new ArrayList<>();
        String title;
        Map.Entry<String, Integer> tool = c.mostCalledTool();
        Map.Entry<String, Integer> model = c.mostCalledModel();
        boolean largePrompt = c.largestPromptTokens() >= LARGE_PROMPT_TOKENS || inputTokens >= LARGE_TRACE_INPUT_TOKENS;
        if (c.retried() >= RETRIES) {
            title = MANY_RETRIES;
            facts.add(String.format(Locale.ROOT, "%d calls were retries after failures (last: %s)", c.retried(), c.retriedWhat()));
        } else if (tool != null && tool.getValue() >= TOOL_LOOP_CALLS) {
            title = LOOP;
            facts.add(String.format(Locale.ROOT, "the tool %s was called %d times", tool.getKey(), tool.getValue()));
        } else if (model != null && model.getValue() >= MODEL_LOOP_CALLS) {
            title = LOOP;
            facts.add(String.format(Locale.ROOT, "%s was called %d times", model.getKey(), model.getValue()));
        } else if (slow && c.slowestTool() != null
                && (c.slowestToolSeconds() >= SLOW_TOOL_SECONDS && c.slowestToolSeconds() >= c.slowestGenerationSeconds()
                || latency > 0 && c.slowestToolSeconds() >= latency / 2 && c.slowestToolSeconds() > c.generationSeconds())) {
            title = SLOW_TOOL;
            facts.add(String.format(Locale.ROOT, "the tool %s took %.1f s", c.slowestTool(), c.slowestToolSeconds()));
        } else if (largePrompt && (c.largestPromptTokens() >= LARGE_PROMPT_TOKENS || !slow)) {
            title = LARGE_CONTEXT;
            facts.add(c.largestPromptTokens() >= LARGE_PROMPT_TOKENS
                    ? String.format(Locale.ROOT, "one prompt to %s held %,d input tokens", c.largestPromptModel(), c.largestPromptTokens())
                    : String.format(Locale.ROOT, "its prompts held %,d input tokens", inputTokens));
        } else if (slow) {
            double generating = Math.max(c.slowestGenerationSeconds(), c.generationSeconds());
            title = generating >= 30 || generating >= latency / 2 && latency >= 30 ? SLOW_GENERATION
                    : c.slowestGenerationSeconds() >= 20 ? SLOW_GENERATION_20 : SLOW_ELSEWHERE;
            if (c.slowestModel() != null) {
                facts.add(String.format(Locale.ROOT, "its slowest generation took %.1f s on %s", c.slowestGenerationSeconds(), c.slowestModel()));
            }
            if (c.modelCalls().values().stream().mapToInt(Integer::intValue).sum() > 1) {
                facts.add(String.format(Locale.ROOT, "its generations took %.1f s in all", c.generationSeconds()));
            }
        } else {
            title = EXPENSIVE;
        }
        if (latency > 0) {
            facts.add(String.format(Locale.ROOT, "the trace took %.1f s", latency));
        }
        if (costUsd >= 0.01) {
            facts.add(String.format(Locale.ROOT, "it cost $%.2f", costUsd));
        }
        if (tokens >= 10_000) {
            facts.add(String.format(Locale.ROOT, "it used %,d tokens", tokens));
        }
        if (!title.equals(LOOP) && !title.equals(MANY_RETRIES)) {
            int calls = c.toolCalls().values().stream().mapToInt(Integer::intValue).sum() + c.modelCalls().values().stream().mapToInt(Integer::intValue).sum();
            if (calls > 1) {
                facts.add(calls + " calls in all");
            }
        }
        return new Verdict(title, facts);
    }
}
