package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Conversations in whatever shape an SDK recorded them, as {@code [role] text} lines: OpenAI Chat and Responses,
 * Anthropic, Gemini, LangChain and LangGraph, Vercel AI SDK, OTel GenAI parts, OpenInference flattened keys, plain
 * strings and JSON stored as strings. Tool calls read as {@code name(arg=value, …)}; their results follow as
 * {@code [tool name]} lines. Anything unrecognised falls back to {@link JsonText}, so no input is lost or fatal.
 */
final class Messages {

    private final StringBuilder out;
    private final String indent;

    Messages(StringBuilder out, String indent) {
        this.out = out;
        this.indent = indent;
    }

    /** Renders a value holding messages (a list, one message, a whole request or response object, or text). */
    void render(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return;
        }
        if (v.isTextual()) {
            JsonNode decoded = JsonText.decode(v.asText());
            if (decoded != null) {
                render(decoded);
            } else {
                line(null, JsonText.string(v.asText()));
            }
            return;
        }
        if (v.isArray()) {
            for (JsonNode m : v) {
                message(m);
            }
            return;
        }
        if (!v.isObject()) {
            line(null, JsonText.scalar(v));
            return;
        }
        if (v.has("messages") && v.get("messages").isArray()) { // LangGraph state, Anthropic request
            if (v.hasNonNull("system")) {
                content("system", v.get("system"));
            }
            render(v.get("messages"));
            rest(v, "messages", "system");
            return;
        }
        if (v.has("contents") || v.has("systemInstruction")) { // Gemini request
            if (v.has("systemInstruction")) {
                content("system", v.get("systemInstruction").has("parts") ? v.get("systemInstruction").get("parts") : v.get("systemInstruction"));
            }
            render(v.get("contents"));
            return;
        }
        if (v.has("candidates")) { // Gemini response
            for (JsonNode c : v.get("candidates")) {
                message(c.has("content") ? c.get("content") : c);
                if (c.hasNonNull("finishReason") && !"STOP".equals(c.get("finishReason").asText())) {
                    line(null, "(finish reason: " + c.get("finishReason").asText() + ")");
                }
            }
            return;
        }
        if (v.has("choices") && v.get("choices").isArray()) { // OpenAI chat.completion object
            render(v.get("choices"));
            return;
        }
        if (v.has("output") && v.get("output").isArray()) { // OpenAI Responses object
            render(v.get("output"));
            return;
        }
        message(v);
    }

    /** One message, part, choice or Responses item. */
    void message(JsonNode m) {
        if (m == null || m.isNull()) {
            return;
        }
        if (m.isTextual()) {
            render(m); // text, or JSON stored as text
            return;
        }
        if (!m.isObject()) {
            line(null, JsonText.scalar(m));
            return;
        }
        if (m.has("message") && m.get("message").isObject() && !m.has("role")) { // a chat choice
            message(m.get("message"));
            String finish = m.path("finish_reason").asText("");
            if (!finish.isEmpty() && !finish.equals("stop") && !finish.equals("tool_calls")) {
                line(null, "(finish reason: " + finish + ")");
            }
            return;
        }
        if (m.has("lc") && m.has("kwargs")) { // LangChain serialized message
            JsonNode id = m.path("id");
            String cls = id.isArray() && id.size() > 0 ? id.get(id.size() - 1).asText() : "message";
            JsonNode kwargs = m.get("kwargs");
            content(langChainRole(cls), kwargs.path("content"));
            toolCalls(kwargs);
            return;
        }
        String type = m.path("type").asText("");
        if (!m.has("role") && !m.has("message.role") && !type.isEmpty() && part(m, type, "assistant")) {
            return; // a Responses item or a content part on its own
        }
        if (!looksLikeMessage(m)) { // a plain state object such as {"question": "..."}: show its fields
            line(null, JsonText.inline(m).strip());
            return;
        }
        String role = role(m);
        if (m.hasNonNull("name") && !m.path("name").isContainerNode() && ("tool".equals(role) || "function".equals(role))) {
            role = "tool " + m.get("name").asText();
        } else if (m.hasNonNull("name") && m.get("name").isTextual() && !"tool".equals(role)) {
            role = role + " (" + m.get("name").asText() + ")";
        }
        JsonNode content = first(m, "content", "message.content", "parts", "text");
        if (content == null && m.has("kwargs")) {
            content = m.get("kwargs").path("content");
        }
        content(role, content);
        if (m.hasNonNull("refusal")) {
            line(role, "[refusal] " + JsonText.scalar(m.get("refusal")));
        }
        toolCalls(m);
        if (m.has("additional_kwargs")) {
            toolCalls(m.get("additional_kwargs"));
        }
    }

    private void content(String role, JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return;
        }
        if (content.isTextual()) {
            String s = content.asText();
            JsonNode decoded = JsonText.decode(s);
            if (decoded != null && (decoded.has("type") || decoded.has("role") || decoded.isArray() && isParts(decoded))) {
                // an item or message recorded as a JSON string (OpenAI Responses through some SDKs)
                if (decoded.isArray()) {
                    for (JsonNode p : decoded) {
                        partOrMessage(role, p);
                    }
                } else {
                    partOrMessage(role, decoded);
                }
                return;
            }
            if (!s.isEmpty()) {
                line(role, decoded != null ? JsonText.inline(decoded) : JsonText.string(s));
            }
            return;
        }
        if (content.isArray()) {
            for (JsonNode p : content) {
                partOrMessage(role, p);
            }
            return;
        }
        if (content.isObject() && content.has("parts")) {
            content(role, content.get("parts"));
            return;
        }
        line(role, JsonText.scalar(content));
    }

    private static boolean looksLikeMessage(JsonNode m) {
        for (String k : List.of("role", "message.role", "content", "message.content", "parts", "text", "type", "tool_calls", "kwargs")) {
            if (m.has(k)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isParts(JsonNode array) {
        return array.size() > 0 && array.get(0).isObject() && (array.get(0).has("type") || array.get(0).has("text"));
    }

    private void partOrMessage(String role, JsonNode p) {
        if (p == null || p.isNull()) {
            return;
        }
        if (p.isTextual()) {
            line(role, JsonText.string(p.asText()));
            return;
        }
        if (!p.isObject()) {
            line(role, JsonText.scalar(p));
            return;
        }
        if (p.has("role")) {
            message(p);
            return;
        }
        String type = p.path("type").asText("");
        if (type.isEmpty() && p.has("text")) {
            if (!p.get("text").isNull()) {
                line(p.path("thought").asBoolean(false) ? role + " thought" : role, JsonText.scalar(p.get("text")));
            }
            return;
        }
        if (!part(p, type.isEmpty() ? geminiType(p) : type, role)) {
            if (p.has("text")) {
                line(role, JsonText.scalar(p.get("text")));
            } else {
                line(role, JsonText.inline(p));
            }
        }
    }

    private static String geminiType(JsonNode p) {
        for (String k : List.of("functionCall", "functionResponse", "inlineData", "fileData", "executableCode", "codeExecutionResult")) {
            if (p.has(k)) {
                return k;
            }
        }
        return "";
    }

    /** Renders a typed part or item; false when the type is unknown. */
    private boolean part(JsonNode p, String type, String role) {
        switch (type) {
            case "text", "input_text", "output_text" -> {
                JsonNode text = first(p, "text", "content");
                if (text != null) { // a text part without text says nothing
                    line(role(p, role), JsonText.scalar(text));
                }
            }
            case "refusal" -> line(role, "[refusal] " + JsonText.scalar(first(p, "refusal", "text")));
            case "message" -> {
                content(role(p, role), p.get("content"));
                return true;
            }
            case "reasoning" -> reasoning(p);
            case "thinking" -> line("thinking", JsonText.scalar(first(p, "thinking", "text")));
            case "redacted_thinking" -> line("thinking", JsonText.placeholder("redacted thinking", p.path("data").asText().length()));
            case "image", "image_url", "input_image" -> line(null, image(p));
            case "file", "input_file", "document", "blob", "uri", "inlineData", "fileData" -> line(null, file(p, type));
            case "tool_use", "function_call", "tool-call", "tool_call", "custom_tool_call", "functionCall", "function" -> call(p, role);
            case "tool_result", "function_call_output", "tool-result", "tool_call_response", "custom_tool_call_output", "functionResponse" ->
                    result(p);
            case "web_search_call" -> line("tool web_search", JsonText.inline(p.has("action") ? p.get("action") : p));
            case "code_interpreter_call" -> line("tool code_interpreter",
                    JsonText.scalar(p.path("code")) + (p.has("outputs") ? "\n→ " + JsonText.inline(p.get("outputs")) : ""));
            case "executableCode" -> line("code", JsonText.scalar(p.get("executableCode").path("code")));
            case "codeExecutionResult" -> line("code result", JsonText.scalar(p.get("codeExecutionResult").path("output")));
            default -> {
                return false;
            }
        }
        return true;
    }

    private void reasoning(JsonNode p) {
        StringBuilder text = new StringBuilder();
        JsonNode summary = p.get("summary");
        if (summary != null && summary.isArray()) {
            for (JsonNode s : summary) {
                text.append(text.length() == 0 ? "" : " ").append(s.isObject() ? s.path("text").asText() : s.asText());
            }
        }
        if (p.hasNonNull("text")) {
            text.append(text.length() == 0 ? "" : " ").append(p.get("text").asText());
        }
        if (p.hasNonNull("content") && p.get("content").isTextual()) {
            text.append(text.length() == 0 ? "" : " ").append(p.get("content").asText());
        }
        if (p.hasNonNull("encrypted_content")) {
            text.append(text.length() == 0 ? "" : " ").append(JsonText.placeholder("encrypted reasoning", p.get("encrypted_content").asText().length()));
        }
        line("reasoning", text.length() == 0 ? "(no summary)" : JsonText.cut(text.toString()));
    }

    private static String image(JsonNode p) {
        JsonNode url = first(p, "image_url", "url", "source", "image");
        if (url != null && url.isObject()) {
            if (url.has("data")) { // Anthropic {source: {type: base64, media_type, data}}
                return JsonText.placeholder(url.path("media_type").asText("image") + " base64", url.get("data").asText().length() * 3L / 4);
            }
            url = first(url, "url");
        }
        if (url != null && url.isTextual()) {
            String blob = JsonText.blob(url.asText());
            return blob != null ? blob : "[image " + JsonText.cut(url.asText(), 200) + "]";
        }
        return "[image]";
    }

    private static String file(JsonNode p, String type) {
        JsonNode src = p.has("source") ? p.get("source") : p.has("inlineData") ? p.get("inlineData") : p.has("fileData") ? p.get("fileData") : p;
        String mime = first(src, "media_type", "mediaType", "mimeType", "mime_type") == null ? type
                : first(src, "media_type", "mediaType", "mimeType", "mime_type").asText();
        JsonNode data = first(src, "data", "file_data", "content", "bytes");
        String title = p.hasNonNull("title") ? " \"" + p.get("title").asText() + "\"" : p.hasNonNull("filename") ? " " + p.get("filename").asText() : "";
        if (data != null && data.isTextual()) {
            String d = data.asText();
            if (d.startsWith("data:")) {
                return "[" + type + title + "] " + JsonText.blob(d);
            }
            if (JsonText.blob(d) != null || d.length() > 64) { // the part names the type better than the bytes do
                return "[" + type + title + "] " + JsonText.placeholder(mime + " base64", d.length() * 3L / 4);
            }
            return "[" + type + title + "] " + d;
        }
        JsonNode uri = first(src, "uri", "url", "fileUri", "file_id");
        return "[" + type + title + " " + mime + (uri != null ? " " + JsonText.cut(uri.asText(), 200) : "") + "]";
    }

    /** {@code → name(arg=value, …)} for one tool call of any shape. */
    private void call(JsonNode p) {
        call(p, "assistant");
    }

    private void call(JsonNode p, String role) {
        JsonNode fn = p.has("functionCall") ? p.get("functionCall") : p.has("function") && p.get("function").isObject() ? p.get("function") : p;
        String name = text(first(fn, "name", "toolName", "tool_call.function.name"), "tool");
        JsonNode args = first(fn, "arguments", "args", "input", "tool_call.function.arguments");
        line(role, "→ " + name + "(" + arguments(args) + ")");
    }

    private void result(JsonNode p) {
        JsonNode body = p.has("functionResponse") ? p.get("functionResponse") : p;
        String name = text(first(body, "name", "toolName", "tool_use_id", "call_id", "toolCallId", "id"), "");
        JsonNode value = first(body, "output", "content", "result", "response");
        if (value != null && value.isObject() && value.has("type") && value.has("value")) { // Vercel {type: json|text, value}
            value = value.get("value");
        }
        String shown;
        if (value == null) {
            shown = "(no result)";
        } else if (value.isArray() && isParts(value)) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : value) {
                sb.append(sb.length() == 0 ? "" : "\n").append(part.has("text") ? JsonText.scalar(part.get("text")) : JsonText.inline(part));
            }
            shown = sb.toString();
        } else {
            shown = JsonText.scalar(value);
        }
        boolean error = p.path("is_error").asBoolean(false) || "error".equals(p.path("status").asText());
        line(("tool " + name).trim() + (error ? " ERROR" : ""), shown);
    }

    private void toolCalls(JsonNode m) {
        for (String key : List.of("tool_calls", "message.tool_calls", "function_call")) {
            JsonNode calls = m.get(key);
            if (calls == null || calls.isNull()) {
                continue;
            }
            if (calls.isObject()) {
                call(calls);
            } else if (calls.isArray()) {
                calls.forEach(this::call);
            }
        }
    }

    /** Arguments as {@code a=1, b="x"}; JSON strings are decoded first. */
    static String arguments(JsonNode args) {
        if (args == null || args.isNull()) {
            return "";
        }
        JsonNode decoded = args.isTextual() ? JsonText.parseOrText(args.asText()) : args;
        if (!decoded.isObject()) {
            return JsonText.cut(decoded.isTextual() ? decoded.asText() : decoded.toString(), 2_000);
        }
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = decoded.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append('=');
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                sb.append('"').append(JsonText.string(v.asText())).append('"');
            } else {
                JsonText.compact(v, sb, 1);
            }
        }
        return sb.toString();
    }

    private static String role(JsonNode m) {
        JsonNode r = first(m, "role", "message.role");
        if (r != null && r.isTextual()) {
            return normaliseRole(r.asText());
        }
        String type = m.path("type").asText("");
        if (!type.isEmpty()) {
            return normaliseRole(type);
        }
        return "message";
    }

    private static String role(JsonNode p, String fallback) {
        JsonNode r = p.get("role");
        return r != null && r.isTextual() ? normaliseRole(r.asText()) : fallback;
    }

    private static String normaliseRole(String r) {
        return switch (r.toLowerCase()) {
            case "human", "humanmessage" -> "user";
            case "ai", "aimessage", "aimessagechunk", "model" -> "assistant";
            case "systemmessage", "developer" -> "system";
            case "toolmessage", "function" -> "tool";
            default -> r;
        };
    }

    private static String langChainRole(String cls) {
        return normaliseRole(cls);
    }

    static JsonNode first(JsonNode n, String... keys) {
        if (n == null) {
            return null;
        }
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static String text(JsonNode v, String fallback) {
        return v == null || v.isNull() || v.isContainerNode() ? fallback : v.asText();
    }

    /** Everything a known container holds besides its messages, so nothing is silently dropped. */
    private void rest(JsonNode v, String... shown) {
        List<String> skip = List.of(shown);
        List<String> keys = new ArrayList<>();
        v.fieldNames().forEachRemaining(k -> {
            if (!skip.contains(k)) {
                keys.add(k);
            }
        });
        for (String k : keys) {
            JsonNode x = v.get(k);
            if (x != null && !x.isNull() && !(x.isContainerNode() && x.isEmpty())) {
                line(k, JsonText.scalar(x));
            }
        }
    }

    private void line(String role, String text) {
        if (text == null) {
            return;
        }
        out.append(indent);
        if (role != null) {
            out.append('[').append(role).append("] ");
        }
        out.append(text.replace("\n", "\n" + indent + "  ")).append('\n');
    }
}
