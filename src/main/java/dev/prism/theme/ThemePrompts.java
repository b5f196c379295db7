package dev.prism.theme;

import dev.prism.bus.AnalysisTheme;

import java.util.HashMap;
import java.util.Map;

/** What a theme sends a model for one trace: its prompt with the trace filled in, and its own provider and model. Pure. */
final class ThemePrompts {

    private ThemePrompts() {
    }

    /** The theme's own provider or model ({@code field}), or null when the project's applies. */
    static String llmChoice(AnalysisTheme theme, String field) {
        return theme.llm() != null && theme.llm().hasNonNull(field) ? theme.llm().get(field).asText() : null;
    }

    /** The theme's prompt for one trace; the trace text is fenced as data by {@link PromptTemplate}. */
    static String render(AnalysisTheme theme, String traceId, String traceName, String text) {
        Map<String, String> values = new HashMap<>();
        values.put("trace_text", text);
        values.put("theme_name", theme.name());
        values.put("theme_description", theme.description());
        values.put("trace_id", traceId);
        values.put("trace_name", traceName == null ? "" : traceName);
        return PromptTemplate.parse(theme.prompt()).render(values);
    }
}
