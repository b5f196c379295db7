package dev.prism.embed;

import dev.prism.common.VectorMath;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.ArrayList;
import java.util.List;

/**
 * The in-process model ({@link OnnxMiniLm}) on a pool of worker threads of its own, one per core by default: a batch is
 * split into one chunk per worker so all cores work on it, and no event loop or shared worker thread waits for ONNX.
 */
public final class LocalEmbedder implements Embedder {

    private final OnnxMiniLm model;
    private final WorkerExecutor workers;
    private final Vertx vertx;
    private final int workerCount;

    private LocalEmbedder(Vertx vertx, OnnxMiniLm model, WorkerExecutor workers, int workerCount) {
        this.vertx = vertx;
        this.model = model;
        this.workers = workers;
        this.workerCount = workerCount;
    }

    /** Loads the model on a worker thread (about a second). */
    public static Future<Embedder> create(Vertx vertx, int intraOpThreads, int workerCount) {
        int count = workerCount > 0 ? workerCount : Math.max(1, Runtime.getRuntime().availableProcessors());
        return vertx.<OnnxMiniLm>executeBlocking(() -> OnnxMiniLm.load(intraOpThreads), false)
                .map(model -> new LocalEmbedder(vertx, model, vertx.createSharedWorkerExecutor("prism-embed", count), count));
    }

    @Override
    public String model() {
        return OnnxMiniLm.MODEL;
    }

    @Override
    public int parallelism() {
        // One batch computing while the previous one is stored keeps the workers busy.
        return Math.max(2, workerCount);
    }

    @Override
    public Future<List<float[]>> embed(List<String> texts) {
        if (texts.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        int chunks = Math.min(workerCount, texts.size());
        int per = (texts.size() + chunks - 1) / chunks;
        List<Future<List<float[]>>> parts = new ArrayList<>(chunks);
        for (int from = 0; from < texts.size(); from += per) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + per));
            parts.add(workers.executeBlocking(() -> {
                List<float[]> vectors = model.embed(chunk);
                vectors.forEach(VectorMath::normalize);
                return vectors;
            }, false));
        }
        return Future.all(parts).map(all -> {
            List<float[]> out = new ArrayList<>(texts.size());
            for (Future<List<float[]>> part : parts) {
                out.addAll(part.result());
            }
            return out;
        });
    }

    @Override
    public Future<Void> close() {
        // The model's close waits for a run still under way, so it is not done on an event loop.
        return workers.close().eventually(() -> vertx.executeBlocking(() -> {
            model.close();
            return null;
        }, false)).mapEmpty();
    }
}
