package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request to the theme feature. Replies: {@link Themes} for {@code List}, {@link AnalysisTheme} for {@code Get},
 * {@code Write} and {@code Delete} (the deleted theme). Failures carry 400 (invalid, with every problem named),
 * 403 (built-in themes are read-only), 404 and 409 (duplicate id).
 */
public sealed interface ThemeCommand {

    String projectId();

    record List(String projectId) implements ThemeCommand {
    }

    record Get(String projectId, String themeId) implements ThemeCommand {
    }

    /**
     * @param themeId null when creating
     * @param body    the JSON the client sent
     */
    record Write(String projectId, String themeId, Mode mode, JsonNode body) implements ThemeCommand {
    }

    record Delete(String projectId, String themeId) implements ThemeCommand {
    }

    /**
     * The project-wide base filters every theme of the project applies; {@code filters} null reads them, else replaces
     * them. Replies {@link BaseFilters}.
     */
    record ProjectFilters(String projectId, JsonNode filters) implements ThemeCommand {
    }

    record BaseFilters(JsonNode filters) {
    }

    /** A theme's current prompt rendered for one trace; replies {@link RenderedPrompt}. */
    record RenderPrompt(String projectId, String themeId, String traceId, String traceName, String traceText) implements ThemeCommand {
    }

    /** {@code provider} and {@code model}: the theme's own choice, or null. */
    record RenderedPrompt(String themeId, String name, String description, String prompt, int promptVersion, String provider, String model) {
    }

    /** What a draft theme would select and cost over its date range; replies {@link Preview}. */
    record PreviewDraft(String projectId, JsonNode body) implements ThemeCommand {
    }

    /**
     * @param savingsShare share of the naive cost (every trace in range through the theme) that filters and sampling save
     */
    record Preview(java.time.Instant dateFrom, java.time.Instant dateTo, long tracesInRange, long matchingBaseFilters,
                   long matchingThemeFilters, long sampled, long estimatedLlmCalls, long estimatedInputTokens,
                   long estimatedOutputTokens, double estimatedCostUsd, String model, long naiveLlmCalls, long naiveInputTokens,
                   long naiveOutputTokens, double naiveCostUsd, double savingsShare, long elapsedMillis) {
    }

    /**
     * The traces a run of the theme analyses: completed traces in the window passing the project's, the theme's base
     * and theme filters, sampled in, most recent first; replies {@link Selection}.
     *
     * @param dateFrom ISO-8601 or relative ({@code -7d}); null for the theme's date range
     * @param dateTo   ISO-8601 or relative; null for now
     * @param limit    at most this many traces, 0 for all
     */
    record SelectForRun(String projectId, String themeId, String dateFrom, String dateTo, int limit) implements ThemeCommand {
    }

    record Selection(String themeId, int promptVersion, java.time.Instant from, java.time.Instant to, long tracesInRange,
                     long matched, java.util.List<RunTasks.TraceRef> sampled) {
    }

    /** Property names seen in the project's recent events that start with {@code prefix}; replies {@link Properties}. */
    record SuggestProperties(String projectId, String prefix) implements ThemeCommand {
    }

    record Properties(java.util.List<String> names) {
    }

    enum Mode { CREATE, REPLACE, PATCH }

    /** Reply to {@link List}: built-in themes first, then custom ones by creation time. */
    record Themes(java.util.List<AnalysisTheme> themes) {
    }
}
