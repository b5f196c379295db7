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
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static dev.prism.format.MessageParser.first;
import static dev.prism.format.MessageParser.text;

/**
 * Reads one content block: text, reasoning, media, tool calls and results in the block vocabularies of OpenAI (Chat and
 * Responses), Anthropic, Gemini, Vercel AI SDK, OTel GenAI and LangChain. Used by {@link MessageParser}.
 */
final class Parts {

    private static final int MAX_DEPTH = 8;

    /** Block types that mark an object as content rather than arbitrary data. */
    private static final Set<String> PART_TYPES = Set.of("text", "input_text", "output_text", "summary_text", "reasoning_text",
            "refusal", "reasoning", "thinking", "redacted_thinking", "image_url", "input_image", "image", "document", "file",
            "input_file", "input_audio", "audio", "blob", "uri", "tool_use", "server_tool_use", "tool_result", "function",
            "tool-call", "tool-result", "tool_call", "tool_call_response", "function_call", "function_call_output",
            "custom_tool_call", "custom_tool_call_output", "web_search_call", "code_interpreter_call", "message");

    private Parts() {
    }

    /** Adds the parts a message's {@code content} holds: a string, a list of blocks or one block. */
    static void content(JsonNode content, List<Part> out, int depth) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return;
        }
        if (depth > MAX_DEPTH) {
            out.add(new Value(content)); // nested beyond reason: shown as data, and the stack stays shallow
            return;
        }
        if (content.isTextual()) {
            textBlock(content.textValue(), out, depth);
        } else if (content.isArray()) {
            for (JsonNode block : content) {
                if (block == null || block.isNull()) {
                    continue;
                }
                if (block.isTextual()) {
                    textBlock(block.textValue(), out, depth);
                } else {
                    of(block, out, depth + 1);
                }
            }
        } else if (content.isObject()) {
            of(content, out, depth);
        } else {
            out.add(new Text(content.asText()));
        }
    }

    /**
     * Adds a text block's parts. Text that is JSON for messages or items (an SDK that stored a whole Responses item as a
     * user message's content) is read as such; other JSON stays structured; anything else is text.
     */
    static void textBlock(String s, List<Part> out, int depth) {
        if (s == null || s.isBlank()) {
            return;
        }
        JsonNode json = depth < MAX_DEPTH ? ValueText.parseJson(s) : null;
        if (json == null) {
            out.add(new Text(s));
        } else if (json.isTextual()) {
            textBlock(json.textValue(), out, depth + 1);
        } else if (holdsContent(json)) {
            for (Message m : MessageParser.parse(json, null)) {
                out.addAll(m.parts());
            }
        } else {
            out.add(new Value(json));
        }
    }

    private static boolean holdsContent(JsonNode json) {
        JsonNode probe = json.isArray() && !json.isEmpty() ? json.get(0) : json;
        if (probe == null || !probe.isObject()) {
            return false;
        }
        probe = DottedKeys.expand(probe);
        return MessageParser.isMessage(probe) || isPart(probe);
    }

    static boolean isPart(JsonNode o) {
        String type = text(o, "type");
        return type != null && PART_TYPES.contains(type) || o.has("functionCall") || o.has("functionResponse")
                || o.has("inlineData") || o.has("fileData");
    }

    /** Adds the parts of one block. */
    static void of(JsonNode block, List<Part> out, int depth) {
        if (block == null || block.isNull() || block.isMissingNode()) {
            return;
        }
        if (!block.isObject() || depth > MAX_DEPTH) {
            content(block, out, depth + 1);
            return;
        }
        JsonNode p = unwrap(DottedKeys.expand(block));
        String type = text(p, "type");
        if (type == null) {
            untyped(p, out, depth);
            return;
        }
        switch (type.toLowerCase(Locale.ROOT)) {
            case "text", "input_text", "output_text" -> {
                String t = blockText(p);
                if (t != null) {
                    if (p.path("thought").asBoolean(false)) {
                        out.add(new Reasoning(t, null));
                    } else {
                        textBlock(t, out, depth + 1);
                    }
                }
            }
            case "summary_text", "reasoning_text" -> add(out, blockText(p), null);
            case "refusal" -> {
                String t = firstOf(text(p, "refusal"), looseText(p.get("refusal"), 0), blockText(p));
                if (t != null) {
                    out.add(new Refusal(t));
                }
            }
            case "reasoning" -> reasoning(p, out);
            case "thinking" -> add(out, firstOf(text(p, "thinking"), looseText(p.get("thinking"), 0), blockText(p)),
                    opaque("signature", p.get("signature")));
            case "redacted_thinking" -> out.add(new Media(redacted(p)));
            case "image_url" -> out.add(new Media(media("image", null, url(p.get("image_url")), null)));
            case "input_image" -> out.add(new Media(media("image", null, firstOf(url(p.get("image_url")), text(p, "file_id"), text(p, "url")), null)));
            case "image" -> out.add(new Media(source("image", p)));
            case "document" -> out.add(new Media(source("document", p)));
            case "file", "input_file" -> out.add(new Media(file(p)));
            case "input_audio", "audio" -> {
                JsonNode a = p.path("input_audio").isObject() ? p.get("input_audio") : p;
                String format = text(a, "format");
                out.add(new Media(media("audio", format == null ? null : "audio/" + format, firstOf(text(a, "data"), text(a, "url")), null)));
            }
            case "blob" -> out.add(new Media(media(firstOf(text(p, "modality"), "file"), firstOf(text(p, "mime_type"), text(p, "mimeType")),
                    firstOf(text(p, "content"), text(p, "data")), null)));
            case "uri" -> out.add(new Media(media(firstOf(text(p, "modality"), "file"), firstOf(text(p, "mime_type"), text(p, "mimeType")),
                    text(p, "uri"), null)));
            case "tool_use", "server_tool_use", "mcp_tool_use" -> out.add(new ToolCall(text(p, "id"), text(p, "name"), p.get("input")));
            case "function", "tool-call", "tool_call", "function_call", "custom_tool_call" -> out.add(toolCall(p));
            case "tool-result" -> out.add(vercelResult(p));
            case "tool_call_response" -> out.add(new ToolResult(firstOf(text(p, "id"), text(p, "tool_call_id")), text(p, "name"),
                    first(p, "response", "result", "content", "output"), false));
            case "function_call_output", "custom_tool_call_output", "computer_call_output", "local_shell_call_output" ->
                    out.add(new ToolResult(firstOf(text(p, "call_id"), text(p, "id")), null, first(p, "output", "content"),
                            "error".equalsIgnoreCase(text(p, "status"))));
            case "web_search_call" -> out.add(new Note("web search" + suffix(webSearch(p))));
            case "file_search_call" -> out.add(new Note("file search" + suffix(list(p.get("queries")))));
            case "code_interpreter_call" -> codeInterpreter(p, out);
            case "image_generation_call" -> out.add(new Media("generated image " + (text(p, "result") != null
                    ? BinaryText.media("image/png", text(p, "result")) : "[" + firstOf(text(p, "status"), "image") + "]")));
            case "computer_call" -> out.add(new Note("computer action: " + ValueText.oneLine(p.get("action"), 200, 400)));
            case "local_shell_call" -> out.add(new Note("shell: " + ValueText.oneLine(p.path("action").get("command"), 300, 600)));
            case "mcp_call" -> mcpCall(p, out);
            case "mcp_list_tools" -> out.add(new Note("MCP tools listed" + suffix(toolNames(p.get("tools")))));
            case "mcp_approval_request" -> out.add(new Note("MCP approval requested: " + ToolRenderer.call(text(p, "name"), p.get("arguments"))));
            case "source" -> out.add(new Note("source: " + firstOf(text(p, "title"), "") + " " + firstOf(text(p, "url"), "")));
            case "message" -> content(p.get("content"), out, depth + 1);
            default -> {
                if (type.endsWith("_tool_result") || type.endsWith("tool_result")) {
                    out.add(new ToolResult(text(p, "tool_use_id"), null, p.get("content"), p.path("is_error").asBoolean(false)));
                } else if (type.endsWith("_call") && (p.has("name") || p.has("arguments"))) {
                    out.add(toolCall(p));
                } else {
                    out.add(new Value(p));
                }
            }
        }
    }

    /** Gemini parts and other blocks without a {@code type}. */
    private static void untyped(JsonNode p, List<Part> out, int depth) {
        String signature = opaque("thought signature", first(p, "thoughtSignature", "thought_signature"));
        if (p.has("functionCall") || p.has("function_call") && p.path("function_call").has("args")) {
            JsonNode fc = first(p, "functionCall", "function_call");
            out.add(new ToolCall(text(fc, "id"), text(fc, "name"), fc.get("args")));
        } else if (p.has("functionResponse") || p.has("function_response")) {
            JsonNode fr = first(p, "functionResponse", "function_response");
            out.add(new ToolResult(text(fr, "id"), text(fr, "name"), fr.get("response"), false));
        } else if (p.has("inlineData") || p.has("inline_data")) {
            JsonNode d = first(p, "inlineData", "inline_data");
            out.add(new Media(BinaryText.media(firstOf(text(d, "mimeType"), text(d, "mime_type")), text(d, "data"))));
        } else if (p.has("fileData") || p.has("file_data") && p.path("file_data").isObject()) {
            JsonNode d = first(p, "fileData", "file_data");
            out.add(new Media(media("file", firstOf(text(d, "mimeType"), text(d, "mime_type")), firstOf(text(d, "fileUri"), text(d, "file_uri")), null)));
        } else if (p.has("executableCode")) {
            JsonNode c = p.get("executableCode");
            out.add(new Note("code (" + firstOf(text(c, "language"), "?") + "):\n" + firstOf(text(c, "code"), "")));
        } else if (p.has("codeExecutionResult")) {
            JsonNode c = p.get("codeExecutionResult");
            out.add(new Note("code result (" + firstOf(text(c, "outcome"), "?") + "):\n" + firstOf(text(c, "output"), "")));
        } else if (p.path("text").isTextual() || p.path("text").isObject() && p.path("text").has("value")
                || p.path("text").isArray() && blockText(p) != null) {
            String t = blockText(p);
            if (p.path("thought").asBoolean(false)) {
                out.add(new Reasoning(t, signature));
                return;
            }
            textBlock(t, out, depth + 1);
        } else if (p.has("content")) {
            content(p.get("content"), out, depth + 1);
        } else if (MessageParser.isMessage(p)) {
            out.addAll(MessageParser.message(p, "user", depth + 1).parts());
        } else if (signature == null) {
            out.add(new Value(p));
        }
        if (signature != null && !(p.path("thought").asBoolean(false) && p.has("text"))) {
            out.add(new Media(signature));
        }
    }

    // ---------------------------------------------------------------- tool calls and results

    /** A tool call in any of its shapes: OpenAI {function: {name, arguments}}, LangChain {name, args}, Vercel {toolName, input}. */
    static ToolCall toolCall(JsonNode c) {
        c = unwrap(c);
        JsonNode fn = c.path("function").isObject() ? c.get("function") : null;
        String name = firstOf(text(fn, "name"), text(c, "name"), text(c, "toolName"), text(c, "tool_name"));
        JsonNode args = fn != null ? first(fn, "arguments", "args", "parameters") : null;
        if (args == null) {
            args = first(c, "arguments", "args", "input", "parameters");
        }
        String id = firstOf(text(c, "id"), text(c, "call_id"), text(c, "toolCallId"), text(c, "tool_call_id"));
        return new ToolCall(id, name, args);
    }

    /** A Vercel AI SDK tool result: {@code output} is {@code {type: json|text|error-text|content, value}} (v5) or a raw result. */
    private static ToolResult vercelResult(JsonNode p) {
        JsonNode output = first(p, "output", "result");
        boolean error = p.path("isError").asBoolean(false);
        if (output != null && output.isObject() && output.has("type") && (output.has("value") || output.size() == 1)) {
            String kind = firstOf(text(output, "type"), "");
            error |= kind.startsWith("error");
            output = output.has("value") ? output.get("value") : TextNode.valueOf("");
        }
        return new ToolResult(firstOf(text(p, "toolCallId"), text(p, "id")), firstOf(text(p, "toolName"), text(p, "name")), output, error);
    }

    private static void mcpCall(JsonNode p, List<Part> out) {
        String server = text(p, "server_label");
        String name = (server == null ? "" : server + ".") + firstOf(text(p, "name"), "tool");
        out.add(new ToolCall(text(p, "id"), name, p.get("arguments")));
        JsonNode error = p.get("error");
        if (!ValueText.isBlank(p.get("output")) || !ValueText.isBlank(error)) {
            out.add(new ToolResult(text(p, "id"), name, ValueText.isBlank(error) ? p.get("output") : error, !ValueText.isBlank(error)));
        }
    }

    private static void codeInterpreter(JsonNode p, List<Part> out) {
        out.add(new Note("code interpreter:\n" + firstOf(text(p, "code"), "")));
        JsonNode outputs = p.get("outputs");
        if (outputs != null && outputs.isArray()) {
            for (JsonNode o : outputs) {
                if ("logs".equals(text(o, "type"))) {
                    out.add(new Note("code output:\n" + firstOf(text(o, "logs"), "")));
                } else if ("image".equals(text(o, "type"))) {
                    out.add(new Media(media("image", null, text(o, "url"), null)));
                } else {
                    out.add(new Value(o));
                }
            }
        }
    }

    // ---------------------------------------------------------------- reasoning and media

    private static void reasoning(JsonNode p, List<Part> out) {
        String t = firstOf(text(p, "text"), text(p, "reasoning"), text(p, "content"));
        if (t == null) {
            StringBuilder sb = new StringBuilder();
            for (String key : new String[]{"summary", "content"}) {
                JsonNode list = p.get(key);
                if (list != null && list.isArray()) {
                    for (JsonNode s : list) {
                        String piece = s.isTextual() ? s.textValue() : text(s, "text");
                        if (piece != null) {
                            sb.append(sb.length() > 0 ? "\n" : "").append(piece);
                        }
                    }
                }
            }
            t = sb.length() > 0 ? sb.toString() : null;
        }
        String hidden = firstOf(opaque("encrypted reasoning", p.get("encrypted_content")), opaque("signature", p.get("signature")));
        if (t != null || hidden != null) {
            out.add(new Reasoning(t, hidden));
        }
    }

    private static void add(List<Part> out, String text, String hidden) {
        if (text != null || hidden != null) {
            out.add(new Reasoning(text, hidden));
        }
    }

    /** {@code [name, 512 B]} for an opaque token such as a signature, or null when absent. */
    static String opaque(String name, JsonNode v) {
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            return null;
        }
        return "[" + name + ", " + Fmt.bytes(BinaryText.decodedSize(v.textValue().length())) + "]";
    }

    private static String redacted(JsonNode p) {
        String data = text(p, "data");
        return "[redacted thinking" + (data == null ? "" : ", " + Fmt.bytes(BinaryText.decodedSize(data.length()))) + "]";
    }

    /** Anthropic {@code source} blocks ({@code base64}, {@code url}, {@code file}, {@code text}) and Vercel image parts. */
    private static String source(String kind, JsonNode p) {
        String title = text(p, "title");
        JsonNode src = p.get("source");
        if (src != null && src.isObject()) {
            String type = firstOf(text(src, "type"), "");
            String mime = firstOf(text(src, "media_type"), text(src, "mediaType"));
            if (type.equals("text") && src.has("data")) {
                return media(kind, mime, null, title) + " " + ValueText.cut(firstOf(text(src, "data"), ""), 300);
            }
            return media(kind, mime, firstOf(text(src, "data"), text(src, "url"), text(src, "file_id")), title);
        }
        return media(kind, firstOf(text(p, "mimeType"), text(p, "mediaType"), text(p, "media_type")),
                firstOf(text(p, "image"), text(p, "data"), text(p, "url"), url(p.get("image_url"))), title);
    }

    /** OpenAI {@code file} / {@code input_file}, Vercel {@code file}, OTel {@code file} parts. */
    private static String file(JsonNode p) {
        JsonNode f = p.path("file").isObject() ? p.get("file") : p;
        String mime = firstOf(text(f, "mediaType"), text(f, "mimeType"), text(f, "mime_type"), text(f, "media_type"));
        String data = firstOf(text(f, "file_data"), text(f, "data"), text(f, "file"), text(f, "file_url"), text(f, "url"), text(f, "file_id"));
        return media("file", mime, data, firstOf(text(f, "filename"), text(f, "name")));
    }

    /**
     * A placeholder for media content: base64 becomes {@code [image/png base64, 48 KB]}, a URL or file id is shown as a
     * reference, {@code title} (a document's) goes in front.
     */
    static String media(String kind, String mime, String data, String title) {
        String body;
        if (data == null || data.isBlank()) {
            body = "[" + (mime != null ? mime : kind) + "]";
        } else if (BinaryText.dataUrl(data) != null) {
            body = BinaryText.dataUrl(data);
        } else if (BinaryText.isBase64Data(data)) {
            body = BinaryText.blob(mime, data, 0, data.length());
        } else {
            body = "[" + kind + (mime != null && !mime.equals(kind) ? " " + mime : "") + ": " + ValueText.cut(data.strip(), 200) + "]";
        }
        return title == null ? body : kind + " \"" + ValueText.cut(title, 200) + "\" " + body;
    }

    private static String url(JsonNode v) {
        if (v == null) {
            return null;
        }
        return v.isTextual() ? v.textValue() : text(v, "url");
    }

    // ---------------------------------------------------------------- small helpers

    /** The text of a block: {@code text} (or Assistants' {@code text.value}) or OTel's {@code content}. */
    private static String blockText(JsonNode p) {
        JsonNode t = p.get("text");
        if (t != null && t.isObject()) {
            t = t.get("value");
        }
        if (t != null && t.isTextual()) {
            return t.textValue();
        }
        JsonNode c = p.get("content");
        if (c != null && c.isTextual()) {
            return c.textValue();
        }
        // A client that sent the text as a list of strings, a number or a wrapped object still sent text: it is shown,
        // not dropped as "(no content)".
        String loose = looseText(t, 0);
        return loose != null ? loose : looseText(c, 0);
    }

    /** Characters gathered from a text sent in pieces; more would be cut from the middle when rendered anyway. */
    private static final int LOOSE_LIMIT = 4 * ValueText.TEXT_LIMIT;

    /**
     * The text a value holds when a string was expected: a list of strings joined by lines, a scalar as written, an
     * object's {@code text}, {@code value} or {@code content}; null when there is none.
     */
    static String looseText(JsonNode v, int depth) {
        if (v == null || v.isNull() || v.isMissingNode() || depth > MAX_DEPTH) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue().isBlank() ? null : v.textValue();
        }
        if (v.isValueNode()) {
            return v.asText();
        }
        if (v.isObject()) {
            return looseText(first(v, "text", "value", "content", "thinking"), depth + 1);
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode item : v) {
            String piece = looseText(item, depth + 1);
            if (piece != null) {
                sb.append(sb.length() > 0 ? "\n" : "").append(piece);
                if (sb.length() > LOOSE_LIMIT) {
                    sb.setLength(LOOSE_LIMIT);
                    sb.append(" … [more text cut]");
                    break;
                }
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** OpenInference wraps blocks in one-key objects: {@code {message_content: {...}}}, {@code {tool_call: {...}}}. */
    private static JsonNode unwrap(JsonNode o) {
        for (int i = 0; i < 3 && o.isObject() && o.size() == 1; i++) {
            String key = o.fieldNames().next();
            JsonNode inner = o.get(key);
            if (!inner.isObject() || !(key.equals("message_content") || key.equals("tool_call") || key.equals("message"))) {
                break;
            }
            o = inner;
        }
        return o;
    }

    private static String webSearch(JsonNode p) {
        JsonNode action = p.get("action");
        String q = text(action, "query");
        if (q == null) {
            q = list(action == null ? null : action.get("queries"));
        }
        if (q == null && action != null && text(action, "url") != null) {
            q = "open " + text(action, "url");
        }
        return q;
    }

    private static String list(JsonNode items) {
        if (items == null || !items.isArray() || items.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode i : items) {
            sb.append(sb.length() > 0 ? "; " : "").append(i.isTextual() ? i.textValue() : ValueText.oneLine(i, 100, 200));
        }
        return ValueText.cut(sb.toString(), 500);
    }

    private static String toolNames(JsonNode tools) {
        if (tools == null || !tools.isArray()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode t : tools) {
            String n = text(t, "name");
            if (n != null) {
                sb.append(sb.length() > 0 ? ", " : "").append(n);
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String suffix(String s) {
        return s == null ? "" : ": " + s;
    }

    @SafeVarargs
    private static <T> T firstOf(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
