package dev.prism.theme;

import java.util.LinkedHashMap;
import java.util.Map;

/** The built-in themes' prompts rendered for one trace, as theme dispatch renders them, for other packages' tests. */
public final class BuiltInPrompts {

    private BuiltInPrompts() {
    }

    /** Theme id to its rendered prompt, in the built-in order. */
    public static Map<String, String> rendered(String traceId, String traceText) {
        Map<String, String> out = new LinkedHashMap<>();
        for (BuiltInThemes.Definition d : BuiltInThemes.ALL) {
            out.put(d.themeId(), PromptTemplate.parse(d.prompt()).render(Map.of("trace_text", traceText, "theme_name", d.name(),
                    "theme_description", d.description(), "trace_id", traceId, "trace_name", "")));
        }
        return out;
    }

    /** The prompt a theme created without one gets. */
    public static String customDefault() {
        return BuiltInThemes.CUSTOM_PROMPT;
    }
}
