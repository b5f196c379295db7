package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Requests to the theme feature, one address per verb ({@code prism.theme.list}, {@code .get}, {@code .create},
 * {@code .replace}, {@code .patch}, {@code .delete}, {@code .base-filters}, {@code .set-base-filters},
 * {@code .properties}, {@code .preview}, {@code .select}, {@code .render-prompt}; see {@link Addresses}). {@code R} is
 * the reply. Failures carry {@link FailureCode#INVALID_THEME} / {@link FailureCode#INVALID_FILTERS} /
 * {@link FailureCode#INVALID_DATE_RANGE} (400, every problem named), {@link FailureCode#BUILT_IN_THEME} (403, built-in
 * themes are read-only), {@link FailureCode#THEME_NOT_FOUND} (404) and {@link FailureCode#THEME_EXISTS} (409).
 *
 * @param <R> the reply's type
 */
public sealed interface ThemeCommand<R> extends Request<R> {

    String projectId();

    /** Replies {@link Themes}. */
    record List(String projectId) implements ThemeCommand<Themes> {
    }

    /** Replies the theme. */
    record Get(String projectId, String themeId) implements ThemeCommand<AnalysisTheme> {
    }

    /** POST: a new theme, or a clone when the body names {@code clone_from}. Replies the new theme. */
    record Create(String projectId, JsonNode body) implements ThemeCommand<AnalysisTheme> {
    }

    /** PUT: the body is the whole theme. Replies the theme as stored. */
    record Replace(String projectId, String themeId, JsonNode body) implements ThemeCommand<AnalysisTheme> {
    }

    /** PATCH: fields present replace the stored ones. Replies the theme as stored. */
    record Patch(String projectId, String themeId, JsonNode body) implements ThemeCommand<AnalysisTheme> {
    }

    /** Replies the deleted theme. */
    record Delete(String projectId, String themeId) implements ThemeCommand<AnalysisTheme> {
    }

    /** The project-wide base filters every theme of the project applies. Replies {@link BaseFilters}. */
    record ReadBaseFilters(String projectId) implements ThemeCommand<BaseFilters> {
    }

    /** Replaces the project's base filters ({@code filters} a JSON null clears them). Replies {@link BaseFilters}. */
    record SetBaseFilters(String projectId, JsonNode filters) implements ThemeCommand<BaseFilters> {
    }

    record BaseFilters(JsonNode filters) {
    }

    /** A theme's current prompt rendered for one trace; replies {@link RenderedPrompt}. */
    record RenderPrompt(String projectId, String themeId, String traceId, String traceName, String traceText)
            implements ThemeCommand<RenderedPrompt> {
    }

    /** {@code provider} and {@code model}: the theme's own choice, or null. */
    record RenderedPrompt(String themeId, String name, String description, String prompt, int promptVersion, String provider, String model) {
    }

    /** What a draft theme would select and cost over its date range; replies {@link Preview}. */
    record PreviewDraft(String projectId, JsonNode body) implements ThemeCommand<Preview> {
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
    record SelectForRun(String projectId, String themeId, String dateFrom, String dateTo, int limit) implements ThemeCommand<Selection> {
    }

    record Selection(String themeId, int promptVersion, java.time.Instant from, java.time.Instant to, long tracesInRange,
                     long matched, java.util.List<RunTasks.TraceRef> sampled) {
    }

    /** Property names seen in the project's recent events that start with {@code prefix}; replies {@link Properties}. */
    record SuggestProperties(String projectId, String prefix) implements ThemeCommand<Properties> {
    }

    record Properties(java.util.List<String> names) {
    }

    /** Reply to {@link List}: built-in themes first, then custom ones by creation time. */
    record Themes(java.util.List<AnalysisTheme> themes) {
    }

    /**
     * Published on {@value Addresses#THEME_CHANGED} once a project's themes or base filters changed on this instance:
     * dispatch reads the project's plan again for the next trace instead of waiting for its cache to expire.
     */
    record Changed(String projectId) {
    }
}
