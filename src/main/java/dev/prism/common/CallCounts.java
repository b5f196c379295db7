package dev.prism.common;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The figures of a trace's calls: generations per model, tool runs per tool (spans that parent nothing, plus the tools
 * a generation's output asks for, since some SDKs send no span per tool run), retries after failures, the slowest tool
 * and generation, the largest prompt. Read by the performance analyzer and the performance pre-filter. Pure.
 */
public record CallCounts(Map<String, Integer> toolCalls, Map<String, Integer> modelCalls, int retried, String retriedWhat,
                         double slowestToolSeconds, String slowestTool, double generationSeconds, double slowestGenerationSeconds,
                         String slowestModel, long largestPromptTokens, String largestPromptModel) {

    /** Calls of one tool, or generations of one model, that make a loop. */
    public static final int TOOL_LOOP_CALLS = 5;
    public static final int MODEL_LOOP_CALLS = 8;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The same tool called {@value #TOOL_LOOP_CALLS}+ times or the same model {@value #MODEL_LOOP_CALLS}+ times: an
     * agent going round in circles. One definition for the performance pre-filter and the analyzer, so the pre-filter
     * never drops a loop the analyzer would report.
     */
    public boolean looping() {
        Map.Entry<String, Integer> tool = mostCalledTool();
        Map.Entry<String, Integer> model = mostCalledModel();
        return tool != null && tool.getValue() >= TOOL_LOOP_CALLS || model != null && model.getValue() >= MODEL_LOOP_CALLS;
    }

    public static CallCounts of(AssembledTrace trace) {
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
            if (e.failed()) {
                failedBefore.merge(what, 1, Integer::sum);
            }
        }
        requestedTools.forEach((tool, n) -> tools.merge(tool, n, Math::max));
        return new CallCounts(tools, models, retried, retriedWhat, slowestTool, slowestToolName, generationSeconds, slowestGeneration,
                slowestModel, largestPrompt, largestPromptModel);
    }

    /**
     * The names of the tools a generation's output asks for, in any SDK's shape: an object with a name (or a
     * {@code toolName}, Vercel's) and its
     * arguments ({@code arguments}, {@code args}, {@code input}, {@code parameters}), or a {@code function} /
     * {@code functionCall} object with a name. Stringified JSON is read too.
     */
    public static List<String> toolCallsIn(JsonNode node, int depth) {
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

    public Map.Entry<String, Integer> mostCalledTool() {
        return toolCalls.isEmpty() ? null : toolCalls.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    }

    public Map.Entry<String, Integer> mostCalledModel() {
        return modelCalls.isEmpty() ? null : modelCalls.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    }
}
