package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the instrumentation conventions put where, read in one order of precedence (newest first, the first source that
 * yields a value wins, so a span written in two conventions is never counted twice):
 * <ol>
 * <li>OpenTelemetry GenAI, current: {@code gen_ai.input.messages}, {@code gen_ai.output.messages},
 * {@code gen_ai.system_instructions}, {@code gen_ai.tool.definitions} (structured or JSON strings), on the span or on
 * its {@code gen_ai.client.inference.operation.details} event;</li>
 * <li>OpenInference: {@code llm.input_messages.{i}.message.*}, {@code llm.output_messages…}, {@code llm.tools…};</li>
 * <li>OpenLLMetry: {@code gen_ai.prompt.{i}.*}, {@code gen_ai.completion.{i}.*};</li>
 * <li>Vercel AI SDK: {@code ai.prompt.messages} / {@code ai.prompt}, {@code ai.response.text} / {@code toolCalls} /
 * {@code object} (see {@link VercelAi});</li>
 * <li>GenAI, deprecated: span events {@code gen_ai.content.prompt} / {@code gen_ai.content.completion} and the
 * per-message events ({@code gen_ai.system.message}, {@code gen_ai.user.message}, {@code gen_ai.assistant.message},
 * {@code gen_ai.tool.message}, {@code gen_ai.choice}), then the {@code gen_ai.prompt} / {@code gen_ai.completion}
 * attributes;</li>
 * <li>OpenInference's generic {@code input.value} / {@code output.value}.</li>
 * </ol>
 */
final class Conventions {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> GENERATION_OPERATIONS = Set.of("chat", "text_completion", "generate_content");
    private static final Set<String> EMBEDDING_OPERATIONS = Set.of("embeddings", "embedding");
    private static final String[] AI_PREFIXES = {"gen_ai.", "llm.", "openinference.", "traceloop.", "embedding.", "retrieval.", "tool.", "ai."};
    static final String OPERATION_DETAILS = "gen_ai.client.inference.operation.details";
    private static final Map<String, String> MESSAGE_EVENTS = Map.of(
            "gen_ai.system.message", "system", "gen_ai.user.message", "user",
            "gen_ai.assistant.message", "assistant", "gen_ai.tool.message", "tool");

    static final String[] INPUT_TOKENS = {"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"};
    static final String[] OUTPUT_TOKENS = {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"};
    static final String[] CACHE_READ_TOKENS = {"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
            "llm.token_count.prompt_details.cache_read"};
    static final String[] CACHE_WRITE_TOKENS = {"gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_write.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write"};
    static final String[] REASONING_TOKENS = {"gen_ai.usage.reasoning_tokens", "gen_ai.usage.reasoning.output_tokens",
            "llm.token_count.completion_details.reasoning"};
    private static final String[] REQUEST_PARAMETERS = {"temperature", "max_tokens", "top_p", "top_k", "frequency_penalty",
            "presence_penalty", "seed", "stop_sequences"};

    private Conventions() {
    }

    static boolean isAi(OtlpSpan span) {
        for (String key : span.attributes().keySet()) {
            for (String prefix : AI_PREFIXES) {
                if (key.startsWith(prefix)) {
                    return true;
                }
            }
            if (key.equals("input.value") || key.equals("output.value")) {
                return true;
            }
        }
        for (OtlpSpan.Event e : span.events()) {
            if (e.name().startsWith("gen_ai.")) {
                return true;
            }
        }
        return false;
    }

    static String eventKind(OtlpSpan span) {
        String operation = SpanMapper.lower(SpanMapper.text(span.attributes().get("gen_ai.operation.name")));
        String openInference = SpanMapper.lower(SpanMapper.text(span.attributes().get("openinference.span.kind")));
        if (EMBEDDING_OPERATIONS.contains(operation) || openInference.equals("embedding")) {
            return "$ai_embedding";
        }
        if (operation.isEmpty() && openInference.isEmpty()) {
            // The SDK's wrappers may carry a model too: its own classification comes before "a model makes a generation".
            String vercel = VercelAi.eventKind(span);
            if (vercel != null) {
                return vercel;
            }
        }
        boolean modelOnly = operation.isEmpty() && openInference.isEmpty()
                && (span.attributes().containsKey("gen_ai.request.model") || span.attributes().containsKey("llm.model_name"));
        if (GENERATION_OPERATIONS.contains(operation) || openInference.equals("llm") || modelOnly
                || span.name().startsWith("gen_ai.client.inference")) {
            return "$ai_generation";
        }
        return span.parentSpanId().isEmpty() ? "$ai_trace" : "$ai_span";
    }

    /**
     * A generation that arrived with no input and no output in any convention: the shape of instrumentations that send
     * the messages as log records ({@code gen_ai.user.message}, {@code gen_ai.choice}, …), so worth holding for them.
     */
    static boolean awaitsContent(OtlpSpan span) {
        return isAi(span) && eventKind(span).equals("$ai_generation") && input(span) == null && output(span) == null;
    }

    /**
     * A generation whose content comes as log records and whose answer has not come yet: the records of one call reach
     * the server in more than one export (the prompt's before the span, the choice after it), so it waits for the rest.
     */
    static boolean awaitsOutput(OtlpSpan span) {
        return isAi(span) && eventKind(span).equals("$ai_generation") && output(span) == null;
    }

    /**
     * A current-convention content attribute: on the span, else on its {@code gen_ai.client.inference.operation.details}
     * event (the conventions' way to carry the same content apart from the span: as a span event, or as a log record
     * joined to the span), whose attributes are the inference span's own.
     */
    private static JsonNode current(OtlpSpan span, String key) {
        JsonNode v = span.attributes().get(key);
        if (v != null && !v.isNull()) {
            return v;
        }
        for (OtlpSpan.Event e : span.events()) {
            if (e.name().equals(OPERATION_DETAILS) && e.attributes().get(key) != null) {
                return e.attributes().get(key);
            }
        }
        return null;
    }

    /** The first present attribute of the span, then of its resource. */
    static JsonNode first(OtlpSpan span, String... keys) {
        for (Map<String, JsonNode> attributes : List.of(span.attributes(), span.resource())) {
            for (String key : keys) {
                JsonNode v = attributes.get(key);
                if (v != null && !v.isNull()) {
                    return v;
                }
            }
        }
        return null;
    }

    private static JsonNode attribute(OtlpSpan span, String... keys) {
        for (String key : keys) {
            JsonNode v = span.attributes().get(key);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    static void generation(OtlpSpan span, ObjectNode p) {
        Map<String, JsonNode> a = span.attributes();
        put(p, "$ai_model", or(attribute(span, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name"), VercelAi.model(a)));
        // The SDK writes its "provider.api" string (openai.responses) into gen_ai.system too: read its own, split, first.
        JsonNode vercelProvider = VercelAi.operation(span) != null ? VercelAi.provider(a) : null;
        put(p, "$ai_provider", or(vercelProvider, or(attribute(span, "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"),
                VercelAi.provider(a))));
        put(p, "$ai_input", input(span));
        put(p, "$ai_output_choices", output(span));
        put(p, "$ai_input_tokens", or(attribute(span, INPUT_TOKENS), attribute(span, VercelAi.INPUT_TOKENS)));
        put(p, "$ai_output_tokens", or(attribute(span, OUTPUT_TOKENS), attribute(span, VercelAi.OUTPUT_TOKENS)));
        put(p, "$ai_cache_read_input_tokens", or(attribute(span, CACHE_READ_TOKENS), attribute(span, VercelAi.CACHE_READ_TOKENS)));
        put(p, "$ai_cache_creation_input_tokens", or(attribute(span, CACHE_WRITE_TOKENS), attribute(span, VercelAi.CACHE_WRITE_TOKENS)));
        put(p, "$ai_reasoning_tokens", or(attribute(span, REASONING_TOKENS), attribute(span, VercelAi.REASONING_TOKENS)));
        if (VercelAi.operation(span) != null) {
            p.put("$ai_framework", "vercel");
            if (VercelAi.cacheInclusive(a)) {
                p.put("$ai_cache_reporting_exclusive", false);
            }
        }
        JsonNode finish = a.get("gen_ai.response.finish_reasons");
        if (finish != null) {
            put(p, "$ai_stop_reason", finish.isArray() ? finish.path(0) : finish);
        } else {
            put(p, "$ai_stop_reason", VercelAi.finishReason(a));
        }
        JsonNode parameters = SpanMapper.parsed(a.get("llm.invocation_parameters"));
        if (parameters == null || !parameters.isObject()) {
            ObjectNode requested = NODES.objectNode();
            for (String name : REQUEST_PARAMETERS) {
                JsonNode v = a.get("gen_ai.request." + name);
                if (v != null) {
                    requested.set(name, v);
                }
            }
            parameters = requested.isEmpty() ? VercelAi.parameters(a) : requested;
        }
        put(p, "$ai_model_parameters", parameters);
        JsonNode tools = SpanMapper.parsed(current(span, "gen_ai.tool.definitions"));
        if (tools == null) {
            tools = indexed(a, "llm.tools.");
        }
        put(p, "$ai_tools", tools != null ? tools : VercelAi.tools(a));
        put(p, "$ai_base_url", attribute(span, "server.address"));
    }

    /** Agent, chain, tool and other spans: what went in and came out, as the span's state. */
    static void state(OtlpSpan span, ObjectNode p) {
        Map<String, JsonNode> a = span.attributes();
        JsonNode in = or(SpanMapper.parsed(a.get("gen_ai.tool.call.arguments")), VercelAi.toolArguments(a));
        if (in == null) {
            in = input(span);
        }
        JsonNode out = or(a.get("gen_ai.tool.call.result"), VercelAi.toolResult(a));
        if (out == null) {
            out = output(span);
        }
        put(p, "$ai_input_state", in);
        put(p, "$ai_output_state", out);
    }

    private static JsonNode input(OtlpSpan span) {
        Map<String, JsonNode> a = span.attributes();
        JsonNode messages = SpanMapper.parsed(current(span, "gen_ai.input.messages"));
        JsonNode instructions = SpanMapper.parsed(current(span, "gen_ai.system_instructions"));
        if (messages != null || instructions != null) {
            ArrayNode out = NODES.arrayNode();
            if (instructions != null) {
                // The system prompt travels apart in the current conventions; a reader expects it first in the input.
                ObjectNode system = out.addObject().put("role", "system");
                if (instructions.isArray()) {
                    system.set("parts", instructions);
                } else {
                    system.set("content", instructions);
                }
            }
            if (messages != null && messages.isArray()) {
                out.addAll((ArrayNode) messages);
            } else if (messages != null) {
                out.addObject().put("role", "user").set("content", messages);
            }
            return out;
        }
        JsonNode openInference = indexed(a, "llm.input_messages.");
        if (openInference != null) {
            return openInference;
        }
        JsonNode openLlmetry = indexed(a, "gen_ai.prompt.");
        if (openLlmetry != null) {
            return openLlmetry;
        }
        JsonNode vercel = VercelAi.input(a);
        if (vercel != null) {
            return vercel;
        }
        JsonNode fromEvents = messageEvents(span, true);
        if (fromEvents != null) {
            return fromEvents;
        }
        JsonNode prompt = a.get("gen_ai.prompt");
        if (prompt != null) {
            return SpanMapper.parsed(prompt);
        }
        // OpenLLMetry's workflow, task, agent and tool spans carry what they were given as a JSON string.
        JsonNode entity = a.get("traceloop.entity.input");
        if (entity != null) {
            return serialized(entity);
        }
        return a.get("input.value");
    }

    private static JsonNode output(OtlpSpan span) {
        Map<String, JsonNode> a = span.attributes();
        JsonNode messages = SpanMapper.parsed(current(span, "gen_ai.output.messages"));
        if (messages != null) {
            return messages;
        }
        JsonNode openInference = indexed(a, "llm.output_messages.");
        if (openInference != null) {
            return openInference;
        }
        JsonNode openLlmetry = indexed(a, "gen_ai.completion.");
        if (openLlmetry != null) {
            return openLlmetry;
        }
        JsonNode vercel = VercelAi.output(a);
        if (vercel != null) {
            return vercel;
        }
        JsonNode fromEvents = messageEvents(span, false);
        if (fromEvents != null) {
            return fromEvents;
        }
        JsonNode completion = a.get("gen_ai.completion");
        if (completion != null) {
            return SpanMapper.parsed(completion);
        }
        JsonNode entity = a.get("traceloop.entity.output");
        if (entity != null) {
            return serialized(entity);
        }
        // OpenInference retrievers: what was found, as a list of {"document.id", "document.content", "document.score", …}.
        JsonNode documents = indexed(a, "retrieval.documents.");
        if (documents != null) {
            return documents;
        }
        return a.get("output.value");
    }

    /**
     * The deprecated event forms: {@code gen_ai.content.prompt} / {@code gen_ai.content.completion} carry the whole
     * prompt or completion as a JSON string; per-message events carry one message each (a {@code gen_ai.choice} is one
     * output choice, its {@code message} possibly nested).
     */
    private static JsonNode messageEvents(OtlpSpan span, boolean input) {
        ArrayNode out = NODES.arrayNode();
        for (OtlpSpan.Event e : span.events()) {
            if (input && e.name().equals("gen_ai.content.prompt") && e.attributes().containsKey("gen_ai.prompt")) {
                return SpanMapper.parsed(e.attributes().get("gen_ai.prompt"));
            }
            if (!input && e.name().equals("gen_ai.content.completion") && e.attributes().containsKey("gen_ai.completion")) {
                return SpanMapper.parsed(e.attributes().get("gen_ai.completion"));
            }
            String role = MESSAGE_EVENTS.get(e.name());
            if (input && role != null) {
                ObjectNode message = out.addObject().put("role", role);
                e.attributes().forEach((k, v) -> {
                    if (!k.startsWith("gen_ai.")) {
                        message.set(k, SpanMapper.parsed(v));
                    }
                });
            } else if (!input && e.name().equals("gen_ai.choice")) {
                JsonNode message = SpanMapper.parsed(e.attributes().get("message"));
                ObjectNode choice = out.addObject().put("role", "assistant");
                if (message != null && message.isObject()) {
                    choice.setAll((ObjectNode) message);
                } else if (message != null) {
                    choice.set("content", message);
                }
                JsonNode finish = e.attributes().get("finish_reason");
                if (finish != null) {
                    choice.set("finish_reason", finish);
                }
            }
        }
        return out.isEmpty() ? null : out;
    }

    /** A value its producer always writes as JSON (OpenLLMetry's entities): read back, a string included; as sent when it is not JSON. */
    private static JsonNode serialized(JsonNode node) {
        if (node.isTextual()) {
            try {
                JsonNode read = SpanMapper.MAPPER.readTree(node.asText());
                return read == null || read.isMissingNode() ? node : read;
            } catch (java.io.IOException e) {
                return node;
            }
        }
        return node;
    }

    /**
     * Flattened lists back into JSON: {@code llm.input_messages.0.message.role} and
     * {@code llm.input_messages.0.message.tool_calls.1.tool_call.id} become
     * {@code [{"message.role", "message.tool_calls": [_, {"tool_call.id"}]}]}. Only numeric segments open a list, so
     * the keys inside keep their dotted names (what OpenInference's own exporters and the renderer use).
     */
    static JsonNode indexed(Map<String, JsonNode> attributes, String prefix) {
        Map<String, JsonNode> flat = new TreeMap<>();
        attributes.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length() && Character.isDigit(k.charAt(prefix.length()))) {
                flat.put(k.substring(prefix.length()), v);
            }
        });
        return flat.isEmpty() ? null : list(flat);
    }

    private static ArrayNode list(Map<String, JsonNode> flat) {
        TreeMap<Integer, Map<String, JsonNode>> items = new TreeMap<>();
        flat.forEach((k, v) -> {
            int dot = k.indexOf('.');
            String index = dot < 0 ? k : k.substring(0, dot);
            try {
                items.computeIfAbsent(Integer.parseInt(index), i -> new TreeMap<>()).put(dot < 0 ? "" : k.substring(dot + 1), v);
            } catch (NumberFormatException e) {
                // not an element of the list (a stray key beside it): left out
            }
        });
        ArrayNode out = NODES.arrayNode();
        for (Map<String, JsonNode> item : items.values()) {
            out.add(object(item));
        }
        return out;
    }

    private static JsonNode object(Map<String, JsonNode> item) {
        if (item.size() == 1 && item.containsKey("")) {
            return item.get("");
        }
        ObjectNode out = NODES.objectNode();
        Map<String, Map<String, JsonNode>> nested = new TreeMap<>();
        List<String> order = new ArrayList<>();
        item.forEach((k, v) -> {
            String[] segments = k.split("\\.");
            int at = -1;
            for (int i = 0; i < segments.length; i++) {
                if (!segments[i].isEmpty() && segments[i].chars().allMatch(Character::isDigit)) {
                    at = i;
                    break;
                }
            }
            if (at <= 0) {
                out.set(k, v);
                return;
            }
            String name = String.join(".", java.util.Arrays.copyOfRange(segments, 0, at));
            String rest = String.join(".", java.util.Arrays.copyOfRange(segments, at, segments.length));
            if (!nested.containsKey(name)) {
                order.add(name);
            }
            nested.computeIfAbsent(name, n -> new TreeMap<>()).put(rest, v);
        });
        for (String name : order) {
            out.set(name, list(nested.get(name)));
        }
        return out;
    }

    private static JsonNode or(JsonNode first, JsonNode second) {
        return first != null ? first : second;
    }

    private static void put(ObjectNode p, String key, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            p.set(key, value);
        }
    }
}
