package dev.prism.bus;

import java.util.List;

/**
 * How relevant one trace version is to some themes, by the offline relevance model: built-in user-language themes by
 * their trained heads, custom themes zero-shot from their own text. Replies {@link Verdicts}, one per theme asked for
 * that the model can judge (other built-in themes are left out); fails with 503 when the embedding model is busy or
 * not the one the model was trained on.
 */
public record RelevanceQuery(String projectId, String traceId, int version, AssembledTrace trace, String text, List<ThemeText> themes) {

    /** A theme as the model reads it; {@code prompt} may be null. */
    public record ThemeText(String themeId, String name, String description, String prompt, boolean builtIn) {
    }

    public record Verdicts(List<Verdict> verdicts) {
    }

    /**
     * @param score     the model's probability (built-in themes) or best similarity (custom themes), 0 to 1
     * @param relevant  the decision at the offline analyzer's threshold
     * @param evidence  the user's sentence that carries the theme best (untrusted trace content)
     * @param label     for UX friction, the kind of friction in plain words (relevance.Friction); otherwise null
     */
    public record Verdict(String themeId, double score, boolean relevant, String evidence, String label) {
    }
}
