package dev.prism.embed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.EmbeddingRemoved;
import dev.prism.bus.SummaryCreated;
import dev.prism.store.StoreErrors;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of summaries into stored, indexed and published vectors, and removes the vector of a trace whose later
 * version is not relevant. Vectors are stored idempotently (a replayed summary changes nothing), added to the theme's
 * index, then published on {@value Addresses#EMBEDDING_CREATED}; removals publish {@value Addresses#EMBEDDING_REMOVED}.
 * Used on {@link EmbedWriterVerticle}'s event loop only.
 */
final class VectorWriter {

    private static final Logger LOG = LoggerFactory.getLogger(VectorWriter.class);
    /** Marks a row whose write failed (null means the write changed nothing). */
    private static final Instant NOT_STORED = Instant.MIN;

    private final Vertx vertx;
    private final EmbeddingStore store;
    private final SharedEmbeddings shared;
    private final Timer embedTime;
    /**
     * project, theme, trace → the later version that counts for it without a vector (not relevant): a vector of an
     * earlier version still being embedded is removed as soon as it is stored. Entries age out: by then the batches
     * that were in flight have long finished.
     */
    private final Cache<String, Integer> superseded = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(java.time.Duration.ofMinutes(30)).build();

    VectorWriter(Vertx vertx, EmbeddingStore store, SharedEmbeddings shared, Timer embedTime) {
        this.vertx = vertx;
        this.store = store;
        this.shared = shared;
        this.embedTime = embedTime;
    }

    private static String traceKey(String projectId, String themeId, String traceId) {
        return projectId + '\n' + themeId + '\n' + traceId;
    }

    /**
     * Embeds what the cache lacks (each distinct text once), stores, indexes and publishes what was written.
     *
     * @return the texts whose rows could not be stored (the others of the batch were)
     */
    Future<List<PendingTexts.Item>> write(List<PendingTexts.Item> batch, Embedder embedder) {
        String model = embedder.model();
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        for (PendingTexts.Item item : batch) {
            float[] cached = shared.cached(model, item.hash());
            if (cached != null) {
                vectors.put(item.hash(), cached);
            } else {
                missing.putIfAbsent(item.hash(), item.text());
            }
        }
        long started = System.nanoTime();
        Future<Void> embedded = missing.isEmpty() ? Future.succeededFuture()
                : embedder.embed(new ArrayList<>(missing.values())).map(list -> {
                    embedTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    int i = 0;
                    for (String hash : missing.keySet()) {
                        float[] v = list.get(i++);
                        vectors.put(hash, v);
                        shared.remember(model, hash, v);
                    }
                    return null;
                });
        return embedded.compose(v -> {
            List<EmbeddingStore.Stored> rows = new ArrayList<>(batch.size());
            for (PendingTexts.Item item : batch) {
                SummaryCreated s = item.summary();
                rows.add(new EmbeddingStore.Stored(s.projectId(), s.themeId(), s.traceId(), s.traceVersion(), s.promptVersion(), model, item.hash(),
                        vectors.get(item.hash()), null));
            }
            return storeRows(rows).map(written -> {
                List<PendingTexts.Item> failed = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    Instant at = written.get(i);
                    if (at == NOT_STORED) {
                        failed.add(batch.get(i));
                        continue;
                    }
                    if (at == null) {
                        continue; // nothing changed: a replay, or an older prompt version arriving late
                    }
                    EmbeddingStore.Stored r = rows.get(i);
                    Integer counting = superseded.getIfPresent(traceKey(r.projectId(), r.themeId(), r.traceId()));
                    if (counting != null && r.traceVersion() < counting) {
                        // Superseded while it was being embedded: it never enters the index.
                        removeStored(r.projectId(), r.themeId(), r.traceId(), counting, false);
                        continue;
                    }
                    shared.index(r.projectId(), r.themeId(), r.traceId(), r.traceVersion(), r.textHash(), r.vector());
                    vertx.eventBus().publish(Addresses.EMBEDDING_CREATED, new EmbeddingCreated(r.projectId(), r.themeId(), r.traceId(),
                            r.traceVersion(), r.promptVersion(), r.vector(), model, at));
                }
                return failed;
            });
        });
    }

    /**
     * One round trip for the batch; if it fails (the batch runs as one statement pipeline, so one bad row, e.g. of a
     * project deleted meanwhile, fails them all), row by row so the others are still stored.
     */
    private Future<List<Instant>> storeRows(List<EmbeddingStore.Stored> rows) {
        return store.store(rows).recover(e -> {
            if (rows.size() == 1 || StoreErrors.unavailable(e)) { // with the store away, each row would fail alike
                return Future.failedFuture(e);
            }
            List<Future<List<Instant>>> each = rows.stream().map(r -> store.store(List.of(r)).otherwise(err -> {
                LOG.warn("Could not store the embedding of trace {} (theme {}); the sweep retries it: {}", r.traceId(), r.themeId(), err.toString());
                return Collections.singletonList(NOT_STORED);
            })).toList();
            return Future.all(each).map(all -> each.stream().map(f -> f.result().get(0)).toList());
        });
    }

    /**
     * A later version of the trace counts for the theme and has no vector: the earlier versions' vector leaves the index
     * and the table (a restart must not bring it back), and the clusters are told. A relevant later version needs none
     * of this: its vector replaces the earlier one in the index and in the clusters.
     */
    void supersede(SummaryCreated s) {
        superseded.asMap().merge(traceKey(s.projectId(), s.themeId(), s.traceId()), s.traceVersion(), Math::max);
        VectorIndex index = shared.index(s.projectId(), s.themeId());
        boolean removed = index != null && index.removeBefore(s.traceId(), s.traceVersion());
        removeStored(s.projectId(), s.themeId(), s.traceId(), s.traceVersion(), removed);
    }

    /** Deletes the trace's stored vectors before {@code version} and tells the clusters, when there was one. */
    private void removeStored(String projectId, String themeId, String traceId, int version, boolean removedFromIndex) {
        store.deleteBefore(projectId, themeId, traceId, version).onComplete(ar -> {
            if (ar.failed()) {
                // The index no longer has it; a restart would reload it until the trace's next version.
                LOG.warn("Could not delete the superseded vectors of trace {} (theme {}): {}", traceId, themeId, ar.cause().toString());
            }
            if (removedFromIndex || ar.succeeded() && ar.result() > 0) {
                vertx.eventBus().publish(Addresses.EMBEDDING_REMOVED, new EmbeddingRemoved(projectId, themeId, traceId, version));
            }
        });
    }
}
