package dev.prism.bus;

import java.util.List;

/**
 * Completed traces a theme selected (filters passed, sampled in), to be analysed with the theme's prompt. The text
 * and trace ride along so the streaming path needs no lookup; a task claimed later (after a restart) fetches them.
 */
public record AnalysisRequest(String projectId, String traceId, int traceVersion, AssembledTrace trace, String text,
                              List<ThemeSelection> themes) {

    /**
     * One theme that selected the trace, with the prompt version its result will record.
     *
     * @param prompt   the theme's prompt already rendered for this trace (its text fenced as data)
     * @param provider the theme's own provider, or null for the project's
     * @param model    the theme's own model, or null for the provider's configured one
     * @param keepEarlierSummary the version brought nothing this theme reads: analysed only if the theme has no
     *                           summary (or task) of an earlier version of the trace
     */
    public record ThemeSelection(String themeId, String name, String description, String prompt, int promptVersion, String provider,
                                 String model, boolean keepEarlierSummary) {

        public ThemeSelection(String themeId, String name, String description, String prompt, int promptVersion, String provider,
                              String model) {
            this(themeId, name, description, prompt, promptVersion, provider, model, false);
        }
    }
}
