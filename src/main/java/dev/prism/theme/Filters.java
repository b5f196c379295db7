package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A theme's filter JSON: a list of PostHog property filters (all must hold), or a group
 * {@code {"type": "OR" | "AND", "values": [list or group, ...]}} so that one pre-filter can accept a trace for any
 * of several reasons. Pure.
 */
final class Filters {

    private Filters() {
    }

    /** Every problem in the JSON, each prefixed with its path (e.g. {@code theme_filters.values[1][0].operator}). */
    static List<String> problems(JsonNode json, String path) {
        List<String> problems = new ArrayList<>();
        collect(json, path, problems);
        return problems;
    }

    private static void collect(JsonNode json, String path, List<String> problems) {
        if (json == null || json.isNull()) {
            return;
        }
        if (json.isArray()) {
            for (int i = 0; i < json.size(); i++) {
                JsonNode f = json.get(i);
                if (f.isArray() || (f.isObject() && f.has("values"))) {
                    collect(f, path + "[" + i + "]", problems);
                } else {
                    leafProblems(f, path + "[" + i + "]", problems);
                }
            }
            return;
        }
        if (json.isObject() && json.has("values")) {
            String type = json.path("type").asText("AND");
            if (!type.equals("AND") && !type.equals("OR")) {
                problems.add(path + ".type: expected AND or OR");
            }
            if (!json.get("values").isArray()) {
                problems.add(path + ".values: expected an array");
                return;
            }
            collect(json.get("values"), path + ".values", problems);
            return;
        }
        problems.add(path + ": expected a list of filters or {\"type\": \"OR\", \"values\": [...]}");
    }

    private static void leafProblems(JsonNode f, String path, List<String> problems) {
        if (!f.isObject()) {
            problems.add(path + ": expected a filter object {\"key\", \"operator\", \"value\", \"type\"}");
            return;
        }
        if (!f.path("key").isTextual() || f.get("key").asText().isBlank()) {
            problems.add(path + ".key: required");
        }
    }
}
