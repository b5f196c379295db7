package dev.prism.embed;

import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSearch;
import dev.prism.bus.Failure;
import dev.prism.bus.Verbs;
import dev.prism.common.Hashing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Semantic search: the summaries nearest in meaning to a text, in one theme or across the project's themes, from the
 * in-memory indexes {@link EmbedWriterVerticle} fills ({@link SharedEmbeddings}). The query is embedded with the
 * summaries' model (from the shared cache when the same text was embedded before).
 *
 * <p>Consumes {@value Addresses#EMBED_SEARCH}. Deployed after the writer: it refuses to start before the model is
 * loaded and the indexes reloaded. Routes on its event loop; the exhaustive scan of the indexes runs on a worker thread.
 */
public final class EmbedSearchVerticle extends VerticleBase {

    private final SharedEmbeddings shared;

    public EmbedSearchVerticle(SharedEmbeddings shared) {
        this.shared = shared;
    }

    @Override
    public Future<?> start() {
        if (!shared.isReady()) {
            return Future.failedFuture(new IllegalStateException("the embedding model is not loaded: deploy EmbedWriterVerticle first"));
        }
        return new Verbs(vertx).on(Addresses.EMBED_SEARCH, this::search).ready();
    }

    private Future<EmbedSearch.Hits> search(EmbedSearch q) {
        if (q.query() == null || q.query().isBlank()) {
            return Future.failedFuture(new Failure(400, "invalid_query", "q must not be blank").exception());
        }
        if (q.k() < 1 || q.k() > 1_000) {
            return Future.failedFuture(new Failure(400, "invalid_limit", "k must be from 1 to 1000").exception());
        }
        Map<String, VectorIndex> themes = shared.themes(q.projectId());
        Map<String, VectorIndex> scope = q.themeId() == null ? themes
                : themes.containsKey(q.themeId()) ? Map.of(q.themeId(), themes.get(q.themeId())) : Map.of();
        Embedder embedder = shared.embedder();
        String model = embedder.model();
        if (scope.isEmpty()) {
            return Future.succeededFuture(new EmbedSearch.Hits(model, List.of()));
        }
        String text = q.query().strip();
        String hash = Hashing.sha256Hex(text);
        float[] cached = shared.cached(model, hash);
        Future<float[]> query = cached != null ? Future.succeededFuture(cached)
                : embedder.embed(List.of(text)).map(list -> {
                    shared.remember(model, hash, list.get(0));
                    return list.get(0);
                });
        return query.compose(vector -> vertx.executeBlocking(() -> {
            List<EmbedSearch.Hit> hits = new ArrayList<>();
            scope.forEach((theme, index) -> {
                if (index.dimensions() == vector.length) {
                    for (VectorIndex.Neighbour n : index.nearest(vector, q.k())) {
                        hits.add(new EmbedSearch.Hit(theme, n.traceId(), n.traceVersion(), n.score()));
                    }
                }
            });
            hits.sort(Comparator.comparingDouble(EmbedSearch.Hit::score).reversed());
            return new EmbedSearch.Hits(model, List.copyOf(hits.subList(0, Math.min(q.k(), hits.size()))));
        }, false));
    }
}
