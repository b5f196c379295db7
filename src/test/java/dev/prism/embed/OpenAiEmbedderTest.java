package dev.prism.embed;

import dev.prism.common.VectorMath;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** The OpenAI-compatible embedder against a local server speaking the embeddings protocol. */
@ExtendWith(VertxExtension.class)
@DisplayName("The OpenAI-compatible embedder")
class OpenAiEmbedderTest {

    private static final String KEY = "sk-embed-secret-key-456";

    private FakeEmbeddingServer fake;
    private String deployment;
    private final List<OpenAiEmbedder> embedders = new ArrayList<>();

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        fake = new FakeEmbeddingServer();
        deployment = await(vertx.deployVerticle(fake));
    }

    @AfterEach
    void stop(Vertx vertx) throws Exception {
        for (OpenAiEmbedder e : embedders) {
            await(e.close());
        }
        await(vertx.undeploy(deployment));
    }

    private OpenAiEmbedder embedder(Vertx vertx, String path, int maxInputs, long timeoutMillis, int maxAttempts) {
        OpenAiEmbedder e = new OpenAiEmbedder(vertx, "http://127.0.0.1:" + fake.port() + path, KEY, "text-embedding-3-small", maxInputs,
                timeoutMillis, maxAttempts, 50);
        embedders.add(e);
        return e;
    }

    private static List<String> texts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("a".repeat(i + 1) + " summary " + i);
        }
        return out;
    }

    private static OpenAiEmbedder.EmbeddingException failure(OpenAiEmbedder e, List<String> texts) {
        try {
            await(e.embed(texts));
            throw new AssertionError("expected a failure");
        } catch (ExecutionException ex) {
            return (OpenAiEmbedder.EmbeddingException) ex.getCause();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    @DisplayName("sends model, inputs and the key as Bearer; answers unit vectors in input order although the server reorders them")
    void success(Vertx vertx) throws Exception {
        List<String> texts = List.of("abc", "hhh", "aab");
        List<float[]> vectors = await(embedder(vertx, "", 64, 2_000, 3).embed(texts));
        assertThat(fake.log).singleElement().satisfies(r -> {
            assertThat(r.inputs()).isEqualTo(3);
            assertThat(r.model()).isEqualTo("text-embedding-3-small");
            assertThat(r.authorization()).isEqualTo("Bearer " + KEY);
        });
        assertThat(vectors).hasSize(3);
        for (int i = 0; i < 3; i++) {
            float[] expected = VectorMath.normalize(FakeEmbeddingServer.letters(texts.get(i)));
            assertThat(vectors.get(i)).containsExactly(expected, offset(1e-6f));
            assertThat(VectorMath.dot(vectors.get(i), vectors.get(i))).isCloseTo(1.0, offset(1e-5));
        }
    }

    @Test
    @DisplayName("splits a large batch into requests of at most the batch size, whatever form the base URL takes")
    void batching(Vertx vertx) throws Exception {
        List<float[]> vectors = await(embedder(vertx, "/v1", 4, 2_000, 3).embed(texts(10)));
        assertThat(fake.log).extracting(FakeEmbeddingServer.Received::inputs).containsExactly(4, 4, 2);
        assertThat(vectors).hasSize(10);
        assertThat(vectors.get(9)).containsExactly(VectorMath.normalize(FakeEmbeddingServer.letters(texts(10).get(9))), offset(1e-6f));

        fake.log.clear();
        await(embedder(vertx, "/v1/", 5, 2_000, 3).embed(texts(10)));
        assertThat(fake.log).extracting(FakeEmbeddingServer.Received::inputs).containsExactly(5, 5);
    }

    @Test
    @DisplayName("429 with Retry-After waits as long as the server asks, then succeeds")
    void retryAfter(Vertx vertx) throws Exception {
        fake.script.add(FakeEmbeddingServer.Script.limited("1"));
        List<float[]> vectors = await(embedder(vertx, "", 64, 2_000, 3).embed(texts(2)));
        assertThat(vectors).hasSize(2);
        assertThat(fake.log).hasSize(2);
        long waitedMillis = (fake.log.get(1).atNanos() - fake.log.get(0).atNanos()) / 1_000_000;
        assertThat(waitedMillis).isBetween(950L, 2_500L);
    }

    @Test
    @DisplayName("a 500 is retried after a short backoff and the next answer is used; a 400 is not retried")
    void serverErrors(Vertx vertx) throws Exception {
        fake.script.add(FakeEmbeddingServer.Script.status(500));
        fake.script.add(FakeEmbeddingServer.Script.status(503));
        assertThat(await(embedder(vertx, "", 64, 2_000, 3).embed(texts(3)))).hasSize(3);
        assertThat(fake.log).hasSize(3);

        fake.log.clear();
        fake.script.add(FakeEmbeddingServer.Script.status(400));
        OpenAiEmbedder.EmbeddingException refused = failure(embedder(vertx, "", 64, 2_000, 3), texts(1));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).contains("after 1 attempt").contains("scripted failure 400").doesNotContain(KEY);
        assertThat(fake.log).hasSize(1);
    }

    @Test
    @DisplayName("gives up after the last attempt when the server keeps failing, naming the status but never the key")
    void exhausted(Vertx vertx) {
        for (int i = 0; i < 5; i++) {
            fake.script.add(FakeEmbeddingServer.Script.status(502));
        }
        OpenAiEmbedder.EmbeddingException e = failure(embedder(vertx, "", 64, 2_000, 3), texts(1));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).contains("after 3 attempt").contains("HTTP 502").doesNotContain(KEY);
        assertThat(fake.log).hasSize(3);
    }

    @Test
    @DisplayName("a server that never answers is cut off by the hard deadline of each attempt")
    void timeout(Vertx vertx) {
        fake.script.add(FakeEmbeddingServer.Script.silence());
        fake.script.add(FakeEmbeddingServer.Script.silence());
        long started = System.nanoTime();
        OpenAiEmbedder.EmbeddingException e = failure(embedder(vertx, "", 64, 300, 2), texts(1));
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(e.status()).isZero();
        assertThat(e.getMessage()).contains("no answer within 300 ms");
        assertThat(fake.log).hasSize(2);
        assertThat(elapsedMillis).isBetween(600L, 3_000L);
    }

    @Test
    @DisplayName("a silent first attempt is retried and the second answer used")
    void timeoutThenSuccess(Vertx vertx) throws Exception {
        fake.script.add(FakeEmbeddingServer.Script.silence());
        assertThat(await(embedder(vertx, "", 64, 300, 3).embed(texts(2)))).hasSize(2);
        assertThat(fake.log).hasSize(2);
    }

}
