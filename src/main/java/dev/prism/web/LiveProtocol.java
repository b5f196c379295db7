package dev.prism.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The WebSocket API's messages (contract v1, documented in the README): the requests a client sends, the replies and
 * updates the server sends, and how anything published for clients becomes an update. Control messages have one-word
 * types ({@code subscribed}, {@code error}); updates have dotted types ({@code summary.created}), so the two never mix.
 */
final class LiveProtocol {

    static final int MAX_THEMES_PER_REQUEST = 100;
    private static final int MAX_TOKEN_LENGTH = 1_024;
    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_DEPTH = 64;
    /** Theme ids as themes define them; anything else cannot match a theme, so it is refused rather than held. */
    private static final Pattern THEME_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    private static final Pattern UPDATE_TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private LiveProtocol() {
    }

    // ---- client → server

    /** A parsed client message; {@code id} is the client's correlation id, echoed in the reply (null when absent). */
    sealed interface Request permits Auth, Subscribe, Unsubscribe, Ping, Invalid {
        JsonNode id();
    }

    record Auth(JsonNode id, String token) implements Request {
        @Override
        public String toString() {
            return "Auth[<redacted>]";
        }
    }

    /** @param themes null: every theme of the project */
    record Subscribe(JsonNode id, String project, List<String> themes) implements Request {
    }

    /** @param themes null: the whole project */
    record Unsubscribe(JsonNode id, String project, List<String> themes) implements Request {
    }

    record Ping(JsonNode id) implements Request {
    }

    record Invalid(JsonNode id, String error, String detail) implements Request {
    }

    static Request parse(String text) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Invalid(null, "invalid_json", "The message is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            return new Invalid(null, "invalid_message", "Send a JSON object with a \"type\"");
        }
        JsonNode idNode = json.get("id");
        JsonNode id = idNode != null && (idNode.isNumber() || idNode.isTextual() && idNode.asText().length() <= MAX_ID_LENGTH) ? idNode : null;
        JsonNode type = json.get("type");
        if (type == null || !type.isTextual()) {
            return new Invalid(id, "invalid_message", "\"type\" must be a string: auth, subscribe, unsubscribe or ping");
        }
        return switch (type.asText()) {
            case "auth" -> {
                JsonNode token = json.get("token");
                yield token != null && token.isTextual() && !token.asText().isBlank() && token.asText().length() <= MAX_TOKEN_LENGTH
                        ? new Auth(id, token.asText().trim())
                        : new Invalid(id, "invalid_message", "\"token\" must be the API key, a non-empty string");
            }
            case "subscribe", "unsubscribe" -> scope(id, type.asText(), json);
            case "ping" -> new Ping(id);
            default -> new Invalid(id, "unknown_type", "Unknown type '" + abbreviate(type.asText())
                    + "'; expected auth, subscribe, unsubscribe or ping");
        };
    }

    private static Request scope(JsonNode id, String type, JsonNode json) {
        JsonNode project = json.get("project");
        if (project == null || !project.isTextual() || !PROJECT_ID.matcher(project.asText()).matches()) {
            return new Invalid(id, "invalid_message", "\"project\" must be a project id such as \"default\"");
        }
        JsonNode themes = json.get("themes");
        List<String> names = null;
        if (themes != null && !themes.isNull()) {
            if (!themes.isArray() || themes.isEmpty() || themes.size() > MAX_THEMES_PER_REQUEST) {
                return new Invalid(id, "invalid_message", "\"themes\" must be a list of 1 to " + MAX_THEMES_PER_REQUEST
                        + " theme ids, or absent for every theme");
            }
            names = new ArrayList<>();
            for (JsonNode t : themes) {
                if (!t.isTextual() || !THEME_ID.matcher(t.asText()).matches()) {
                    return new Invalid(id, "invalid_message", "\"themes\": '" + abbreviate(t.asText()) + "' is not a theme id");
                }
                names.add(t.asText());
            }
            names = List.copyOf(names);
        }
        return type.equals("subscribe") ? new Subscribe(id, project.asText(), names) : new Unsubscribe(id, project.asText(), names);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    // ---- server → client: control messages

    static String authenticated(JsonNode id) {
        return write(withId(NODES.objectNode().put("type", "authenticated"), id));
    }

    /** {@code subscribed} or {@code unsubscribed}, with what the client now receives of the project. */
    static String subscription(String type, Subscriptions.View view, JsonNode id) {
        ObjectNode out = NODES.objectNode().put("type", type).put("project", view.project());
        if (view.allThemes()) {
            out.putNull("themes");
            if (!view.except().isEmpty()) {
                ArrayNode except = out.putArray("except");
                view.except().forEach(except::add);
            }
        } else {
            ArrayNode themes = out.putArray("themes");
            view.themes().forEach(themes::add);
        }
        return write(withId(out, id));
    }

    static String error(String error, String detail, JsonNode id) {
        return write(withId(NODES.objectNode().put("type", "error").put("error", error).put("detail", detail), id));
    }

    static String pong(JsonNode id) {
        return write(withId(NODES.objectNode().put("type", "pong"), id));
    }

    static String dropped(long count) {
        return write(NODES.objectNode().put("type", "dropped").put("count", count));
    }

    private static ObjectNode withId(ObjectNode out, JsonNode id) {
        if (id != null) {
            out.set("id", id);
        }
        return out;
    }

    // ---- server → client: updates

    /**
     * One update for every client subscribed to its project and theme, rendered once for all of them and only if one
     * wants it.
     */
    static final class Update {
        final String type;
        final String project;
        final String theme;
        /** Null: not coalescable. Scoped by type, project and theme so equal ids of different things never collide. */
        final String coalesceKey;
        /** What the update is the latest state of, as its publisher gave it (null: every update counts). */
        final String key;
        final JsonNode data;
        private String text;

        private Update(String type, String project, String theme, String key, JsonNode data) {
            this.type = type;
            this.project = project;
            this.theme = theme;
            this.key = key;
            this.coalesceKey = key == null ? null : type + '\n' + project + '\n' + theme + '\n' + key;
            this.data = data == null ? NODES.nullNode() : data;
        }

        String text() {
            if (text == null) {
                ObjectNode out = NODES.objectNode().put("type", type).put("project", project).put("theme", theme);
                out.set("data", data);
                text = write(out);
            }
            return text;
        }
    }

    /** @return null when the update cannot be routed: no project, or a type that is not a dotted name */
    static Update update(String type, String project, String theme, String key, JsonNode data) {
        if (type == null || !UPDATE_TYPE.matcher(type).matches() || project == null || project.isEmpty()) {
            return null;
        }
        return new Update(type, project, theme, key, data);
    }

    /**
     * An update from a JSON object published by a feature: routed by its {@code project_id} (or {@code project},
     * {@code projectId}) and {@code theme_id} (or {@code theme}, {@code themeId}), coalesced by its {@code key} or else by
     * the first of {@code keyFields} present; the whole object is the data.
     */
    static Update route(String type, JsonNode data, String... keyFields) {
        if (data == null || !data.isObject()) {
            return null;
        }
        String key = text(data, "key");
        for (int i = 0; key == null && i < keyFields.length; i++) {
            key = text(data, keyFields[i]);
        }
        return update(type, text(data, "project_id", "project", "projectId"), text(data, "theme_id", "theme", "themeId"), key, data);
    }

    private static String text(JsonNode json, String... fields) {
        for (String f : fields) {
            JsonNode v = json.get(f);
            if (v != null && v.isValueNode() && !v.isNull()) {
                return v.asText();
            }
        }
        return null;
    }

    /**
     * Any message body as JSON: records become objects with snake_case names (recursively), times ISO-8601 strings,
     * collections arrays. Lets features publish their own records for clients without a converter here.
     */
    static JsonNode toJson(Object value) {
        return toJson(value, 0);
    }

    private static JsonNode toJson(Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
        }
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof JsonNode node) {
            return node;
        }
        if (v instanceof CharSequence || v instanceof Character || v instanceof Enum<?> || v instanceof TemporalAccessor
                || v instanceof java.time.Duration || v instanceof java.util.UUID) {
            return NODES.textNode(v.toString());
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return NODES.numberNode(((Number) v).intValue());
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (v instanceof BigInteger i) {
            return NODES.numberNode(i);
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? NODES.numberNode(d) : NODES.nullNode();
        }
        if (v instanceof Optional<?> o) {
            return toJson(o.orElse(null), depth + 1);
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode out = NODES.objectNode();
            map.forEach((k, x) -> out.set(String.valueOf(k), toJson(x, depth + 1)));
            return out;
        }
        if (v instanceof Iterable<?> items) {
            ArrayNode out = NODES.arrayNode();
            items.forEach(x -> out.add(toJson(x, depth + 1)));
            return out;
        }
        if (v.getClass().isArray()) {
            ArrayNode out = NODES.arrayNode();
            for (int i = 0, n = Array.getLength(v); i < n; i++) {
                out.add(toJson(Array.get(v, i), depth + 1));
            }
            return out;
        }
        if (v instanceof Record) {
            ObjectNode out = NODES.objectNode();
            for (RecordComponent c : v.getClass().getRecordComponents()) {
                out.set(snakeCase(c.getName()), toJson(component(v, c), depth + 1));
            }
            return out;
        }
        return NODES.textNode(v.toString());
    }

    private static Object component(Object record, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            if (!accessor.canAccess(record)) {
                accessor.setAccessible(true); // records nested in other features' classes need not be public
            }
            return accessor.invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + record.getClass().getSimpleName() + "." + c.getName(), e);
        }
    }

    /** {@code projectId} → {@code project_id}, {@code costUSD} → {@code cost_usd}: the API's field style. */
    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                char prev = i > 0 ? name.charAt(i - 1) : 'A';
                if (Character.isLowerCase(prev) || Character.isDigit(prev)) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String write(JsonNode node) {
        return Json.write(node);
    }
}
