package dev.prism.embed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.prism.config.PrismConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the embed verticles share in memory, created once per server and handed to each of them: the embedding model,
 * its cache of vectors by text, and every theme's {@link VectorIndex}.
 *
 * <p>Shared rather than loaded per verticle or asked for over the bus: the local model is ONNX weights plus a worker
 * pool of one thread per core, so a second copy would double its memory and make two pools compete for the same cores,
 * and a model behind the bus would add a hop to every search and copy every vector across it. The index that searches
 * read is the one the writer fills, so it is shared in any case. All of it is safe across event loops: the cache and
 * the index map are concurrent, a {@link VectorIndex} takes one writer and concurrent readers, and an {@link Embedder}
 * never blocks its caller and completes on the caller's context.
 *
 * <p>One owner: {@link EmbedWriterVerticle} loads the model and reloads the indexes at start ({@link #ready(Embedder)}),
 * and closes both at stop, after its last batch. It is deployed before {@link EmbedSearchVerticle} and
 * {@link EmbedVectorsVerticle} (which refuse to start before the model is ready) and undeployed after them.
 */
public final class SharedEmbeddings {

    private final Cache<String, float[]> cache;
    private final VectorMemory memory;
    /** project → theme → index; written on the writer's event loop, read by searches on workers. */
    private final Map<String, Map<String, VectorIndex>> indexes = new ConcurrentHashMap<>();
    private volatile Embedder embedder;

    public SharedEmbeddings(PrismConfig.Embed config) {
        // Weighed by bytes: a 3,072-dimension vector costs eight times a 384-dimension one.
        this.cache = Caffeine.newBuilder().maximumWeight(config.cacheBytes())
                .weigher((String key, float[] v) -> 64 + 2 * key.length() + 4 * v.length).build();
        this.memory = new VectorMemory(config.vectorHeapBytes(), null);
    }

    /** The model is loaded and the indexes reloaded: searches may be answered. */
    void ready(Embedder loaded) {
        this.embedder = loaded;
    }

    boolean isReady() {
        return embedder != null;
    }

    /** The summaries' model, once {@link #isReady()}. */
    Embedder embedder() {
        Embedder e = embedder;
        if (e == null) {
            throw new IllegalStateException("the embedding model is not loaded: deploy EmbedWriterVerticle first");
        }
        return e;
    }

    /** A vector of {@code model} for the text whose SHA-256 is {@code hash}; null when not cached. */
    float[] cached(String model, String hash) {
        return cache.getIfPresent(model + ":" + hash);
    }

    void remember(String model, String hash, float[] vector) {
        cache.put(model + ":" + hash, vector);
    }

    void index(String projectId, String themeId, String traceId, int traceVersion, String textHash, float[] vector) {
        indexes.computeIfAbsent(projectId, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(themeId, t -> new VectorIndex(vector.length, memory))
                .add(traceId, traceVersion, textHash, vector);
    }

    /** The theme's index; null when it has no vector on this instance. */
    VectorIndex index(String projectId, String themeId) {
        Map<String, VectorIndex> themes = indexes.get(projectId);
        return themes == null ? null : themes.get(themeId);
    }

    /** The project's indexes by theme, as they are now. */
    Map<String, VectorIndex> themes(String projectId) {
        return Map.copyOf(indexes.getOrDefault(projectId, Map.of()));
    }

    /** Releases the indexes' memory-mapped pages. */
    void close() {
        memory.close();
    }
}
