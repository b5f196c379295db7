package dev.prism.bus;

import java.time.Instant;

/**
 * A relevant summary's vector, stored in the theme's namespace ({@code llm_traces_summary_{themeId}}). The vector is
 * L2-normalised. It is published to consumers on other event loops while the embed feature keeps the same values in
 * its cache and index, so it is copied in and out: no one can write into another's array.
 */
public record EmbeddingCreated(String projectId, String themeId, String traceId, int traceVersion, int promptVersion,
                               float[] vector, String model, Instant createdAt) {

    public EmbeddingCreated {
        vector = vector.clone();
    }

    @Override
    public float[] vector() {
        return vector.clone();
    }

    public String namespace() {
        return namespace(themeId);
    }

    public static String namespace(String themeId) {
        return "llm_traces_summary_" + themeId;
    }
}
