package dev.prism.bus;

import java.util.List;

/**
 * Every vector of a project's theme (the latest trace version of each trace), for clustering. Replies
 * {@link Vectors}; an unknown theme has none.
 */
public record EmbedSnapshot(String projectId, String themeId) {

    /** The vectors are L2-normalised and shared by reference: read them, never write into them. */
    public record Vectors(String projectId, String themeId, String model, int dimensions, List<Item> items) {
    }

    public record Item(String traceId, int traceVersion, float[] vector) {
    }
}
