package dev.prism.embed;

import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.Failure;
import dev.prism.bus.SentenceVectors;
import dev.prism.bus.Verbs;
import dev.prism.common.Hashing;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Vectors for other features: a theme's stored vectors for clustering, and vectors of sentences for the relevance
 * model, from the local model and the cache of {@link SharedEmbeddings}.
 *
 * <p>Consumes {@value Addresses#EMBED_SNAPSHOT} and {@value Addresses#EMBED_SENTENCES}. Deployed after
 * {@link EmbedWriterVerticle}: it refuses to start before the model is loaded. Event loop only: the model runs on its
 * own worker pool.
 */
public final class EmbedVectorsVerticle extends VerticleBase {

    /** Sentences computing for the relevance model at most; about a second of the local model's work on 2 cores. */
    static final int MAX_SENTENCES_IN_FLIGHT = 1_024;

    private final EmbeddingStore store;
    private final PrismConfig.Embed config;
    private final Metrics metrics;
    private final SharedEmbeddings shared;
    private Counter sentencesRefused;
    private int sentencesInFlight;
    /** The local model of its own, when the summaries' embedder is another provider; loaded on first use. */
    private Future<Embedder> localForSentences;

    public EmbedVectorsVerticle(Pool pool, PrismConfig.Embed config, Metrics metrics, SharedEmbeddings shared) {
        this.store = new EmbeddingStore(pool);
        this.config = config;
        this.metrics = metrics;
        this.shared = shared;
    }

    @Override
    public Future<?> start() {
        if (!shared.isReady()) {
            return Future.failedFuture(new IllegalStateException("the embedding model is not loaded: deploy EmbedWriterVerticle first"));
        }
        sentencesRefused = Counter.builder("prism.embed.sentences.refused").description("Sentence requests refused because too many were computing")
                .register(metrics.registry());
        return new Verbs(vertx)
                .on(Addresses.EMBED_SNAPSHOT, this::snapshot)
                .on(Addresses.EMBED_SENTENCES, this::sentences)
                .ready();
    }

    /**
     * A theme's vectors for a re-clustering, read from the table rather than this instance's index: instances sharing
     * the database each index only what they embedded since they started, and a run must see the whole theme.
     */
    private Future<EmbedSnapshot.Vectors> snapshot(EmbedSnapshot q) {
        String model = shared.embedder().model();
        return store.theme(q.projectId(), q.themeId(), model).map(rows -> {
            List<EmbedSnapshot.Item> items = rows.stream().map(r -> new EmbedSnapshot.Item(r.traceId(), r.traceVersion(), r.vector())).toList();
            return new EmbedSnapshot.Vectors(q.projectId(), q.themeId(), model, items.isEmpty() ? 0 : items.get(0).vector().length, items);
        });
    }

    /**
     * Vectors of sentences for the relevance model: from the cache, the rest in one call to the embedder (its own worker
     * pool). Bounded: beyond {@value #MAX_SENTENCES_IN_FLIGHT} sentences computing, a request fails at once with 503 and
     * its caller falls back, so scoring never queues unbounded work in front of the summaries' embeddings.
     */
    private Future<SentenceVectors.Vectors> sentences(SentenceVectors q) {
        return sentenceEmbedder().recover(e -> Future.failedFuture(failed(e))).compose(model -> vectorsOf(q.texts(), model));
    }

    private static Throwable failed(Throwable e) {
        return new Failure(503, "embed_failed", String.valueOf(e.getMessage())).exception();
    }

    /**
     * The local model for sentences: the summaries' embedder when it is the local one, else a local model of its own,
     * loaded on first use. The relevance model's weights were trained on the local model's vectors; another provider's
     * vectors would not fit them, and per-sentence calls to a paid API would cost more than the calls they save.
     */
    private Future<Embedder> sentenceEmbedder() {
        Embedder summaries = shared.embedder();
        if (summaries.model().equals(OnnxMiniLm.MODEL)) {
            return Future.succeededFuture(summaries);
        }
        if (localForSentences == null) {
            localForSentences = LocalEmbedder.create(vertx, config.intraOpThreads(), config.workers());
        }
        return localForSentences;
    }

    private Future<SentenceVectors.Vectors> vectorsOf(List<String> texts, Embedder sentenceModel) {
        String model = sentenceModel.model();
        List<float[]> out = new ArrayList<>(Collections.nCopies(texts.size(), null));
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            float[] cached = shared.cached(model, Hashing.sha256Hex(texts.get(i)));
            if (cached != null) {
                out.set(i, cached);
            } else if (!missing.contains(texts.get(i))) {
                missing.add(texts.get(i));
            }
        }
        if (missing.isEmpty()) {
            return Future.succeededFuture(new SentenceVectors.Vectors(model, out));
        }
        if (sentencesInFlight + missing.size() > MAX_SENTENCES_IN_FLIGHT) {
            sentencesRefused.increment();
            return Future.failedFuture(new Failure(503, "embed_busy", sentencesInFlight + " sentences are being embedded already").exception());
        }
        sentencesInFlight += missing.size();
        return sentenceModel.embed(missing)
                .onComplete(ar -> sentencesInFlight -= missing.size())
                .recover(e -> Future.failedFuture(failed(e)))
                .map(vectors -> {
                    Map<String, float[]> byText = new HashMap<>();
                    for (int i = 0; i < missing.size(); i++) {
                        byText.put(missing.get(i), vectors.get(i));
                        shared.remember(model, Hashing.sha256Hex(missing.get(i)), vectors.get(i));
                    }
                    for (int i = 0; i < texts.size(); i++) {
                        if (out.get(i) == null) {
                            out.set(i, byText.get(texts.get(i)));
                        }
                    }
                    return new SentenceVectors.Vectors(model, out);
                });
    }

    /** Closes the local model it loaded for sentences, if it did. */
    @Override
    public Future<?> stop() {
        return localForSentences == null ? Future.succeededFuture()
                : localForSentences.otherwiseEmpty().compose(l -> l == null ? Future.succeededFuture() : l.close());
    }
}
