package dev.prism.theme;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One filter in PostHog's property-filter shape: {@code {"key": "$ai_model", "value": "gpt-4o", "operator": "exact",
 * "type": "event"}}. Kept exactly as written (operator and type as strings, value as JSON) so that a stored theme
 * round-trips unchanged; {@link FilterValidation} says what is wrong with it, {@link TraceFilter} and
 * {@link FilterSql} apply it.
 *
 * <ul>
 *   <li>{@code type} {@code event} (the default): an event property; the key {@code event} means the event's name
 *       ({@code $ai_generation}, …). {@code trace}: a trace-level key such as {@code trace.latency}. Left out, it is
 *       {@code trace} for the trace-level keys and {@code event} otherwise.</li>
 *   <li>{@code operator} left out means {@code exact}, as in PostHog.</li>
 *   <li>{@code value} a string, number or boolean; for exact and is_not also a list (any of / none of); ignored by
 *       is_set and is_not_set.</li>
 * </ul>
 * Other fields PostHog sends (label, group_type_index, …) are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PropertyFilter(String key, JsonNode value, String operator, String type) {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    public static PropertyFilter event(String key, String operator, Object value) {
        return new PropertyFilter(key, MAPPER.valueToTree(value), operator, "event");
    }

    public static PropertyFilter trace(String key, String operator, Object value) {
        return new PropertyFilter(key, MAPPER.valueToTree(value), operator, "trace");
    }

    /**
     * The filters of a JSON array (null or JSON null is the empty list). Only the shape is checked here: each element
     * must be an object with a string key, operator and type when present; {@link FilterValidation} checks the rest.
     *
     * @throws InvalidFilterException naming {@code path[i].field} for every element that is not a filter object
     */
    public static List<PropertyFilter> listFrom(JsonNode json, String path) {
        List<PropertyFilter> filters = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (json == null || json.isNull() || json.isMissingNode()) {
            return filters;
        }
        if (!json.isArray()) {
            throw new InvalidFilterException(List.of(path + ": expected a list of filters"));
        }
        for (int i = 0; i < json.size(); i++) {
            PropertyFilter f = from(json.get(i), path + "[" + i + "]", problems);
            if (f != null) {
                filters.add(f);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidFilterException(problems);
        }
        return filters;
    }

    /** One element of a filter list, or null after adding its shape problems. */
    static PropertyFilter from(JsonNode f, String at, List<String> problems) {
        if (f == null || !f.isObject()) {
            problems.add(at + ": expected a filter object {\"key\", \"value\", \"operator\", \"type\"}");
            return null;
        }
        int before = problems.size();
        String key = textField(f, "key", at, problems);
        String operator = textField(f, "operator", at, problems);
        String type = textField(f, "type", at, problems);
        return problems.size() == before ? new PropertyFilter(key, f.get("value"), operator, type) : null;
    }

    private static String textField(JsonNode f, String field, String at, List<String> problems) {
        JsonNode v = f.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(at + "." + field + ": expected a string, got " + v);
            return null;
        }
        return v.textValue();
    }

    /** The filter as JSON, leaving out absent fields. */
    public ObjectNode toJson() {
        return MAPPER.valueToTree(this);
    }

    public static JsonNode toJson(List<PropertyFilter> filters) {
        var array = JsonNodeFactory.instance.arrayNode();
        filters.forEach(f -> array.add(f.toJson()));
        return array;
    }
}
