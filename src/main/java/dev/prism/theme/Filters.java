package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;

import java.util.ArrayList;
import java.util.List;

/**
 * A theme's filter JSON: a list of PostHog property filters (all must hold), or a group
 * {@code {"type": "OR" | "AND", "values": [list or group, ...]}} so that one pre-filter can accept a trace for any
 * of several reasons. Groups sit on top of {@link TraceFilter} and {@link FilterSql}, which handle plain lists, so
 * both paths still agree. Pure.
 */
sealed interface Filters {

    /** Every filter of the list must hold. */
    record All(List<PropertyFilter> filters) implements Filters {
    }

    /** @param any true: one member must hold (OR); false: every member (AND) */
    record Group(boolean any, List<Filters> members) implements Filters {
    }

    Filters NONE = new All(List.of());

    /** @throws InvalidFilterException listing every problem with its path */
    static Filters parse(JsonNode json, String path) {
        List<String> problems = problems(json, path);
        if (!problems.isEmpty()) {
            throw new InvalidFilterException(problems);
        }
        return build(json, path);
    }

    /** Every problem in the JSON, each prefixed with its path (e.g. {@code theme_filters.values[1][0].operator}). */
    static List<String> problems(JsonNode json, String path) {
        List<String> problems = new ArrayList<>();
        if (json == null || json.isNull() || json.isMissingNode()) {
            return problems;
        }
        if (json.isArray()) {
            problems.addAll(FilterValidation.problems(json, path));
        } else if (json.isObject() && json.has("values")) {
            String type = json.path("type").asText("AND");
            if (!type.equals("AND") && !type.equals("OR")) {
                problems.add(path + ".type: expected AND or OR");
            }
            JsonNode values = json.get("values");
            if (!values.isArray()) {
                problems.add(path + ".values: expected an array");
            } else {
                for (int i = 0; i < values.size(); i++) {
                    problems.addAll(problems(values.get(i), path + ".values[" + i + "]"));
                }
            }
        } else {
            problems.add(path + ": expected a list of filters or {\"type\": \"OR\", \"values\": [...]}");
        }
        return problems;
    }

    private static Filters build(JsonNode json, String path) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return NONE;
        }
        if (json.isArray()) {
            return new All(PropertyFilter.listFrom(json, path));
        }
        List<Filters> members = new ArrayList<>();
        JsonNode values = json.get("values");
        for (int i = 0; i < values.size(); i++) {
            members.add(build(values.get(i), path + ".values[" + i + "]"));
        }
        return new Group("OR".equals(json.path("type").asText("AND")), members);
    }

    /** In-memory evaluation on a completed trace (every relevance score read as 1). */
    default boolean matches(AssembledTrace trace) {
        return matches(trace, java.util.Map.of());
    }

    /** In-memory evaluation on a completed trace version with its relevance scores by theme. */
    default boolean matches(AssembledTrace trace, java.util.Map<String, Double> relevance) {
        if (this instanceof All all) {
            return TraceFilter.matches(trace, relevance, all.filters());
        }
        Group g = (Group) this;
        return g.any() ? g.members().stream().anyMatch(m -> m.matches(trace, relevance))
                : g.members().stream().allMatch(m -> m.matches(trace, relevance));
    }

    /** The same condition as SQL over {@code traces t}, parameters numbered from {@code firstParam}. */
    default FilterSql.Compiled compile(int firstParam) {
        if (this instanceof All all) {
            return FilterSql.compile(all.filters(), firstParam);
        }
        Group g = (Group) this;
        if (g.members().isEmpty()) {
            return new FilterSql.Compiled(g.any() ? "FALSE" : "TRUE", List.of());
        }
        StringBuilder sql = new StringBuilder("(");
        List<Object> params = new ArrayList<>();
        for (Filters m : g.members()) {
            FilterSql.Compiled c = m.compile(firstParam + params.size());
            sql.append(params.isEmpty() && sql.length() == 1 ? "" : g.any() ? " OR " : " AND ").append('(').append(c.sql()).append(')');
            params.addAll(c.params());
        }
        return new FilterSql.Compiled(sql.append(')').toString(), params);
    }
}
