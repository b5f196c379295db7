package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Available tools as signatures, {@code name(param, param?)}, whatever the provider's schema shape. Every tool name is
 * kept even in long lists: names say what the assistant could do; descriptions are left out.
 */
final class Tools {

    private Tools() {
    }

    static String signatures(JsonNode tools) {
        JsonNode list = tools.isTextual() ? JsonText.decode(tools.asText()) : tools;
        if (list == null) {
            return JsonText.cut(tools.asText(), 300); // broken JSON: show it raw and short
        }
        List<String> out = new ArrayList<>();
        collect(list, out);
        return out.isEmpty() ? JsonText.inline(list) : String.join(", ", out);
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node.isArray()) {
            node.forEach(t -> collect(t, out));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (node.has("functionDeclarations")) { // Gemini
            collect(node.get("functionDeclarations"), out);
            return;
        }
        if (node.has("tool.json_schema")) { // OpenInference
            JsonNode schema = JsonText.decode(node.get("tool.json_schema").asText());
            if (schema != null) {
                collect(schema, out);
            }
            return;
        }
        JsonNode fn = node.has("function") && node.get("function").isObject() ? node.get("function") : node;
        JsonNode name = fn.get("name");
        if (name == null || !name.isTextual()) {
            return;
        }
        JsonNode schema = Messages.first(fn, "parameters", "input_schema", "inputSchema", "parametersJsonSchema");
        out.add(name.asText() + "(" + params(schema) + ")");
    }

    private static String params(JsonNode schema) {
        if (schema == null) {
            return "";
        }
        if (schema.has("jsonSchema")) { // Vercel wraps the schema
            schema = schema.get("jsonSchema");
        }
        JsonNode props = schema.get("properties");
        if (props == null || !props.isObject()) {
            return "";
        }
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        StringBuilder sb = new StringBuilder();
        for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
            String p = it.next();
            sb.append(sb.length() == 0 ? "" : ", ").append(p).append(required.isEmpty() || required.contains(p) ? "" : "?");
        }
        return sb.toString();
    }
}
