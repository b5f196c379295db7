package dev.prism.bus;

/**
 * A trace's vector left a theme's index: a later version of the trace was analysed and is not relevant (or has no
 * text), so the earlier versions' summaries no longer count and must leave the theme's clusters.
 *
 * @param supersededBy the version that counts now; every earlier version of the trace is gone
 */
public record EmbeddingRemoved(String projectId, String themeId, String traceId, int supersededBy) {
}
