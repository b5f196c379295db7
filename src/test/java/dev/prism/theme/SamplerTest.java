package dev.prism.theme;

import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    /** Computed independently (Python's hashlib), so a change of algorithm or encoding cannot pass unnoticed. */
    @ParameterizedTest(name = "({0}, {1}) -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            errors         | trace-1                              | 0.6343974342809828
            errors         | trace-2                              | 0.11317730951037985
            checkout-theme | 0190f3a2-7b1c-7c3e-9a55-0d1f2e3a4b5c | 0.9848131674284403
            ''             | t                                    | 0.40731646829210977
            sëed           | ïd                                   | 0.9263496430724699
            """)
    @DisplayName("a trace's position is fixed by seed and trace id, the same on every JVM")
    void stablePositions(String seed, String traceId, double expected) {
        assertThat(Sampler.position(seed, traceId)).isEqualTo(expected);
        assertThat(Sampler.sampled(seed, traceId, expected)).isFalse();
        assertThat(Sampler.sampled(seed, traceId, Math.nextUp(expected))).isTrue();
    }

    @Test
    @DisplayName("seed and trace id are not simply concatenated")
    void unambiguous() {
        assertThat(Sampler.position("ab", "c")).isNotEqualTo(Sampler.position("a", "bc"));
        assertThat(Sampler.position("other-theme", "trace-1")).isNotEqualTo(Sampler.position("errors", "trace-1"));
    }

    @Test
    @DisplayName("raising the rate only adds traces")
    void monotonic() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            String id = UUID.randomUUID().toString();
            double low = random.nextDouble();
            double high = low + random.nextDouble() * (1 - low);
            if (Sampler.sampled("seed", id, low)) {
                assertThat(Sampler.sampled("seed", id, high)).as("%s at %s then %s", id, low, high).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "rate {0}")
    @ValueSource(doubles = {0.1, 0.5, 0.9})
    @DisplayName("the share of 10,000 traces sampled is within 2 % of the rate")
    void proportion(double rate) {
        long sampled = IntStream.range(0, 10_000).filter(i -> Sampler.sampled("proportion", "trace-" + i, rate)).count();
        assertThat(sampled / 10_000.0).isCloseTo(rate, within(0.02));
    }

    @Test
    @DisplayName("rate 0 samples nothing and rate 1 everything")
    void extremes() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(Sampler.sampled("extremes", "trace-" + i, 0)).isFalse();
            assertThat(Sampler.sampled("extremes", "trace-" + i, 1)).isTrue();
        }
    }

    @Test
    @DisplayName("a rate outside 0 to 1 is refused")
    void badRate() {
        assertThatThrownBy(() -> Sampler.sampled("s", "t", 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 0 to 1");
        assertThatThrownBy(() -> Sampler.sampled("s", "t", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sampler.sampled("s", "t", -0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
