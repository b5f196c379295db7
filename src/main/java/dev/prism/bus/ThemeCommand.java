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
