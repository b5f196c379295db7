package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Unflattens OpenInference-style attributes: {@code {"message.role": "user", "message.tool_calls": [{"tool_call.function.name":
 * …}]}} becomes {@code {"message": {"role": "user", "tool_calls": [{"tool_call": {"function": {"name": …}}}]}}}, and
 * objects keyed {@code 0, 1, 2…} become lists. The input is left untouched; a new tree is built only when a dotted key
 * of a known prefix is present.
 */
final class DottedKeys {

    private static final String[] PREFIXES = {"message.", "messages.", "message_content.", "tool_call.", "tool.", "llm.",
            "input_messages.", "output_messages.", "input.", "output.", "function."};
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 12;

    private DottedKeys() {
    }

    /** True when the object has a key worth unflattening. */
    static boolean applies(JsonNode n) {
        if (n == null || !n.isObject()) {
            return false;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (isDotted(k)) {
                return true;
            }
        }
        return false;
    }

    /** The unflattened form of {@code n}, or {@code n} itself when it has no dotted keys. */
    static JsonNode expand(JsonNode n) {
        return applies(n) ? expand(n, 0) : n;
    }

    private static JsonNode expand(JsonNode n, int depth) {
        if (depth > MAX_DEPTH || n == null) {
            return n;
        }
        if (n.isArray()) {
            ArrayNode out = NODES.arrayNode(n.size());
            n.forEach(item -> out.add(expand(item, depth + 1)));
            return out;
        }
        if (!n.isObject()) {
            return n;
        }
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode value = expand(f.getValue(), depth + 1);
            if (isDotted(f.getKey())) {
                put(out, f.getKey(), value);
            } else {
                out.set(f.getKey(), value); // an ordinary key such as "gpt-4.1" stays whole
            }
        }
        return listify(out, 0);
    }

    private static void put(ObjectNode target, String key, JsonNode value) {
        ObjectNode at = target;
        int start = 0;
        int dot;
        while ((dot = key.indexOf('.', start)) > start && dot < key.length() - 1) {
            String segment = key.substring(start, dot);
            JsonNode next = at.get(segment);
            if (next == null || !next.isObject()) {
                next = at.putObject(segment);
            }
            at = (ObjectNode) next;
            start = dot + 1;
        }
        at.set(key.substring(start), value);
    }

    /** Objects whose keys are all indexes become lists, in index order. */
    private static JsonNode listify(JsonNode n, int depth) {
        if (!n.isObject() || depth > MAX_DEPTH) {
            return n;
        }
        ObjectNode o = (ObjectNode) n;
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            f.setValue(listify(f.getValue(), depth + 1));
        }
        if (o.isEmpty()) {
            return o;
        }
        TreeMap<Integer, JsonNode> indexed = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            if (k.isEmpty() || k.length() > 6 || !k.chars().allMatch(Character::isDigit)) {
                return o;
            }
            indexed.put(Integer.parseInt(k), f.getValue());
        }
        ArrayNode list = NODES.arrayNode(indexed.size());
        indexed.values().forEach(list::add);
        return list;
    }

    private static boolean isDotted(String k) {
        return k.indexOf('.') > 0 && (hasKnownPrefix(k) || Character.isDigit(k.charAt(0)));
    }

    private static boolean hasKnownPrefix(String k) {
        for (String p : PREFIXES) {
            if (k.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
