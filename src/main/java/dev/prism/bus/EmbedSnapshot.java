package dev.prism.bus;

import java.util.List;

/**
 * Every vector of a project's theme (the latest trace version of each trace), for clustering. Replies
 * {@link Vectors}; an unknown theme has none.
 */
public record EmbedSnapshot(String projectId, String themeId) implements Request<EmbedSnapshot.Vectors> {

    /**
     * The vectors are L2-normalised. They are handed over, not shared: each reply's arrays are decoded afresh from the
     * table and the embed feature keeps no reference to them (copying them again would only double a re-clustering's
     * memory).
     */
    public record Vectors(String projectId, String themeId, String model, int dimensions, List<Item> items) {
    }

    public record Item(String traceId, int traceVersion, float[] vector) {
    }
}
