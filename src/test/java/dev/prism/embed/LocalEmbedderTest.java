package dev.prism.embed;

import dev.prism.common.VectorMath;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The local all-MiniLM-L6-v2 embedder")
class LocalEmbedderTest {

    private Embedder embedder;

    @BeforeAll
    void load(Vertx vertx) throws Exception {
        embedder = await(LocalEmbedder.create(vertx, 1, 2));
    }

    @AfterAll
    void close() throws Exception {
        await(embedder.close());
    }

    @Test
    @DisplayName("embeds offline into 384 unit-length dimensions, and similar sentences are nearer than unrelated ones")
    void similarity() throws Exception {
        List<float[]> v = await(embedder.embed(List.of(
                "Payment API timed out\nThe checkout call to the payment provider timed out after 30 seconds and was retried twice.",
                "Payment provider timeout\nCharging the card failed because the payment service did not answer in time.",
                "User asks for dark mode\nThe user wanted a dark theme for the dashboard.",
                "Recipe suggestion\nThe assistant proposed a vegetarian lasagne recipe.")));
        assertThat(embedder.model()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(v).hasSize(4).allSatisfy(x -> {
            assertThat(x).hasSize(384);
            assertThat(VectorMath.dot(x, x)).isCloseTo(1.0, offset(1e-4));
        });
        double sameTopic = VectorMath.dot(v.get(0), v.get(1));
        assertThat(sameTopic).isGreaterThan(0.5);
        assertThat(sameTopic).isGreaterThan(VectorMath.dot(v.get(0), v.get(2)) + 0.3).isGreaterThan(VectorMath.dot(v.get(0), v.get(3)) + 0.3);
    }

    @Test
    @DisplayName("a batch split over the workers answers in input order, as each text embedded alone")
    void order() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            texts.add("Summary number " + i + ": " + "the tool call failed ".repeat(i + 1));
        }
        List<float[]> batch = await(embedder.embed(texts));
        assertThat(batch).hasSize(9);
        for (int i : new int[]{0, 4, 8}) {
            float[] alone = await(embedder.embed(List.of(texts.get(i)))).get(0);
            assertThat(VectorMath.dot(alone, batch.get(i))).isCloseTo(1.0, offset(1e-4));
        }
        assertThat(VectorMath.dot(batch.get(0), batch.get(8))).isLessThan(0.999);
    }
}
