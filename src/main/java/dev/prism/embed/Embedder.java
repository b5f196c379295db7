package dev.prism.embed;

import io.vertx.core.Future;

import java.util.List;

/** Turns texts into L2-normalised vectors, one per text, in order. Implementations never block the caller. */
public interface Embedder {

    /** The model name stored with every vector; vectors of different models are never compared. */
    String model();

    Future<List<float[]>> embed(List<String> texts);

    /** How many batches in flight keep this embedder busy without queueing for nothing. */
    int parallelism();

    Future<Void> close();
}
