package dev.prism.bus;

import java.util.List;

/**
 * Vectors of short texts (sentences) from the server's embedding model, for features that score text by meaning
 * (relevance) without loading a model of their own. Replies {@link Vectors}, one L2-normalised vector per text, in
 * order; fails with 503 {@code embed_busy} when too many sentences are already waiting (the caller falls back) and
 * with 503 {@code embed_loading} before the model is ready.
 */
public record SentenceVectors(List<String> texts) {

    /** {@code model} names the embedding model, so a caller can tell whether its weights were trained on it. */
    public record Vectors(String model, List<float[]> vectors) {
    }
}
