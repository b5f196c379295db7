package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tools as a reader wants them: calls as {@code name(arg=value, …)}, available tools as signatures
 * {@code name(param, optional?)}. A long tool list keeps every name; descriptions shrink, then go.
 */
final class ToolRenderer {

    /** Up to this many tools are listed with their descriptions. */
    static final int DESCRIBED_TOOLS = 12;
    /** Up to this many tools get a line each; beyond, signatures are packed several to a line. */
    static final int LISTED_TOOLS = 40;
    private static final int DESCRIPTION_LIMIT = 120;
    private static final int SHORT_DESCRIPTION_LIMIT = 60;
    private static final int MAX_PARAMS = 12;
    private static final int CALL_LIMIT = 2000;
    private static final int PACKED_LINE = 150;

    /** Keys of built-in tool entries that carry no name (Gemini {@code {googleSearch: {}}}). */
    private static final Set<String> NOT_TOOLS = Set.of("type", "description", "strict", "cache_control");

    private ToolRenderer() {
    }

    /** One tool the model could call. */
    record Signature(String name, List<String> params, String description) {
        String text() {
            StringBuilder sb = new StringBuilder(name.length() + 32);
            sb.append(name).append('(');
            for (int i = 0; i < params.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(params.get(i));
            }
            return sb.append(')').toString();
        }
    }

    // ---------------------------------------------------------------- calls

    /** {@code name(arg=value, …)} with arguments decoded from a JSON string when needed, each value kept short. */
    static String call(String name, JsonNode arguments) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(name == null ? "(unnamed tool)" : name).append('(');
        JsonNode args = arguments;
        if (args != null && args.isTextual()) {
            JsonNode json = MessageParser.decoded(args); // arguments are usually a JSON string, sometimes encoded twice
            if (json != null && json.isContainerNode()) {
                args = json;
            } else if (args.textValue().isBlank()) {
                args = null;
            }
        }
        if (args != null && args.isObject()) {
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                sb.append(first ? "" : ", ").append(f.getKey()).append('=');
                ValueText.appendInline(sb, f.getKey(), f.getValue(), Integer.MAX_VALUE, 1, true, ValueText.ARG_LIMIT);
                first = false;
                if (sb.length() > CALL_LIMIT * 2) {
                    sb.append(", …");
                    break;
                }
            }
        } else if (args != null && !args.isNull() && !args.isMissingNode()) {
            ValueText.appendInline(sb, null, args, Integer.MAX_VALUE, 1, true, ValueText.ARG_LIMIT);
        }
        sb.append(')');
        return sb.length() > CALL_LIMIT ? ValueText.cut(sb.toString(), CALL_LIMIT) : sb.toString();
    }

    // ---------------------------------------------------------------- available tools

    /**
     * Writes the tools a generation offered. A list identical to one already shown in this trace is named, not
     * repeated: agents send the same tools with every call.
     */
    static void available(TextOut out, JsonNode tools, RenderContext ctx) {
        JsonNode decoded = tools;
        if (tools != null && tools.isTextual()) {
            decoded = MessageParser.decoded(tools);
            if (decoded == null || decoded.isTextual()) {
                String raw = tools.textValue();
                if (!raw.isBlank()) {
                    out.line("tools: (invalid JSON, shown raw) " + ValueText.unescape(ValueText.cut(raw, 300)).replace('\n', ' '));
                }
                return;
            }
        }
        List<Signature> sigs = signatures(decoded);
        if (sigs.isEmpty()) {
            return;
        }
        StringBuilder key = new StringBuilder();
        for (Signature s : sigs) {
            key.append(s.text()).append('\n').append(s.description() == null ? "" : s.description()).append('\n');
        }
        if (!ctx.shownTools.add(key.toString())) {
            out.line(sameAsAbove(sigs));
            return;
        }
        out.line("tools (" + sigs.size() + "):");
        String old = out.push("  ");
        if (sigs.size() > LISTED_TOOLS) {
            packed(out, sigs);
        } else {
            int limit = sigs.size() <= DESCRIBED_TOOLS ? DESCRIPTION_LIMIT : SHORT_DESCRIPTION_LIMIT;
            for (Signature s : sigs) {
                String d = s.description() == null ? "" : " - " + oneLineText(s.description(), limit);
                out.line("- " + s.text() + d);
            }
        }
        out.indent(old);
    }

    private static String sameAsAbove(List<Signature> sigs) {
        StringBuilder sb = new StringBuilder("tools: the same ").append(sigs.size()).append(sigs.size() == 1 ? " tool" : " tools")
                .append(" as above (");
        for (int i = 0; i < sigs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(sigs.get(i).name());
        }
        return sb.append(')').toString();
    }

    /** Many tools: signatures packed onto lines of about {@value #PACKED_LINE} characters; every name stays. */
    private static void packed(TextOut out, List<Signature> sigs) {
        StringBuilder line = new StringBuilder(PACKED_LINE + 40);
        for (Signature s : sigs) {
            String t = s.params().size() > 4 ? s.name() + "(" + String.join(", ", s.params().subList(0, 4)) + ", …)" : s.text();
            if (line.length() > 0 && line.length() + t.length() + 2 > PACKED_LINE) {
                out.line(line.append(','));
                line.setLength(0);
            }
            line.append(line.length() > 0 ? ", " : "").append(t);
        }
        if (line.length() > 0) {
            out.line(line);
        }
    }

    /** Signatures of every tool in the list, whatever the SDK's shape. */
    static List<Signature> signatures(JsonNode tools) {
        List<Signature> out = new ArrayList<>();
        if (tools == null) {
            return out;
        }
        if (tools.isArray()) {
            for (JsonNode t : tools) {
                collect(t, out, 0);
            }
        } else if (tools.isObject()) {
            JsonNode expanded = DottedKeys.expand(tools);
            if (isTool(expanded)) {
                collect(expanded, out, 0);
            } else {
                // a map of name -> definition
                for (Iterator<Map.Entry<String, JsonNode>> it = expanded.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    JsonNode def = f.getValue();
                    out.add(new Signature(f.getKey(), params(def), description(def)));
                }
            }
        }
        return out;
    }

    private static boolean isTool(JsonNode t) {
        return t.has("name") || t.path("function").isObject() || t.has("functionDeclarations") || t.has("function_declarations")
                || t.has("tool") || t.has("json_schema") || t.has("type") && t.size() <= 3;
    }

    private static void collect(JsonNode t, List<Signature> out, int depth) {
        if (t == null || depth > 4) {
            return;
        }
        if (t.isTextual()) {
            JsonNode json = ValueText.parseJson(t.textValue());
            if (json != null && json.isContainerNode()) {
                collect(json, out, depth + 1);
            } else if (!t.textValue().isBlank()) {
                out.add(new Signature(ValueText.cut(t.textValue(), 200), List.of(), null));
            }
            return;
        }
        if (t.isArray()) {
            for (JsonNode e : t) {
                collect(e, out, depth + 1);
            }
            return;
        }
        if (!t.isObject()) {
            return;
        }
        t = DottedKeys.expand(t);
        if (t.path("tool").isObject() && t.size() == 1) {
            collect(t.get("tool"), out, depth + 1); // OpenInference: {tool: {json_schema | name, description, parameters}}
            return;
        }
        if (t.has("json_schema") && !t.has("name")) {
            collect(t.get("json_schema"), out, depth + 1);
            return;
        }
        JsonNode declarations = t.has("functionDeclarations") ? t.get("functionDeclarations") : t.get("function_declarations");
        if (declarations != null && declarations.isArray()) {
            for (JsonNode d : declarations) {
                collect(d, out, depth + 1);
            }
            return;
        }
        JsonNode fn = t.path("function").isObject() ? t.get("function") : t;
        String name = MessageParser.text(fn, "name");
        if (name == null && t != fn) {
            name = MessageParser.text(t, "name");
        }
        if (name == null) {
            name = builtIn(t);
        }
        if (name == null) {
            return;
        }
        out.add(new Signature(ValueText.cut(name, 200), params(fn), description(fn)));
    }

    /** The name of a built-in tool: Responses {@code {type: web_search_preview}}, Gemini {@code {googleSearch: {}}}. */
    private static String builtIn(JsonNode t) {
        String type = MessageParser.text(t, "type");
        if (type != null && !type.equals("function")) {
            return type;
        }
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!NOT_TOOLS.contains(k)) {
                return k;
            }
        }
        return null;
    }

    /** Parameter names from a JSON schema under any of the SDKs' keys, optional ones marked with {@code ?}. */
    private static List<String> params(JsonNode fn) {
        if (fn == null || !fn.isObject()) {
            return List.of();
        }
        JsonNode schema = null;
        for (String k : new String[]{"parameters", "input_schema", "inputSchema", "parametersJsonSchema", "parameters_json_schema", "schema", "args_schema"}) {
            JsonNode s = fn.get(k);
            if (s != null && !s.isNull()) {
                schema = s;
                break;
            }
        }
        if (schema != null && schema.isTextual()) {
            schema = ValueText.parseJson(schema.textValue());
        }
        if (schema != null && schema.path("jsonSchema").isObject()) {
            schema = schema.get("jsonSchema"); // Vercel AI SDK 4 wraps the schema
        }
        JsonNode props = schema == null ? null : schema.get("properties");
        if (props == null || !props.isObject()) {
            return List.of();
        }
        JsonNode required = schema.get("required");
        boolean marksRequired = required != null && required.isArray();
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
            String p = it.next();
            if (out.size() == MAX_PARAMS) {
                out.add("…" + (props.size() - MAX_PARAMS) + " more");
                break;
            }
            boolean optional = marksRequired && !contains(required, p);
            out.add(optional ? p + "?" : p);
        }
        return out;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (value.equals(v.asText())) {
                return true;
            }
        }
        return false;
    }

    private static String description(JsonNode fn) {
        String d = MessageParser.text(fn, "description");
        return d == null || d.isBlank() ? null : d;
    }

    /** The description's first line, cut at the end (a description's start says what the tool does). */
    private static String oneLineText(String s, int limit) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        if (nl >= 0) {
            t = t.substring(0, nl).strip() + " …";
        }
        if (t.length() <= limit) {
            return t;
        }
        int end = Character.isHighSurrogate(t.charAt(limit - 2)) ? limit - 2 : limit - 1;
        return t.substring(0, end).stripTrailing() + "…";
    }
}
