package dev.prism.embed;

import dev.prism.config.PrismConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Turns texts into L2-normalised vectors, one per text, in order. Implementations never block the caller. */
public interface Embedder {

    /** The model name stored with every vector; vectors of different models are never compared. */
    String model();

    Future<List<float[]>> embed(List<String> texts);

    /** How many batches in flight keep this embedder busy without queueing for nothing. */
    int parallelism();

    Future<Void> close();

    /** The configured provider: the in-process model, or an OpenAI-compatible server. */
    static Future<Embedder> configured(Vertx vertx, PrismConfig.Embed config) {
        if ("openai".equals(config.provider())) {
            return Future.succeededFuture(new OpenAiEmbedder(vertx, config.baseUrl().orElse("https://api.openai.com/v1"), config.apiKey().orElse(null),
                    config.model().orElse("text-embedding-3-small"), config.batchSize(), config.timeoutSeconds() * 1000L, config.maxAttempts(), 500));
        }
        if (config.model().isPresent() && !config.model().get().equals(OnnxMiniLm.MODEL)) {
            LoggerFactory.getLogger(Embedder.class).warn("embed.model={} applies to the openai provider only; the local provider uses {}",
                    config.model().get(), OnnxMiniLm.MODEL);
        }
        return LocalEmbedder.create(vertx, config.intraOpThreads(), config.workers());
    }
}
