package dev.prism.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.common.VectorMath;
import dev.prism.http.BaseUrl;
import dev.prism.http.HttpReplies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * OpenAI-compatible embeddings ({@code POST …/v1/embeddings} on OpenAI, Ollama, vLLM, LM Studio, LiteLLM, …): texts
 * go out in requests of at most {@code maxInputs}, one after the other; 429, 408, 5xx, timeouts and connection errors
 * are retried up to {@code maxAttempts} with jittered exponential backoff, or after the server's Retry-After when it
 * sends one. Each request has a hard deadline ({@link Future#timeout}: the web client's own timeout only measures
 * idleness). The key goes only into the Authorization header: error messages carry the server's words, never headers.
 */
public final class OpenAiEmbedder implements Embedder {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    static final long BACKOFF_CAP_MILLIS = 30_000;
    static final long RETRY_AFTER_CAP_MILLIS = 60_000;

    private final Vertx vertx;
    private final WebClient client;
    private final String path;
    private final String apiKey;
    private final String model;
    private final int maxInputs;
    private final long timeoutMillis;
    private final int maxAttempts;
    /** A Retry-After of an hour is not worth holding a batch in memory for: at most a minute. */
    private final dev.prism.common.Backoff retry;

    /** A request the server refused or that failed after every attempt. */
    public static final class EmbeddingException extends RuntimeException {
        private final int status;

        EmbeddingException(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }

        /** HTTP status of the last answer; 0 without one (timeout, connection). */
        public int status() {
            return status;
        }
    }

    /**
     * @param baseUrl       {@code https://api.openai.com/v1}, {@code http://localhost:11434} or {@code …/v1}: {@code /v1} is
     *                      added when the path does not end with it
     * @param backoffMillis first retry delay without Retry-After; doubles per attempt, jittered, capped at 30 s
     */
    public OpenAiEmbedder(Vertx vertx, String baseUrl, String apiKey, String model, int maxInputs, long timeoutMillis, int maxAttempts,
                          long backoffMillis) {
        BaseUrl base = BaseUrl.parse(baseUrl);
        this.vertx = vertx;
        // The client's default pool: a batch is one request, and the embedding stage sends a few at a time.
        this.client = base.client(vertx, new io.vertx.core.http.PoolOptions().getHttp1MaxSize());
        this.path = (base.path().endsWith("/v1") ? base.path() : base.path() + "/v1") + "/embeddings";
        this.apiKey = apiKey;
        this.model = model;
        this.maxInputs = maxInputs;
        this.timeoutMillis = timeoutMillis;
        this.maxAttempts = maxAttempts;
        this.retry = new dev.prism.common.Backoff(backoffMillis, Math.max(backoffMillis, BACKOFF_CAP_MILLIS), RETRY_AFTER_CAP_MILLIS);
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public int parallelism() {
        return 4;
    }

    @Override
    public Future<List<float[]>> embed(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        Future<Void> chain = Future.succeededFuture();
        for (int from = 0; from < texts.size(); from += maxInputs) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + maxInputs));
            chain = chain.compose(v -> attempt(part, 1).map(vectors -> {
                out.addAll(vectors);
                return null;
            }));
        }
        return chain.map(v -> out);
    }

    private Future<List<float[]>> attempt(List<String> texts, int attempt) {
        return call(texts).recover(e -> {
            Failure f = e instanceof Failure x ? x : new Failure(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    0, true, -1);
            if (!f.retryable || attempt >= maxAttempts) {
                return Future.failedFuture(new EmbeddingException("embedding request failed after " + attempt + " attempt(s): " + f.getMessage(),
                        f.status));
            }
            long delay = retry.delayMillis(attempt, f.retryAfterMillis, ThreadLocalRandom.current());
            return vertx.timer(Math.max(1, delay), TimeUnit.MILLISECONDS).compose(v -> attempt(texts, attempt + 1));
        });
    }

    private Future<List<float[]>> call(List<String> texts) {
        ObjectNode body = MAPPER.createObjectNode().put("model", model).put("encoding_format", "float");
        var input = body.putArray("input");
        texts.forEach(input::add);
        var request = client.post(path).putHeader("Content-Type", "application/json");
        if (apiKey != null && !apiKey.isBlank()) {
            request.putHeader("Authorization", "Bearer " + apiKey);
        }
        return request.sendBuffer(Buffer.buffer(body.toString()))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(new Failure(e instanceof java.util.concurrent.TimeoutException
                        ? "no answer within " + timeoutMillis + " ms" : e.getClass().getSimpleName() + " " + e.getMessage(), 0, true, -1)))
                .compose(r -> r.statusCode() == 200 ? read(r, texts.size())
                        : Future.failedFuture(new Failure("HTTP " + r.statusCode() + " " + HttpReplies.errorMessage(r.bodyAsString()), r.statusCode(),
                        HttpReplies.retryable(r.statusCode()), HttpReplies.retryAfterMillis(r.getHeader("Retry-After")))));
    }

    private Future<List<float[]>> read(HttpResponse<Buffer> r, int expected) {
        try {
            JsonNode data = MAPPER.readTree(r.bodyAsString()).path("data");
            if (!data.isArray() || data.size() != expected) {
                return Future.failedFuture(new Failure("expected " + expected + " embeddings, got " + (data.isArray() ? data.size() : "none"), 200, true, -1));
            }
            float[][] vectors = new float[expected][];
            for (int i = 0; i < expected; i++) {
                JsonNode item = data.get(i);
                // Servers answer in input order, but "index" is what the protocol promises.
                int index = item.path("index").asInt(i);
                JsonNode values = item.path("embedding");
                if (index < 0 || index >= expected || vectors[index] != null || !values.isArray() || values.isEmpty()) {
                    return Future.failedFuture(new Failure("malformed embedding at position " + i, 200, false, -1));
                }
                float[] v = new float[values.size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) values.get(j).asDouble();
                }
                vectors[index] = VectorMath.normalize(v);
            }
            return Future.succeededFuture(List.of(vectors));
        } catch (Exception e) {
            return Future.failedFuture(new Failure("unreadable response body", 200, true, -1));
        }
    }



    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }

    private static final class Failure extends RuntimeException {
        final int status;
        final boolean retryable;
        final long retryAfterMillis;

        Failure(String message, int status, boolean retryable, long retryAfterMillis) {
            super(message, null, false, false);
            this.status = status;
            this.retryable = retryable;
            this.retryAfterMillis = retryAfterMillis;
        }
    }
}
