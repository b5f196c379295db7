package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;

/**
 * The Vercel AI SDK's telemetry ({@code experimental_telemetry}): spans named by {@code ai.operationId}, content in
 * {@code ai.*} attributes. Names as the SDK's telemetry documentation lists them, across its versions: v3 wrote
 * {@code ai.result.*} and {@code ai.finishReason}, v4 {@code ai.response.*} and {@code ai.usage.promptTokens} /
 * {@code completionTokens}, v5 and later {@code ai.usage.inputTokens} / {@code outputTokens} and the token details.
 *
 * <p>Which span is what: the provider calls ({@code ai.generateText.doGenerate}, {@code ai.streamText.doStream},
 * {@code ai.*Object.do*}) are the generations; {@code ai.embed.doEmbed} / {@code ai.embedMany.doEmbed} the embeddings;
 * the wrappers ({@code ai.generateText}, {@code ai.streamText}, …) are steps that carry the same usage summed over
 * their calls, so they become spans (a trace when they are the root) with the prompt and answer as state, never a
 * second generation whose tokens would be counted twice; {@code ai.toolCall} is a tool span named after its tool.
 */
final class VercelAi {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> WRAPPERS = Set.of("ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject");

    static final String[] INPUT_TOKENS = {"ai.usage.inputTokens", "ai.usage.promptTokens", "ai.usage.tokens"};
    static final String[] OUTPUT_TOKENS = {"ai.usage.outputTokens", "ai.usage.completionTokens"};
    static final String[] CACHE_READ_TOKENS = {"ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"};
    static final String[] CACHE_WRITE_TOKENS = {"ai.usage.inputTokenDetails.cacheWriteTokens"};
    static final String[] REASONING_TOKENS = {"ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"};

    private VercelAi() {
    }

    /** The SDK's operation: {@code ai.operationId}, else a span name in its namespace; null for other producers. */
    static String operation(OtlpSpan span) {
        String id = SpanMapper.text(span.attributes().get("ai.operationId"));
        if (id != null) {
            return id;
        }
        return span.name().startsWith("ai.") && (span.attributes().containsKey("ai.model.id")
                || span.attributes().containsKey("ai.toolCall.name")) ? span.name() : null;
    }

    /** The event for a span of the SDK, or null when the span is not one of its operations. */
    static String eventKind(OtlpSpan span) {
        String op = operation(span);
        if (op == null) {
            return null;
        }
        if (op.endsWith(".doEmbed")) {
            return "$ai_embedding";
        }
        if (op.endsWith(".doGenerate") || op.endsWith(".doStream")) {
            return "$ai_generation";
        }
        return span.parentSpanId().isEmpty() ? "$ai_trace" : "$ai_span";
    }

    static boolean isWrapper(OtlpSpan span) {
        String op = operation(span);
        return op != null && WRAPPERS.contains(op); // Set.of refuses to look up null
    }

    /**
     * The prompt as messages: {@code ai.prompt.messages} on provider calls (already the SDK's message list), else
     * {@code ai.prompt}, the wrapper's {@code {system?, prompt?, messages?}} (or, from older versions, a bare list or
     * string), flattened into a list with the system prompt first.
     */
    static JsonNode input(Map<String, JsonNode> a) {
        JsonNode messages = SpanMapper.parsed(a.get("ai.prompt.messages"));
        if (messages != null) {
            return messages;
        }
        JsonNode prompt = SpanMapper.parsed(a.get("ai.prompt"));
        if (prompt == null || prompt.isArray()) {
            return prompt;
        }
        ArrayNode out = NODES.arrayNode();
        if (prompt.isTextual()) {
            out.addObject().put("role", "user").set("content", prompt);
            return out;
        }
        if (!prompt.isObject()) {
            return prompt;
        }
        JsonNode system = prompt.get("system");
        if (system != null && system.isTextual() && !system.asText().isEmpty()) {
            out.addObject().put("role", "system").set("content", system);
        }
        JsonNode list = SpanMapper.parsed(prompt.get("messages"));
        JsonNode text = prompt.get("prompt");
        if (list != null && list.isArray()) {
            out.addAll((ArrayNode) list);
        } else if (text != null && !text.isNull()) {
            out.addObject().put("role", "user").set("content", text);
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * The answer as one assistant message: the text ({@code ai.response.text}, or {@code ai.response.object} for
     * generateObject) and the tool calls ({@code ai.response.toolCalls}, a JSON list of {@code {toolCallId, toolName,
     * args | input}}) as the SDK's own {@code text} / {@code tool-call} parts, which the renderer reads. v3's
     * {@code ai.result.*} names are read when the newer ones are absent.
     */
    static JsonNode output(Map<String, JsonNode> a) {
        JsonNode text = first(a, "ai.response.text", "ai.result.text");
        JsonNode object = first(a, "ai.response.object", "ai.result.object");
        JsonNode calls = SpanMapper.parsed(first(a, "ai.response.toolCalls", "ai.result.toolCalls"));
        if (text == null && object == null && (calls == null || !calls.isArray() || calls.isEmpty())) {
            return null;
        }
        ArrayNode parts = NODES.arrayNode();
        if (text != null && !text.asText().isEmpty()) {
            parts.addObject().put("type", "text").put("text", text.asText());
        }
        if (object != null) {
            parts.addObject().put("type", "text").put("text", object.isTextual() ? object.asText() : object.toString());
        }
        if (calls != null && calls.isArray()) {
            for (JsonNode c : calls) {
                ObjectNode call = parts.addObject().put("type", "tool-call");
                put(call, "toolCallId", c.get("toolCallId"));
                put(call, "toolName", c.get("toolName"));
                put(call, "input", SpanMapper.parsed(c.has("input") ? c.get("input") : c.get("args")));
            }
        }
        ArrayNode out = NODES.arrayNode();
        ObjectNode message = out.addObject().put("role", "assistant");
        message.set("content", parts);
        return out;
    }

    /**
     * Whether the input tokens count the cached ones: from v6 on the SDK reports {@code ai.usage.inputTokens} as the
     * total (no-cache + cache read + cache write) with the split in {@code ai.usage.inputTokenDetails.*}, for every
     * provider, Anthropic included, whose own usage leaves cache tokens out. Cost must then not add them again.
     */
    static boolean cacheInclusive(Map<String, JsonNode> a) {
        for (String key : a.keySet()) {
            if (key.startsWith("ai.usage.inputTokenDetails.")) {
                return true;
            }
        }
        return false;
    }

    /** {@code ai.response.finishReason} (v4+), {@code ai.finishReason} (v3). */
    static JsonNode finishReason(Map<String, JsonNode> a) {
        return first(a, "ai.response.finishReason", "ai.finishReason");
    }

    /** {@code ai.model.provider} names the provider and its API ({@code openai.chat}); the provider is the part before the dot. */
    static JsonNode provider(Map<String, JsonNode> a) {
        String provider = SpanMapper.text(a.get("ai.model.provider"));
        if (provider == null) {
            return null;
        }
        int dot = provider.indexOf('.');
        return NODES.textNode(dot > 0 ? provider.substring(0, dot) : provider);
    }

    static JsonNode model(Map<String, JsonNode> a) {
        return first(a, "ai.response.model", "ai.model.id");
    }

    /** {@code ai.settings.*} (temperature, maxOutputTokens, topP, …) without the retry count, which is not the model's. */
    static JsonNode parameters(Map<String, JsonNode> a) {
        ObjectNode out = NODES.objectNode();
        a.forEach((k, v) -> {
            if (k.startsWith("ai.settings.") && !k.equals("ai.settings.maxRetries") && !k.startsWith("ai.settings.context.")) {
                out.set(k.substring("ai.settings.".length()), v);
            }
        });
        return out.isEmpty() ? null : out;
    }

    /** {@code ai.prompt.tools}: a list of tool definitions, each a JSON string. */
    static JsonNode tools(Map<String, JsonNode> a) {
        JsonNode tools = SpanMapper.parsed(a.get("ai.prompt.tools"));
        if (tools == null || !tools.isArray()) {
            return tools;
        }
        ArrayNode out = NODES.arrayNode();
        tools.forEach(t -> out.add(SpanMapper.parsed(t)));
        return out;
    }

    /** A tool span's arguments and result ({@code ai.toolCall.args} / {@code result}, JSON strings), parsed. */
    static JsonNode toolArguments(Map<String, JsonNode> a) {
        return SpanMapper.parsed(a.get("ai.toolCall.args"));
    }

    static JsonNode toolResult(Map<String, JsonNode> a) {
        return SpanMapper.parsed(a.get("ai.toolCall.result"));
    }

    /**
     * The name a reader knows the span by: the tool's name for a tool call; for a wrapper, the {@code functionId} the
     * app gave the call ({@code telemetry.functionId}), which names what the whole call is for.
     */
    static String spanName(OtlpSpan span) {
        if ("ai.toolCall".equals(operation(span))) {
            return SpanMapper.text(span.attributes().get("ai.toolCall.name"));
        }
        return isWrapper(span) ? SpanMapper.text(span.attributes().get("ai.telemetry.functionId")) : null;
    }

    private static JsonNode first(Map<String, JsonNode> a, String... keys) {
        for (String key : keys) {
            JsonNode v = a.get(key);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static void put(ObjectNode o, String key, JsonNode v) {
        if (v != null && !v.isNull()) {
            o.set(key, v);
        }
    }
}
