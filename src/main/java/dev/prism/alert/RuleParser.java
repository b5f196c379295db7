package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Reads an alert rule from the JSON a client sent and writes it back for the API, secrets left out. Every problem is
 * named by its field ({@code trigger.percent}, {@code destinations[1].url}), all at once. Pure.
 */
public final class RuleParser {

    static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    public static final int DEFAULT_COOLDOWN_SECONDS = 3600;
    public static final int MAX_DESTINATIONS = 10;
    /** Fields of a destination object that hold a secret (URLs with tokens in them, tokens, signing secrets). */
    private static final Pattern SECRET_FIELD = Pattern.compile("(?i).*(url|uri|token|secret|key|password|auth|credential|hmac|signature).*");
    public static final List<String> SEVERITIES = List.of("low", "medium", "high");

    /** The rule's problems, one sentence per field. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private RuleParser() {
    }

    /**
     * @param body                the client's JSON, already merged over the stored rule for a PATCH
     * @param destinationProblem  {@code (type, config)} → a problem with a destination object or null; null as the
     *                            answer for an unknown type is told apart by {@code knownTypes}
     */
    public static AlertRule parse(String projectId, String ruleId, JsonNode body, List<String> knownTypes,
                                  BiFunction<String, ObjectNode, String> destinationProblem, Instant createdAt, Instant now) throws Invalid {
        List<String> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new Invalid("Send a JSON object with name, theme_id, trigger and destinations");
        }
        String name = text(body, "name", problems, true);
        if (name != null && name.length() > 200) {
            problems.add("name: at most 200 characters");
        }
        String themeId = text(body, "theme_id", problems, true);
        AlertRule.Trigger trigger = trigger(body.get("trigger"), problems);
        AlertRule.Conditions conditions = conditions(body.get("conditions"), problems);
        if (trigger != null && AlertRule.SHARE_CHANGED.equals(trigger.type()) && !conditions.equals(AlertRule.Conditions.NONE)) {
            problems.add("conditions: share_changed watches the theme, not a cluster; leave conditions out");
        }
        List<ObjectNode> destinations = destinations(body.get("destinations"), knownTypes, destinationProblem, problems);
        int cooldown = DEFAULT_COOLDOWN_SECONDS;
        if (body.hasNonNull("cooldown_seconds")) {
            JsonNode c = body.get("cooldown_seconds");
            if (!c.canConvertToInt() || !c.isIntegralNumber() || c.asInt() < 0 || c.asInt() > 30 * 86_400) {
                problems.add("cooldown_seconds: an integer from 0 to 2592000 (30 days)");
            } else {
                cooldown = c.asInt();
            }
        }
        boolean enabled = true;
        if (body.hasNonNull("enabled")) {
            if (!body.get("enabled").isBoolean()) {
                problems.add("enabled: true or false");
            } else {
                enabled = body.get("enabled").asBoolean();
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid(String.join("; ", problems));
        }
        return new AlertRule(projectId, ruleId, name, themeId, trigger, conditions, destinations, cooldown, enabled, createdAt, now);
    }

    private static AlertRule.Trigger trigger(JsonNode t, List<String> problems) {
        if (t == null || !t.isObject()) {
            problems.add("trigger: an object with a type, one of " + String.join(", ", AlertRule.TRIGGERS));
            return null;
        }
        String type = t.path("type").asText("");
        if (!AlertRule.TRIGGERS.contains(type)) {
            problems.add("trigger.type: one of " + String.join(", ", AlertRule.TRIGGERS) + (type.isEmpty() ? "" : ", got '" + type + "'"));
            return null;
        }
        Integer size = null;
        Double percent = null;
        String window = null;
        Integer minCount = null;
        Integer quietDays = null;
        Double points = null;
        switch (type) {
            case AlertRule.SIZE_REACHED -> size = integer(t, "size", 1, 10_000_000, true, problems);
            case AlertRule.GROWTH -> {
                percent = number(t, "percent", 1, 1_000_000, problems);
                window = window(t, problems);
                minCount = integer(t, "min_count", 1, 10_000_000, false, problems);
                minCount = minCount == null ? 10 : minCount;
            }
            case AlertRule.REGRESSED -> {
                quietDays = integer(t, "quiet_days", 1, 11, false, problems);
                quietDays = quietDays == null ? 3 : quietDays;
            }
            case AlertRule.SHARE_CHANGED -> {
                points = number(t, "points", 0.1, 100, problems);
                window = window(t, problems);
                minCount = integer(t, "min_count", 1, 10_000_000, false, problems);
                minCount = minCount == null ? AlertEvaluator.DEFAULT_SHARE_MIN_COUNT : minCount;
            }
            default -> {
            }
        }
        return new AlertRule.Trigger(type, size, percent, window, minCount, quietDays, points);
    }

    private static String window(JsonNode t, List<String> problems) {
        String w = t.path("window").asText("day");
        if (!w.equals("day") && !w.equals("week")) {
            problems.add("trigger.window: day or week, got '" + w + "'");
            return null;
        }
        return w;
    }

    private static Integer integer(JsonNode t, String field, int min, int max, boolean required, List<String> problems) {
        JsonNode v = t.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add("trigger." + field + ": required, an integer from " + min + " to " + max);
            }
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            problems.add("trigger." + field + ": an integer from " + min + " to " + max);
            return null;
        }
        return v.asInt();
    }

    private static Double number(JsonNode t, String field, double min, double max, List<String> problems) {
        JsonNode v = t.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            problems.add("trigger." + field + ": required, a number from " + trim(min) + " to " + trim(max));
            return null;
        }
        return v.asDouble();
    }

    private static AlertRule.Conditions conditions(JsonNode c, List<String> problems) {
        if (c == null || c.isNull()) {
            return AlertRule.Conditions.NONE;
        }
        if (!c.isObject()) {
            problems.add("conditions: an object with title_contains, min_severity and/or min_distinct_users");
            return AlertRule.Conditions.NONE;
        }
        String title = null;
        if (c.hasNonNull("title_contains")) {
            if (!c.get("title_contains").isTextual() || c.get("title_contains").asText().isBlank() || c.get("title_contains").asText().length() > 200) {
                problems.add("conditions.title_contains: a non-empty text of at most 200 characters");
            } else {
                title = c.get("title_contains").asText();
            }
        }
        String severity = null;
        if (c.hasNonNull("min_severity")) {
            String s = c.get("min_severity").asText("").toLowerCase(Locale.ROOT);
            if (!SEVERITIES.contains(s)) {
                problems.add("conditions.min_severity: one of " + String.join(", ", SEVERITIES));
            } else {
                severity = s;
            }
        }
        Integer users = null;
        if (c.hasNonNull("min_distinct_users")) {
            JsonNode u = c.get("min_distinct_users");
            if (!u.isIntegralNumber() || !u.canConvertToInt() || u.asInt() < 1) {
                problems.add("conditions.min_distinct_users: an integer of at least 1");
            } else {
                users = u.asInt();
            }
        }
        Iterator<String> names = c.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!List.of("title_contains", "min_severity", "min_distinct_users").contains(n)) {
                problems.add("conditions." + n + ": unknown condition (title_contains, min_severity, min_distinct_users)");
            }
        }
        return new AlertRule.Conditions(title, severity, users);
    }

    private static List<ObjectNode> destinations(JsonNode d, List<String> knownTypes, BiFunction<String, ObjectNode, String> problem,
                                                 List<String> problems) {
        if (d == null || !d.isArray() || d.isEmpty()) {
            problems.add("destinations: an array of at least one object with a type (" + known(knownTypes) + ")");
            return List.of();
        }
        if (d.size() > MAX_DESTINATIONS) {
            problems.add("destinations: at most " + MAX_DESTINATIONS);
            return List.of();
        }
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            JsonNode one = d.get(i);
            String at = "destinations[" + i + "]";
            if (!one.isObject()) {
                problems.add(at + ": an object with a type");
                continue;
            }
            String type = one.path("type").asText("");
            if (!knownTypes.contains(type)) {
                problems.add(at + ".type: one of " + known(knownTypes) + (type.isEmpty() ? "" : ", got '" + type + "'"));
                continue;
            }
            String p = problem.apply(type, (ObjectNode) one);
            if (p != null) {
                problems.add(at + ": " + p);
                continue;
            }
            out.add(((ObjectNode) one).deepCopy());
        }
        return out;
    }

    private static String known(List<String> types) {
        return types.isEmpty() ? "none configured on this server" : String.join(", ", types);
    }

    private static String text(JsonNode body, String field, List<String> problems, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) {
                problems.add(field + ": required");
            }
            return null;
        }
        if (!v.isTextual()) {
            problems.add(field + ": a text");
            return null;
        }
        return v.asText().trim();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** The rule as stored, secrets included: what a PATCH merges over and the table keeps. */
    public static ObjectNode stored(AlertRule r) {
        ObjectNode out = MAPPER.createObjectNode().put("name", r.name()).put("theme_id", r.themeId());
        out.set("trigger", trigger(r.trigger()));
        out.set("conditions", conditions(r.conditions()));
        ArrayNode d = out.putArray("destinations");
        r.destinations().forEach(x -> d.add(x.deepCopy()));
        out.put("cooldown_seconds", r.cooldownSeconds()).put("enabled", r.enabled());
        return out;
    }

    public static ObjectNode trigger(AlertRule.Trigger t) {
        ObjectNode out = MAPPER.createObjectNode().put("type", t.type());
        if (t.size() != null) {
            out.put("size", t.size());
        }
        if (t.percent() != null) {
            out.put("percent", t.percent());
        }
        if (t.window() != null) {
            out.put("window", t.window());
        }
        if (t.minCount() != null) {
            out.put("min_count", t.minCount());
        }
        if (t.quietDays() != null) {
            out.put("quiet_days", t.quietDays());
        }
        if (t.points() != null) {
            out.put("points", t.points());
        }
        return out;
    }

    public static AlertRule.Trigger trigger(JsonNode t) {
        return new AlertRule.Trigger(t.path("type").asText(), t.hasNonNull("size") ? t.get("size").asInt() : null,
                t.hasNonNull("percent") ? t.get("percent").asDouble() : null, t.hasNonNull("window") ? t.get("window").asText() : null,
                t.hasNonNull("min_count") ? t.get("min_count").asInt() : null, t.hasNonNull("quiet_days") ? t.get("quiet_days").asInt() : null,
                t.hasNonNull("points") ? t.get("points").asDouble() : null);
    }

    public static ObjectNode conditions(AlertRule.Conditions c) {
        ObjectNode out = MAPPER.createObjectNode();
        if (c.titleContains() != null) {
            out.put("title_contains", c.titleContains());
        }
        if (c.minSeverity() != null) {
            out.put("min_severity", c.minSeverity());
        }
        if (c.minDistinctUsers() != null) {
            out.put("min_distinct_users", c.minDistinctUsers());
        }
        return out;
    }

    public static AlertRule.Conditions conditions(JsonNode c) {
        if (c == null || !c.isObject()) {
            return AlertRule.Conditions.NONE;
        }
        return new AlertRule.Conditions(c.hasNonNull("title_contains") ? c.get("title_contains").asText() : null,
                c.hasNonNull("min_severity") ? c.get("min_severity").asText() : null,
                c.hasNonNull("min_distinct_users") ? c.get("min_distinct_users").asInt() : null);
    }

    /**
     * What the API shows of a destination: its type and non-secret fields; a secret field only as {@code <field>_set},
     * and a URL also by its host ({@code url_host}) so one can tell two destinations apart without seeing the token.
     */
    public static ObjectNode publicView(ObjectNode destination) {
        ObjectNode out = MAPPER.createObjectNode().put("type", destination.path("type").asText());
        Iterator<Map.Entry<String, JsonNode>> fields = destination.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode value = f.getValue();
            if (name.equals("type")) {
                continue;
            }
            boolean urlValue = value.isTextual() && value.asText().matches("(?i)^[a-z][a-z0-9+.-]*://.*");
            if (SECRET_FIELD.matcher(name).matches() || urlValue) {
                out.put(name + "_set", !value.isNull() && !value.asText("").isEmpty());
                if (urlValue) {
                    out.put(name + "_host", host(value.asText()));
                }
            } else if (value.isValueNode() || (value.isArray() && allValues(value))) {
                out.set(name, value.deepCopy());
            }
        }
        return out;
    }

    private static boolean allValues(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isValueNode() || (v.isTextual() && v.asText().contains("://"))) {
                return false;
            }
        }
        return true;
    }

    private static String host(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "?" : host;
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }
}
