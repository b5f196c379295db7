package dev.prism.bus;

import java.util.List;

/**
 * The {@code k} stored summaries nearest in meaning to {@code query}, by cosine similarity, in one theme or (themeId
 * null) in all the project's themes. Replies {@link Hits}; fails with 400 for a blank query or k outside 1–1000.
 */
public record EmbedSearch(String projectId, String themeId, String query, int k) implements Request<EmbedSearch.Hits> {

    /** Best first. {@code model} is the embedding model the query and the vectors share. */
    public record Hits(String model, List<Hit> hits) {
    }

    /** @param score cosine similarity, -1 to 1 */
    public record Hit(String themeId, String traceId, int traceVersion, double score) {
    }
}
