package dev.prism.bus;

import java.time.Instant;

/**
 * A relevant summary's vector, stored in the theme's namespace ({@code llm_traces_summary_{themeId}}). The vector is
 * L2-normalised and shared by reference: read it, never write into it.
 */
public record EmbeddingCreated(String projectId, String themeId, String traceId, int traceVersion, int promptVersion,
                               float[] vector, String model, Instant createdAt) {

    public String namespace() {
        return namespace(themeId);
    }

    public static String namespace(String themeId) {
        return "llm_traces_summary_" + themeId;
    }
}
