package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.format.Message.Media;
import dev.prism.format.Message.Note;
import dev.prism.format.Message.Part;
import dev.prism.format.Message.Reasoning;
import dev.prism.format.Message.Refusal;
import dev.prism.format.Message.Text;
import dev.prism.format.Message.ToolCall;
import dev.prism.format.Message.ToolResult;
import dev.prism.format.Message.Value;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the message shapes SDKs put in {@code $ai_input}, {@code $ai_output_choices} and span states, and turns them into
 * {@link Message}s: OpenAI Chat and Responses, Anthropic, Gemini, LangChain (dumps and serialized constructors),
 * LangGraph states, Vercel AI SDK, OTel GenAI parts, OpenInference dotted keys, plain and JSON-encoded strings.
 *
 * <p>Shapes are told apart by their keys, not by the provider property, because routers (LiteLLM, LangChain) mix them.
 * Anything unrecognised survives as a {@link Value} part, so no content is lost.
 */
final class MessageParser {

    /** Levels of nested decoding (JSON strings holding messages holding JSON strings…). */
    private static final int MAX_DEPTH = 8;

    /** OpenAI Responses items that stand for a whole turn when they appear in an input list. */
    private static final Set<String> RESPONSE_ITEMS = Set.of("message", "function_call", "function_call_output", "reasoning",
            "custom_tool_call", "custom_tool_call_output", "web_search_call", "file_search_call", "code_interpreter_call",
            "image_generation_call", "computer_call", "computer_call_output", "mcp_call", "mcp_list_tools",
            "mcp_approval_request", "local_shell_call", "local_shell_call_output");

    /** LangChain message dump {@code type}s. */
    private static final Set<String> LANGCHAIN_TYPES = Set.of("human", "ai", "system", "tool", "function", "chat", "generic",
            "developer", "aimessagechunk", "humanmessagechunk", "systemmessagechunk", "toolmessagechunk", "aimessage",
            "humanmessage", "systemmessage", "toolmessage");

    private static final Set<String> KNOWN_ROLES = Set.of("user", "assistant", "system", "developer", "tool", "function",
            "model", "human", "ai");

    private static final Set<String> CONTENT_KEYS = Set.of("content", "parts", "tool_calls", "function_call", "text",
            "refusal", "contents", "tool_call_id");

    private static final Set<String> NORMAL_FINISH = Set.of("stop", "end_turn", "completed", "tool_calls", "tool_use",
            "function_call", "stop_sequence", "tool-calls", "finish_reason_unspecified");

    private MessageParser() {
    }

    /**
     * The messages in {@code value}. Text and parts that carry no role get {@code defaultRole} (user for inputs,
     * assistant for outputs). Never null; empty for null or empty values.
     */
    static List<Message> parse(JsonNode value, String defaultRole) {
        Collector c = new Collector(defaultRole);
        c.value(value, 0);
        c.flush();
        return c.messages;
    }

    /** True when a span state is (or holds under {@code messages}) a conversation rather than arbitrary data. */
    static boolean isConversation(JsonNode v) {
        v = decoded(v);
        if (v == null) {
            return false;
        }
        if (v.isArray()) {
            int messages = 0;
            int n = Math.min(v.size(), 50);
            for (int i = 0; i < n; i++) {
                JsonNode e = v.get(i);
                if (e != null && e.isObject() && isMessage(DottedKeys.expand(e))) {
                    messages++;
                }
            }
            return messages > 0 && messages * 2 >= n;
        }
        if (!v.isObject()) {
            return false;
        }
        JsonNode o = DottedKeys.expand(v);
        return isMessage(o) || o.size() == 1 && isConversation(o.get("messages")) || o.path("choices").isArray()
                || o.path("candidates").isArray() || isResponse(o) || o.path("contents").isArray();
    }

    /** {@code v}, or the JSON a string holds; null for null. */
    static JsonNode decoded(JsonNode v) {
        for (int i = 0; i < MAX_DEPTH && v != null && v.isTextual(); i++) {
            JsonNode json = ValueText.parseJson(v.textValue());
            if (json == null) {
                return v;
            }
            v = json;
        }
        return v == null || v.isNull() || v.isMissingNode() ? null : v;
    }

    /** True for an object that is one message (or a Responses item standing for one). */
    static boolean isMessage(JsonNode o) {
        if (o == null || !o.isObject()) {
            return false;
        }
        JsonNode role = o.get("role");
        if (role != null && role.isTextual() && isRoleName(role.textValue())) {
            return hasContent(o) || KNOWN_ROLES.contains(role.textValue().toLowerCase(Locale.ROOT));
        }
        if (o.has("lc") && o.path("kwargs").isObject()) {
            return true;
        }
        String type = lower(text(o, "type"));
        if (type != null && LANGCHAIN_TYPES.contains(type) && (o.has("content") || o.has("tool_calls"))) {
            return true;
        }
        if (type != null && RESPONSE_ITEMS.contains(type)) {
            return true;
        }
        if (o.path("message").isObject() && o.size() <= 5) {
            return isMessage(DottedKeys.expand(o.get("message")));
        }
        return o.path("parts").isArray() && !o.has("type");
    }

    /** A role is a short word ("user", "assistant", "model", "posthog"), never a sentence such as a job title. */
    private static boolean isRoleName(String r) {
        if (r.isEmpty() || r.length() > 30) {
            return false;
        }
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasContent(JsonNode o) {
        for (String k : CONTENT_KEYS) {
            if (o.has(k)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isResponse(JsonNode o) {
        return o.path("output").isArray() && ("response".equals(text(o, "object")) || o.has("status") || o.has("model"));
    }

    // ---------------------------------------------------------------- collecting

    /** Walks a value, gathering messages; role-less parts in a row become one message. */
    private static final class Collector {
        final String defaultRole;
        final List<Message> messages = new ArrayList<>();
        List<Part> pending = new ArrayList<>();

        Collector(String defaultRole) {
            this.defaultRole = defaultRole;
        }

        void flush() {
            if (!pending.isEmpty()) {
                messages.add(new Message(roleFor(defaultRole, pending), null, pending));
                pending = new ArrayList<>();
            }
        }

        void add(Message m) {
            flush();
            if (m != null) {
                messages.add(m);
            }
        }

        void value(JsonNode v, int depth) {
            if (v == null || v.isNull() || v.isMissingNode()) {
                return;
            }
            if (depth > MAX_DEPTH) {
                pending.add(new Value(v));
                return;
            }
            if (v.isTextual()) {
                string(v.textValue(), depth);
            } else if (v.isArray()) {
                for (JsonNode e : v) {
                    element(e, depth + 1);
                }
            } else if (v.isObject()) {
                object(DottedKeys.expand(v), depth);
            } else {
                pending.add(new Text(v.asText()));
            }
        }

        private void string(String s, int depth) {
            JsonNode json = ValueText.parseJson(s);
            if (json != null && depth < MAX_DEPTH) {
                value(json, depth + 1);
            } else if (!s.isBlank()) {
                pending.add(new Text(s));
            }
        }

        private void element(JsonNode e, int depth) {
            if (e == null || e.isNull() || e.isMissingNode()) {
                return;
            }
            if (e.isTextual() || e.isArray() || depth > MAX_DEPTH) {
                value(e, depth);
                return;
            }
            if (!e.isObject()) {
                pending.add(new Text(e.asText()));
                return;
            }
            JsonNode o = DottedKeys.expand(e);
            if (o.path("message").isObject() && !o.has("role")) {
                choice(o, depth);
            } else if (isMessage(o)) {
                add(message(o, defaultRole, depth));
            } else if (isEnvelope(o)) {
                flush();
                object(o, depth);
            } else {
                Parts.of(o, pending, depth);
            }
        }

        private void object(JsonNode o, int depth) {
            JsonNode choices = o.get("choices");
            if (choices != null && choices.isArray()) {
                for (JsonNode choice : choices) {
                    element(choice, depth + 1);
                }
                return;
            }
            JsonNode candidates = o.get("candidates");
            if (candidates != null && candidates.isArray()) {
                for (JsonNode candidate : candidates) {
                    candidate(candidate, depth + 1);
                }
                return;
            }
            if (isResponse(o)) {
                response(o, depth);
                return;
            }
            if (o.has("contents") && !o.has("role")) {
                gemini(o, depth);
                return;
            }
            JsonNode list = o.path("messages");
            if (list.isArray() && !o.has("role")) {
                system(o.get("system"), depth);
                for (JsonNode m : list) {
                    element(m, depth + 1);
                }
                return;
            }
            JsonNode llm = o.path("llm").isObject() ? o.get("llm") : o;
            if (llm.path("input_messages").isArray() || llm.path("output_messages").isArray()) {
                for (JsonNode m : llm.path("input_messages")) {
                    element(m, depth + 1);
                }
                for (JsonNode m : llm.path("output_messages")) {
                    element(m, depth + 1);
                }
                return;
            }
            JsonNode wrapped = o.get("message");
            if (wrapped != null && wrapped.isObject() && !o.has("role")) {
                choice(o, depth);
                return;
            }
            if (isMessage(o)) {
                add(message(o, defaultRole, depth));
                return;
            }
            Parts.of(o, pending, depth);
        }

        private boolean isEnvelope(JsonNode o) {
            return o.path("choices").isArray() || o.path("candidates").isArray() || isResponse(o)
                    || o.path("messages").isArray() || o.path("contents").isArray() || o.path("llm").isObject()
                    || o.path("content").path("parts").isArray();
        }

        /** An OpenAI choice: {@code {index, message, finish_reason}}. */
        private void choice(JsonNode o, int depth) {
            element(o.get("message"), depth + 1);
            finishNote(text(o, "finish_reason"));
        }

        /** A Gemini candidate: {@code {content: {role, parts}, finishReason}}. */
        private void candidate(JsonNode c, int depth) {
            if (c == null || !c.isObject()) {
                value(c, depth);
                return;
            }
            JsonNode content = c.get("content");
            if (content != null && content.isObject()) {
                add(message(DottedKeys.expand(content), "assistant", depth));
            } else if (content != null) {
                value(content, depth);
            } else {
                Parts.of(c, pending, depth);
            }
            finishNote(text(c, "finishReason") != null ? text(c, "finishReason") : text(c, "finish_reason"));
        }

        private void finishNote(String reason) {
            if (reason != null && !NORMAL_FINISH.contains(reason.toLowerCase(Locale.ROOT)) && !messages.isEmpty()) {
                Message last = messages.get(messages.size() - 1);
                List<Part> parts = new ArrayList<>(last.parts());
                parts.add(new Note("finish reason: " + reason));
                messages.set(messages.size() - 1, new Message(last.role(), last.name(), parts));
            }
        }

        /** A whole OpenAI Responses object. */
        private void response(JsonNode o, int depth) {
            for (JsonNode item : o.get("output")) {
                element(item, depth + 1);
            }
            if (o.get("output").isEmpty() && o.path("output_text").isTextual()) {
                add(new Message("assistant", null, List.of(new Text(o.get("output_text").textValue()))));
            }
            JsonNode incomplete = o.get("incomplete_details");
            if (incomplete != null && !ValueText.isBlank(incomplete)) {
                add(new Message("assistant", null, List.of(new Note("incomplete: " + ValueText.oneLine(incomplete, 200, 400)))));
            }
        }

        /** A Gemini request body: {@code {systemInstruction, contents}}. */
        private void gemini(JsonNode o, int depth) {
            JsonNode sys = o.get("systemInstruction");
            if (sys == null) {
                sys = o.get("system_instruction");
            }
            if (sys == null) {
                sys = o.path("config").get("systemInstruction");
            }
            system(sys, depth);
            JsonNode contents = o.get("contents");
            if (contents != null && contents.isTextual()) {
                add(new Message("user", null, List.of(new Text(contents.textValue()))));
            } else {
                value(contents, depth + 1);
            }
        }

        private void system(JsonNode sys, int depth) {
            if (ValueText.isBlank(sys)) {
                return;
            }
            List<Part> parts = new ArrayList<>();
            if (sys.isObject() && sys.has("parts")) {
                Parts.content(sys.get("parts"), parts, depth + 1);
            } else {
                Parts.content(sys, parts, depth + 1);
            }
            add(new Message("system", null, parts));
        }
    }

    // ---------------------------------------------------------------- one message

    /** The message an object describes, whichever SDK made it. */
    static Message message(JsonNode o, String defaultRole, int depth) {
        if (o.has("lc") && o.path("kwargs").isObject()) {
            JsonNode kwargs = DottedKeys.expand(o.get("kwargs"));
            String cls = null;
            JsonNode id = o.get("id");
            if (id != null && id.isArray() && !id.isEmpty()) {
                cls = id.get(id.size() - 1).asText();
            }
            String role = text(kwargs, "role") != null ? text(kwargs, "role") : cls;
            return fromRoleObject(kwargs, role, defaultRole, depth);
        }
        if (o.path("message").isObject() && !o.has("role")) {
            return message(DottedKeys.expand(o.get("message")), defaultRole, depth);
        }
        String type = text(o, "type");
        String role = text(o, "role");
        if (role == null && type != null && LANGCHAIN_TYPES.contains(type.toLowerCase(Locale.ROOT))) {
            role = type;
        }
        if (type != null && RESPONSE_ITEMS.contains(type) && !"message".equals(type)) {
            List<Part> parts = new ArrayList<>();
            Parts.of(o, parts, depth);
            return new Message(roleFor(role != null ? normalizeRole(role) : "assistant", parts), null, parts);
        }
        return fromRoleObject(o, role, defaultRole, depth);
    }

    private static Message fromRoleObject(JsonNode o, String rawRole, String defaultRole, int depth) {
        String role = normalizeRole(rawRole != null ? rawRole : defaultRole);
        List<Part> parts = new ArrayList<>();
        JsonNode content = first(o, "content", "parts", "contents", "text");
        Parts.content(content, parts, depth + 1);

        JsonNode kwargs = o.path("additional_kwargs");
        String reasoning = text(o, "reasoning_content");
        if (reasoning == null) {
            reasoning = text(kwargs, "reasoning_content");
        }
        if (reasoning == null && o.path("reasoning").isTextual()) {
            reasoning = text(o, "reasoning");
        }
        if (reasoning != null) {
            parts.add(0, new Reasoning(reasoning, null));
        }
        JsonNode thinkingBlocks = o.get("thinking_blocks");
        if (thinkingBlocks != null && thinkingBlocks.isArray()) {
            int at = 0;
            for (JsonNode b : thinkingBlocks) {
                List<Part> found = new ArrayList<>();
                Parts.of(b, found, depth + 1);
                parts.addAll(at, found);
                at += found.size();
            }
        }

        Set<String> callIds = new HashSet<>();
        for (Part p : parts) {
            if (p instanceof ToolCall c && c.id() != null) {
                callIds.add(c.id());
            }
        }
        toolCalls(o.get("tool_calls"), parts, callIds);
        toolCalls(kwargs.get("tool_calls"), parts, callIds);
        toolCalls(o.get("toolCalls"), parts, callIds);
        for (JsonNode fc : new JsonNode[]{o.get("function_call"), kwargs.get("function_call")}) {
            if (fc != null && fc.isObject() && callIds.isEmpty()) {
                parts.add(Parts.toolCall(fc));
            }
        }
        JsonNode invalid = o.get("invalid_tool_calls");
        if (invalid != null && invalid.isArray()) {
            for (JsonNode c : invalid) {
                ToolCall call = Parts.toolCall(c);
                parts.add(new Note("invalid tool call: " + ToolRenderer.call(call.name(), call.arguments())
                        + (text(c, "error") != null ? " (" + text(c, "error") + ")" : "")));
            }
        }
        String refusal = text(o, "refusal");
        if (refusal != null) {
            parts.add(new Refusal(refusal));
        }
        JsonNode audio = o.get("audio");
        if (audio != null && audio.isObject()) {
            if (text(audio, "transcript") != null) {
                parts.add(new Text(text(audio, "transcript")));
            }
            if (audio.has("data")) {
                parts.add(new Media(BinaryText.media("audio", text(audio, "data"))));
            }
        }

        String name = text(o, "name");
        if ("tool".equals(role)) {
            boolean hasResult = false;
            for (Part p : parts) {
                hasResult |= p instanceof ToolResult;
            }
            if (!hasResult) {
                String id = text(o, "tool_call_id");
                if (id == null) {
                    id = text(o, "toolCallId");
                }
                boolean error = "error".equalsIgnoreCase(text(o, "status")) || o.path("is_error").asBoolean(false);
                JsonNode result = content == null ? TextNode.valueOf("") : content;
                parts = new ArrayList<>(List.of(new ToolResult(id, name, result, error)));
            }
            name = null;
        }
        return new Message(roleFor(role, parts), name, parts);
    }

    private static void toolCalls(JsonNode calls, List<Part> parts, Set<String> ids) {
        if (calls == null || !calls.isArray()) {
            return;
        }
        for (JsonNode c : calls) {
            if (c == null || !c.isObject()) {
                continue;
            }
            ToolCall call = Parts.toolCall(DottedKeys.expand(c));
            if (call.id() != null && !ids.add(call.id())) {
                continue; // the same call already came from the content blocks
            }
            parts.add(call);
        }
    }

    /** The role shown: a user turn that only carries tool results reads as the tool's, a call-only turn as the assistant's. */
    private static String roleFor(String role, List<Part> parts) {
        if (parts.isEmpty()) {
            return role;
        }
        boolean allResults = true;
        boolean allCalls = true;
        for (Part p : parts) {
            allResults &= p instanceof ToolResult;
            allCalls &= p instanceof ToolCall;
        }
        if (allResults) {
            return "tool";
        }
        if (allCalls) {
            return "assistant";
        }
        return role;
    }

    /** user, assistant, system, developer, tool; LangChain and Gemini names mapped onto them. */
    static String normalizeRole(String raw) {
        if (raw == null || raw.isBlank()) {
            return "user";
        }
        String r = raw.trim();
        String lower = r.toLowerCase(Locale.ROOT);
        if (lower.endsWith("chunk")) {
            lower = lower.substring(0, lower.length() - 5);
        }
        if (lower.endsWith("message") && lower.length() > 7) {
            lower = lower.substring(0, lower.length() - 7);
        }
        return switch (lower) {
            case "human", "user" -> "user";
            case "ai", "assistant", "model", "bot", "chatbot" -> "assistant";
            case "system" -> "system";
            case "developer" -> "developer";
            case "tool", "function", "tool_result", "ipython" -> "tool";
            default -> r.length() > 40 ? r.substring(0, 40) : r;
        };
    }

    // ---------------------------------------------------------------- helpers

    static String text(JsonNode o, String key) {
        if (o == null || !o.isObject()) {
            return null;
        }
        JsonNode v = o.get(key);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    static JsonNode first(JsonNode o, String... keys) {
        for (String k : keys) {
            JsonNode v = o.get(k);
            if (v != null && !v.isNull() && !v.isMissingNode()) {
                return v;
            }
        }
        return null;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
