package dev.prism.bus;

import java.util.List;

/**
 * Vectors of short texts (sentences) from the server's embedding model, for features that score text by meaning
 * (relevance) without loading a model of their own. Replies {@link Vectors}, one L2-normalised vector per text, in
 * order; fails with 503 {@code embed_busy} when too many sentences are already waiting (the caller falls back) and
 * with 503 {@code embed_failed} when the model could not embed them.
 */
public record SentenceVectors(List<String> texts) implements Request<SentenceVectors.Vectors> {

    /**
     * {@code model} names the embedding model, so a caller can tell whether its weights were trained on it. The vectors
     * come from the embed feature's cache, so they are copied in (the cache's arrays never leave it) and out (a
     * caller writing into one changes nothing else).
     */
    public record Vectors(String model, List<float[]> vectors) {

        public Vectors {
            vectors = copy(vectors);
        }

        @Override
        public List<float[]> vectors() {
            return copy(vectors);
        }

        private static List<float[]> copy(List<float[]> vectors) {
            return vectors.stream().map(v -> v == null ? null : v.clone()).toList();
        }
    }
}
