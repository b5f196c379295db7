package dev.prism.theme;

import java.util.List;
import java.util.Set;

/**
 * Which themes analyse a new version of a trace again. A late event reopens a completed trace as a new version; analysing
 * it again is paid for, so a theme does it only when the new events can change its answer. New generations, spans,
 * embeddings, errors or a new {@code $ai_trace} event can change any theme's answer. Events that only annotate the trace
 * (feedback, metrics, surveys) change only the answers of themes that read them: the built-in ux_issues, unhappy_users
 * and success_patterns, and every custom theme (its prompt may read anything). A theme that does not analyse the new
 * version keeps the summary it has, which goes on counting for the trace. Pure.
 */
public final class Reanalysis {

    /** Built-in themes whose prompts and filters read feedback and metrics. */
    public static final Set<String> FEEDBACK_THEMES = Set.of("ux_issues", "unhappy_users", "success_patterns");
    /** Events that only annotate a trace with what a user or an evaluator thought of it. */
    static final Set<String> ANNOTATIONS = Set.of("$ai_feedback", "$ai_metric");
    /** Survey answers sent as trace events ({@code $ai_survey_response} and the like) annotate the same way. */
    static final String SURVEY_PREFIX = "$ai_survey";

    /** What a completed version brings. */
    public enum Change {
        /** The trace's first version: every theme that selects it analyses it. */
        FIRST_VERSION,
        /** New content (or unknown: then the safe answer is to analyse again). */
        CONTENT,
        /** Only feedback, metrics or survey answers. */
        FEEDBACK_ONLY
    }

    private Reanalysis() {
    }

    /**
     * @param version       the completed version
     * @param versionEvents the distinct names of the events that arrived since the previous version completed; null
     *                      when unknown (a version completed before Prism recorded them)
     */
    public static Change change(int version, List<String> versionEvents) {
        if (version <= 1) {
            return Change.FIRST_VERSION;
        }
        // None recorded: an event that arrived while the previous version was completing; it may be anything.
        if (versionEvents == null || versionEvents.isEmpty()) {
            return Change.CONTENT;
        }
        for (String name : versionEvents) {
            if (!annotation(name)) {
                return Change.CONTENT;
            }
        }
        return Change.FEEDBACK_ONLY;
    }

    static boolean annotation(String eventName) {
        return eventName != null && (ANNOTATIONS.contains(eventName) || eventName.startsWith(SURVEY_PREFIX));
    }

    /** Whether the theme reads feedback: built-in feedback themes and every custom theme. */
    public static boolean readsFeedback(String themeId, boolean builtIn) {
        return !builtIn || FEEDBACK_THEMES.contains(themeId);
    }

    /**
     * Whether the theme analyses this version even though it analysed an earlier one. A theme that never analysed the
     * trace (it was disabled, created since, or did not select an earlier version) analyses it whatever the change.
     */
    public static boolean reanalyses(Change change, String themeId, boolean builtIn) {
        return change != Change.FEEDBACK_ONLY || readsFeedback(themeId, builtIn);
    }
}
