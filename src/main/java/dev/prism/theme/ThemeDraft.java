package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AnalysisTheme;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a client's JSON (create, replace or patch) into the fields of a theme, checking every field and reporting
 * every problem at once, each prefixed with the field it concerns. Pure.
 */
final class ThemeDraft {

    /** How a body applies: a new theme (or clone), the whole theme (PUT), or the fields present (PATCH). */
    enum Mode { CREATE, REPLACE, PATCH }

    static final Pattern THEME_ID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
    static final Set<String> FIELDS = Set.of("theme_id", "name", "description", "base_filters", "theme_filters", "sample_rate",
            "sample_seed", "prompt", "date_range", "clustering_config", "schedule", "enabled", "llm", "clone_from");
    /**
     * Fields a GET returns that no client sets: sent back in a PUT, PATCH, create or preview body (GET → edit → PUT),
     * they are ignored rather than refused.
     */
    static final Set<String> READ_ONLY = Set.of("built_in", "created_at", "updated_at", "prompt_version", "versions");
    /** The fields a PUT replaces: what it leaves out is reset to the default. */
    static final Set<String> EDITABLE = Set.of("name", "description", "base_filters", "theme_filters", "sample_rate",
            "sample_seed", "prompt", "date_range", "clustering_config", "schedule");
    /** Providers a theme may ask for; the server must have a key for it (see the README's configuration). */
    static final Set<String> PROVIDERS = Set.of("offline", "openai", "anthropic", "gemini");
    static final Set<String> SCHEDULES = Set.of("manual", "interval", "daily", "weekly");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The validated fields of a theme, before storage adds timestamps and the prompt version. */
    record Fields(String themeId, String name, String description, JsonNode baseFilters, JsonNode themeFilters,
                  double sampleRate, String sampleSeed, String prompt, JsonNode dateRange, JsonNode clusteringConfig,
                  JsonNode schedule, boolean enabled, JsonNode llm) {
    }

    /** Every reason a body cannot be used. */
    static final class InvalidTheme extends IllegalArgumentException {
        InvalidTheme(List<String> problems) {
            super(String.join("; ", problems));
        }
    }

    private ThemeDraft() {
    }

    /**
     * @param current the stored theme (for replace and patch, or the source of a clone), null for a plain create
     * @param themeId the id from the URL (replace, patch), null on create
     */
    static Fields apply(JsonNode body, AnalysisTheme current, Mode mode, String themeId) {
        List<String> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new InvalidTheme(List.of("body: expected a JSON object"));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (READ_ONLY.contains(f)) {
                continue;
            }
            if (!FIELDS.contains(f)) {
                problems.add(f + ": unknown field; known: " + String.join(", ", FIELDS.stream().sorted().toList()));
            } else if (f.equals("clone_from") && mode != Mode.CREATE) {
                problems.add("clone_from: only when creating a theme");
            }
        }
        boolean patch = mode == Mode.PATCH;
        // A clone starts from its source; a replace starts from defaults; a patch from the stored theme.
        AnalysisTheme base = mode == Mode.REPLACE ? null : current;

        String id = themeId;
        if (mode == Mode.CREATE) {
            id = text(body, "theme_id", problems);
            if (id == null) {
                String name = text(body, "name", new ArrayList<>());
                id = name == null ? null : slug(name);
            }
            if (id == null || !THEME_ID.matcher(id).matches()) {
                problems.add("theme_id: must match " + THEME_ID.pattern() + " (lower-case letters, digits, _ and -)");
            }
        } else if (body.hasNonNull("theme_id") && !body.get("theme_id").asText().equals(themeId)) {
            problems.add("theme_id: cannot be changed (URL says '" + themeId + "')");
        }

        String name = body.has("name") ? text(body, "name", problems) : base == null ? null : base.name();
        if (name == null || name.isBlank()) {
            problems.add("name: required");
        } else if (name.length() > 200) {
            problems.add("name: at most 200 characters");
        }
        String description = body.has("description") ? text(body, "description", problems)
                : base == null ? "" : base.description();

        JsonNode baseFilters = body.has("base_filters") ? body.get("base_filters") : base == null ? JSON.arrayNode() : base.baseFilters();
        JsonNode themeFilters = body.has("theme_filters") ? body.get("theme_filters") : base == null ? JSON.arrayNode() : base.themeFilters();
        problems.addAll(Filters.problems(baseFilters, "base_filters"));
        problems.addAll(Filters.problems(themeFilters, "theme_filters"));

        double sampleRate = base == null ? 1.0 : base.sampleRate();
        if (body.has("sample_rate")) {
            JsonNode r = body.get("sample_rate");
            if (!r.isNumber() || !(r.asDouble() >= 0 && r.asDouble() <= 1)) {
                problems.add("sample_rate: must be a number from 0 to 1, got " + r);
            } else {
                sampleRate = r.asDouble();
            }
        }
        String seed = body.has("sample_seed") ? seed(body.get("sample_seed"), problems)
                : base == null || mode == Mode.CREATE ? id : base.sampleSeed();

        String prompt = body.has("prompt") ? text(body, "prompt", problems) : base == null ? BuiltInThemes.CUSTOM_PROMPT : base.prompt();
        if (prompt != null) {
            PromptTemplate.problems(prompt).forEach(p -> problems.add("prompt: " + p));
        }

        JsonNode dateRange = body.has("date_range") ? body.get("date_range") : base == null ? defaultDateRange() : base.dateRange();
        if (!dateRange.isObject()) {
            problems.add("date_range: expected an object like {\"date_from\": \"-7d\", \"date_to\": null}");
        } else {
            for (String k : List.of("date_from", "date_to")) {
                JsonNode v = dateRange.get(k);
                if (v != null && !v.isNull() && !(v.isTextual() && DateRanges.valid(v.asText()))) {
                    problems.add("date_range." + k + ": expected an ISO-8601 instant or a relative time like -7d, -12h");
                }
            }
        }
        JsonNode clustering = body.has("clustering_config") ? body.get("clustering_config")
                : base == null ? defaultClustering() : base.clusteringConfig();
        if (!clustering.isObject()) {
            problems.add("clustering_config: expected an object");
        }
        JsonNode schedule = body.has("schedule") ? body.get("schedule") : base == null ? defaultSchedule() : base.schedule();
        scheduleProblems(schedule).forEach(problems::add);

        JsonNode llm = body.has("llm") ? (body.get("llm").isNull() ? JSON.objectNode() : body.get("llm"))
                : base == null ? JSON.objectNode() : base.llm();
        llmProblems(llm).forEach(problems::add);

        boolean enabled = base == null || base.enabled();
        if (body.has("enabled")) {
            if (!body.get("enabled").isBoolean()) {
                problems.add("enabled: expected true or false");
            } else {
                enabled = body.get("enabled").asBoolean();
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidTheme(problems);
        }
        return new Fields(id, name, description == null ? "" : description, baseFilters, themeFilters, sampleRate,
                seed == null ? id : seed, prompt, dateRange, clustering, schedule, enabled, llm);
    }

    /** True when a body's value for {@code field} is what the theme already holds (as GET returned it). */
    static boolean unchanged(AnalysisTheme t, String field, JsonNode v) {
        if (v == null) {
            return false;
        }
        return switch (field) {
            case "theme_id" -> v.isTextual() && v.asText().equals(t.themeId());
            case "name" -> v.isTextual() && v.asText().equals(t.name());
            case "description" -> v.isTextual() && v.asText().equals(t.description());
            case "prompt" -> v.isTextual() && v.asText().equals(t.prompt());
            case "sample_rate" -> v.isNumber() && v.asDouble() == t.sampleRate();
            case "sample_seed" -> {
                String seed = seed(v, new ArrayList<>());
                yield seed != null && seed.equals(t.sampleSeed());
            }
            // JSON objects compare by content, whatever the order of their keys
            case "base_filters" -> v.equals(t.baseFilters());
            case "theme_filters" -> v.equals(t.themeFilters());
            case "date_range" -> v.equals(t.dateRange());
            case "clustering_config" -> v.equals(t.clusteringConfig());
            case "schedule" -> v.equals(t.schedule());
            default -> false;
        };
    }

    /** A draft for preview: validated like a new theme, but name, id and prompt may be left out; "model" is allowed. */
    static Fields forPreview(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidTheme(List.of("body: expected a JSON object"));
        }
        ObjectNode draft = ((ObjectNode) body).deepCopy();
        draft.remove("model");
        if (!draft.hasNonNull("name")) {
            draft.put("name", "preview");
        }
        if (!draft.hasNonNull("theme_id")) {
            draft.put("theme_id", "preview");
        }
        return apply(draft, null, Mode.CREATE, null);
    }

    /**
     * A sampling seed as a string or a whole number (the design declares {@code sample_seed: int}); an integer and its
     * decimal string select the same traces, so a client may send either.
     */
    private static String seed(JsonNode v, List<String> problems) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0) {
            return v.decimalValue().toBigInteger().toString(); // 42.0 from a client that only has doubles
        }
        problems.add("sample_seed: expected a string or an integer");
        return null;
    }

    private static String text(JsonNode body, String field, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(field + ": expected a string");
            return null;
        }
        return v.asText();
    }

    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return s.length() > 64 ? s.substring(0, 64) : s;
    }

    static List<String> scheduleProblems(JsonNode schedule) {
        List<String> problems = new ArrayList<>();
        if (!schedule.isObject() || !schedule.path("type").isTextual() || !SCHEDULES.contains(schedule.get("type").asText())) {
            problems.add("schedule: expected {\"type\": \"manual\" | \"interval\" | \"daily\" | \"weekly\"}");
        } else if (schedule.get("type").asText().equals("interval")) {
            JsonNode m = schedule.get("minutes");
            if (m != null && !(m.canConvertToInt() && m.asInt() >= 1 && m.asInt() <= 10_080)) {
                problems.add("schedule.minutes: expected whole minutes from 1 to 10080");
            }
        }
        return problems;
    }

    static List<String> llmProblems(JsonNode llm) {
        List<String> problems = new ArrayList<>();
        if (!llm.isObject()) {
            problems.add("llm: expected {\"provider\": \"offline\" | \"openai\" | \"anthropic\" | \"gemini\", \"model\": \"...\"} or {}");
            return problems;
        }
        for (Iterator<String> it = llm.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            JsonNode v = llm.get(f);
            if (f.equals("provider")) {
                if (!v.isTextual() || !PROVIDERS.contains(v.asText())) {
                    problems.add("llm.provider: expected one of " + String.join(", ", PROVIDERS.stream().sorted().toList()));
                }
            } else if (f.equals("model")) {
                if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > 200) {
                    problems.add("llm.model: expected a model name");
                }
            } else if (f.equals("daily_budget_usd")) {
                if (!v.isNull() && !(v.isNumber() && v.asDouble() >= 0)) {
                    problems.add("llm.daily_budget_usd: expected a number of USD, 0 or more, or null for no budget of its own");
                }
            } else {
                problems.add("llm." + f + ": unknown field; known: daily_budget_usd, model, provider");
            }
        }
        return problems;
    }

    static ObjectNode defaultSchedule() {
        return JSON.objectNode().put("type", "interval").put("minutes", 10);
    }

    static ObjectNode defaultDateRange() {
        return JSON.objectNode().put("date_from", "-7d").putNull("date_to");
    }

    static ObjectNode defaultClustering() {
        return JSON.objectNode().put("method", "kmeans").put("min_cluster_size", 5).put("min_distinct_users", 2);
    }
}
