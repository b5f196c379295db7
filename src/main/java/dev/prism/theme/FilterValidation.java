package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything wrong with a list of filters, each problem prefixed with the field it concerns, e.g.
 * {@code theme_filters[2].value: regex: lookahead is not supported (SQL and in-memory matching must agree)}.
 * Pure; the same checks guard {@link TraceFilter} and {@link FilterSql}, which refuse invalid filters.
 */
public final class FilterValidation {

    private FilterValidation() {
    }

    /** @param path the field holding the list, e.g. {@code theme_filters} */
    public static List<String> problems(List<PropertyFilter> filters, String path) {
        List<String> problems = new ArrayList<>();
        if (filters == null) {
            return problems;
        }
        for (int i = 0; i < filters.size(); i++) {
            Criterion.parse(filters.get(i), path + "[" + i + "]", problems);
        }
        return problems;
    }

    /** The same for filter JSON as a client sent it (a list of filter objects; null is the empty list). */
    public static List<String> problems(JsonNode filters, String path) {
        List<String> problems = new ArrayList<>();
        if (filters == null || filters.isNull() || filters.isMissingNode()) {
            return problems;
        }
        if (!filters.isArray()) {
            problems.add(path + ": expected a list of filters");
            return problems;
        }
        for (int i = 0; i < filters.size(); i++) {
            String at = path + "[" + i + "]";
            PropertyFilter f = PropertyFilter.from(filters.get(i), at, problems);
            if (f != null) {
                Criterion.parse(f, at, problems);
            }
        }
        return problems;
    }

    /** @throws InvalidFilterException listing every problem */
    public static void requireValid(List<PropertyFilter> filters, String path) {
        List<String> problems = problems(filters, path);
        if (!problems.isEmpty()) {
            throw new InvalidFilterException(problems);
        }
    }
}
