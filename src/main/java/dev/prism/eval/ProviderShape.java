package dev.prism.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.eval.Script.AssistantText;
import dev.prism.eval.Script.Message;
import dev.prism.eval.Script.ModelCall;
import dev.prism.eval.Script.Step;
import dev.prism.eval.Script.ToolCall;
import dev.prism.eval.Script.ToolResult;
import dev.prism.eval.Script.ToolRun;
import dev.prism.eval.Script.UserText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The SDK shapes PostHog receives {@code $ai_*} events in, as the examples in {@code examples/traces} show them: the
 * OpenAI chat and Responses wrappers, the Anthropic and Gemini wrappers, the LangChain callback handler (spans under a
 * root trace) and the Vercel AI SDK (typed content parts). Each turns the same {@link Script} into its events.
 */
public enum ProviderShape {
    OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC, GEMINI, LANGCHAIN, VERCEL_AI;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = dev.prism.common.JsonMapping.MAPPER;

    /** Whether this SDK can carry calls to {@code backend} (the native wrappers only carry their own provider). */
    boolean carries(Backend backend) {
        return switch (this) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> backend == Backend.OPENAI;
            case ANTHROPIC -> backend == Backend.ANTHROPIC;
            case GEMINI -> backend == Backend.GEMINI;
            case LANGCHAIN, VERCEL_AI -> true;
        };
    }

    /** Everything one trace needs besides its script: ids, who, when and which model. */
    record Context(String traceId, String distinctId, Instant start, Backend backend, String model, Random random) {
    }

    List<ObjectNode> events(Script script, Context context) {
        List<ObjectNode> events = new ArrayList<>();
        Instant at = context.start();
        String firstUser = null;
        String lastAnswer = null;
        String lastError = null;
        for (Step step : script.steps()) {
            at = at.plusMillis(Math.round(step.latency() * 1000));
            ObjectNode props = NODES.objectNode();
            props.put("$ai_trace_id", context.traceId());
            props.put("$ai_span_id", uuid(context.random()));
            if (step instanceof ModelCall call) {
                if (firstUser == null) {
                    firstUser = call.input().stream().filter(UserText.class::isInstance).map(m -> ((UserText) m).text()).findFirst().orElse(null);
                }
                generation(props, script.system(), call, context);
                if (call.output() instanceof AssistantText text) {
                    lastAnswer = text.text();
                }
                lastError = call.error();
                events.add(event("$ai_generation", props, context, at));
            } else if (step instanceof ToolRun run) {
                lastError = run.error();
                if (this != LANGCHAIN && run.error() == null) {
                    continue; // SDK wrappers only see model calls; a working tool shows up in the next call's input
                }
                toolSpan(props, run);
                events.add(event("$ai_span", props, context, at));
            }
        }
        if (this == LANGCHAIN) {
            ObjectNode root = NODES.objectNode();
            root.put("$ai_trace_id", context.traceId());
            root.put("$ai_span_id", context.traceId());
            root.put("$ai_span_name", "AgentExecutor");
            root.put("$ai_framework", "langchain");
            root.putObject("$ai_input_state").put("input", firstUser);
            if (lastAnswer != null && lastError == null) {
                root.putObject("$ai_output_state").put("output", lastAnswer);
            }
            root.put("$ai_latency", Math.round((at.toEpochMilli() - context.start().toEpochMilli()) / 10.0) / 100.0);
            if (lastError != null) {
                root.put("$ai_is_error", true);
                root.put("$ai_error", lastError);
            }
            root.put("$lib", "posthog-python");
            events.add(event("$ai_trace", root, context, at.plusMillis(5)));
        }
        return events;
    }

    private void generation(ObjectNode props, String system, ModelCall call, Context context) {
        Backend backend = context.backend();
        props.put("$ai_provider", this == VERCEL_AI && backend == Backend.GEMINI ? "google" : backend.provider);
        props.put("$ai_model", context.model());
        switch (this) {
            case LANGCHAIN -> {
                props.put("$ai_framework", "langchain");
                props.put("$ai_parent_id", context.traceId());
                props.put("$ai_span_name", backend.langchainClass);
                props.put("$lib", "posthog-python");
            }
            case OPENAI_RESPONSES, VERCEL_AI -> {
                props.put("$lib", "posthog-node");
                props.put("$ai_lib", "posthog-ai");
            }
            default -> props.put("$lib", "posthog-python");
        }
        props.set("$ai_input", input(system, call.input()));
        if (call.failed()) {
            props.put("$ai_is_error", true);
            props.put("$ai_error", call.error());
            if (call.httpStatus() != null) {
                props.put("$ai_http_status", call.httpStatus());
            }
            props.put("$ai_input_tokens", 0);
            props.put("$ai_output_tokens", 0);
        } else {
            props.set("$ai_output_choices", output(call.output()));
            props.put("$ai_http_status", 200);
            props.put("$ai_input_tokens", call.inputTokens());
            props.put("$ai_output_tokens", call.outputTokens());
            props.put("$ai_total_cost_usd", call.costUsd());
            props.put("$ai_stop_reason", call.output() instanceof ToolCall ? toolStopReason() : "stop");
        }
        props.put("$ai_latency", call.latency());
    }

    private String toolStopReason() {
        return switch (this) {
            case ANTHROPIC -> "tool_use";
            case GEMINI -> "STOP";
            case VERCEL_AI -> "tool-calls";
            case OPENAI_RESPONSES -> "completed";
            default -> "tool_calls";
        };
    }

    private static void toolSpan(ObjectNode props, ToolRun run) {
        props.put("$ai_span_name", run.name());
        props.put("$ai_input_state", run.input());
        if (run.output() != null) {
            props.set("$ai_output_state", parsedOrText(run.output()));
        }
        props.put("$ai_latency", run.latency());
        if (run.error() != null) {
            props.put("$ai_is_error", true);
            props.put("$ai_error", run.error());
        }
    }

    private JsonNode input(String system, List<Message> history) {
        if (this == GEMINI) {
            ObjectNode in = NODES.objectNode();
            in.putObject("systemInstruction").putArray("parts").addObject().put("text", system);
            ArrayNode contents = in.putArray("contents");
            history.forEach(m -> contents.add(geminiContent(m)));
            return in;
        }
        ArrayNode in = NODES.arrayNode();
        ObjectNode sys = in.addObject().put("role", "system");
        if (this == VERCEL_AI) {
            sys.putArray("content").addObject().put("type", "text").put("text", system);
        } else {
            sys.put("content", system);
        }
        history.forEach(m -> in.add(message(m)));
        return in;
    }

    private JsonNode output(Message message) {
        return switch (this) {
            case GEMINI -> {
                ObjectNode out = NODES.objectNode();
                ObjectNode candidate = out.putArray("candidates").addObject();
                candidate.set("content", geminiContent(message));
                candidate.put("finishReason", "STOP").put("index", 0);
                yield out;
            }
            case OPENAI_RESPONSES -> {
                ArrayNode out = NODES.arrayNode();
                out.add(message instanceof AssistantText t ? responsesMessage(t.text()) : message(message));
                yield out;
            }
            default -> NODES.arrayNode().add(message(message));
        };
    }

    private ObjectNode message(Message message) {
        ObjectNode m = NODES.objectNode();
        if (message instanceof UserText t) {
            m.put("role", "user");
            if (this == VERCEL_AI) {
                m.putArray("content").addObject().put("type", "text").put("text", t.text());
            } else {
                m.put("content", t.text());
            }
        } else if (message instanceof AssistantText t) {
            m.put("role", "assistant");
            switch (this) {
                case ANTHROPIC, VERCEL_AI -> m.putArray("content").addObject().put("type", "text").put("text", t.text());
                case OPENAI_RESPONSES -> m.putArray("content").addObject().put("type", "output_text").put("text", t.text());
                default -> m.put("content", t.text());
            }
        } else if (message instanceof ToolCall c) {
            switch (this) {
                case ANTHROPIC -> m.put("role", "assistant").putArray("content").addObject()
                        .put("type", "tool_use").put("id", c.id()).put("name", c.name()).set("input", parsedOrText(c.arguments()));
                case VERCEL_AI -> m.put("role", "assistant").putArray("content").addObject()
                        .put("type", "tool-call").put("toolCallId", c.id()).put("toolName", c.name()).set("input", parsedOrText(c.arguments()));
                case OPENAI_RESPONSES -> m.put("type", "function_call").put("call_id", c.id()).put("name", c.name()).put("arguments", c.arguments());
                default -> {
                    m.put("role", "assistant").putNull("content");
                    ObjectNode call = m.putArray("tool_calls").addObject().put("id", c.id()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                }
            }
        } else if (message instanceof ToolResult r) {
            switch (this) {
                case ANTHROPIC -> m.put("role", "user").putArray("content").addObject()
                        .put("type", "tool_result").put("tool_use_id", r.id()).put("content", r.content());
                case VERCEL_AI -> {
                    ObjectNode part = m.put("role", "tool").putArray("content").addObject()
                            .put("type", "tool-result").put("toolCallId", r.id()).put("toolName", r.name());
                    part.putObject("output").put("type", "json").set("value", parsedOrText(r.content()));
                }
                case OPENAI_RESPONSES -> m.put("type", "function_call_output").put("call_id", r.id()).put("output", r.content());
                default -> m.put("role", "tool").put("tool_call_id", r.id()).put("content", r.content());
            }
        }
        return m;
    }

    private static ObjectNode responsesMessage(String text) {
        ObjectNode m = NODES.objectNode().put("type", "message").put("role", "assistant");
        m.putArray("content").addObject().put("type", "output_text").put("text", text);
        return m;
    }

    private static ObjectNode geminiContent(Message message) {
        ObjectNode c = NODES.objectNode();
        ArrayNode parts = NODES.arrayNode();
        if (message instanceof UserText t) {
            c.put("role", "user");
            parts.addObject().put("text", t.text());
        } else if (message instanceof AssistantText t) {
            c.put("role", "model");
            parts.addObject().put("text", t.text());
        } else if (message instanceof ToolCall call) {
            c.put("role", "model");
            parts.addObject().putObject("functionCall").put("name", call.name()).set("args", parsedOrText(call.arguments()));
        } else if (message instanceof ToolResult r) {
            c.put("role", "user");
            parts.addObject().putObject("functionResponse").put("name", r.name()).set("response", parsedOrText(r.content()));
        }
        c.set("parts", parts);
        return c;
    }

    /** Tool arguments and results as JSON where they are JSON; a malformed payload stays the text the model wrote. */
    private static JsonNode parsedOrText(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.isContainerNode()) {
                return node;
            }
        } catch (Exception notJson) {
            // falls through: the raw text is the evidence of the malformed call
        }
        return NODES.textNode(text);
    }

    private static ObjectNode event(String name, ObjectNode props, Context context, Instant at) {
        ObjectNode e = NODES.objectNode();
        e.put("event", name);
        e.put("uuid", uuid(context.random()));
        e.put("distinct_id", context.distinctId());
        e.put("timestamp", at.toString());
        e.set("properties", props);
        return e;
    }

    static String uuid(Random random) {
        byte[] seed = new byte[16];
        random.nextBytes(seed);
        return UUID.nameUUIDFromBytes(seed).toString(); // a well-formed (version 3) UUID, reproducible from the seed
    }
}
