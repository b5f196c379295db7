package dev.prism.pricing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.support.Fixtures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PricingTest {

    @Test
    @DisplayName("the rendered-per-stored-character ratio used for estimates matches the fixtures within 25 %")
    void renderRatio() throws Exception {
        ObjectMapper json = new ObjectMapper();
        long stored = 0;
        long rendered = 0;
        for (Fixtures.Fixture f : Fixtures.all()) {
            if (f.traceId() == null || f.name().startsWith("s24")) {
                continue; // s24's 2 MB log is cut to a few KB: an outlier that says nothing about typical traces
            }
            var trace = f.assemble();
            for (TraceEvent e : trace.events()) {
                stored += json.writeValueAsString(e.properties()).length();
            }
            rendered += TraceFormatter.format(trace, TraceFormatter.Options.defaults()).length();
        }
        double ratio = (double) rendered / stored;
        System.out.printf("rendered/stored characters on the fixtures: %.3f (constant %.2f)%n", ratio, Pricing.RENDERED_PER_STORED_CHAR);
        assertThat(Pricing.RENDERED_PER_STORED_CHAR).isCloseTo(ratio, within(ratio * 0.25));
    }

    @Test
    @DisplayName("prices resolve dated model names to their family and cost scales with tokens")
    void prices() {
        Pricing p = Pricing.DEFAULTS;
        assertThat(p.price("gpt-4o-mini-2024-07-18")).isEqualTo(p.price("gpt-4o-mini"));
        assertThat(p.price("claude-sonnet-4-20250514")).isEqualTo(p.price("claude-sonnet-4"));
        assertThat(p.price("unknown-model")).isNull();
        assertThat(p.cost("gpt-4o-mini", 1_000_000, 1_000_000)).isCloseTo(0.75, within(1e-9));
        assertThat(p.cost("offline", 1_000_000, 1_000_000)).isZero();
        assertThat(Pricing.inputTokens(1_000_000_000L, 400, Pricing.MAX_TRACE_CHARS)).isEqualTo((Pricing.MAX_TRACE_CHARS + 400) / 4);
        assertThat(Pricing.inputTokens(1_000_000_000L, 400, 8_000)).as("the configured cap").isEqualTo((8_000 + 400) / 4);
    }

    @Test
    @DisplayName("an unknown model's cost is NaN, never a free $0")
    void unknownIsNotFree() {
        assertThat(Pricing.DEFAULTS.cost("mystery-9000", 1_000, 100)).isNaN();
        assertThat(Pricing.DEFAULTS.known("mystery-9000")).isFalse();
    }

    @Test
    @DisplayName("cached input is charged at the cache-read and cache-write prices, the rest at the input price")
    void cachePrices() {
        // claude-sonnet-4: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million.
        Pricing.Usage u = new Pricing.Usage(1_000_000, 100_000, 600_000, 100_000);
        double expected = (300_000 * 3.0 + 600_000 * 0.30 + 100_000 * 3.75 + 100_000 * 15.0) / 1e6;
        assertThat(Pricing.DEFAULTS.cost("claude-sonnet-4-20250514", u)).isCloseTo(expected, within(1e-12));
        assertThat(Pricing.DEFAULTS.cost("gpt-4o-mini", new Pricing.Usage(1_000_000, 0, 1_000_000, 0))).isCloseTo(0.075, within(1e-12));
    }

    @Test
    @DisplayName("configured prices add models and override built-in ones; missing cache prices default to the input price")
    void configured() {
        Pricing p = new Pricing(Pricing.parse("llama-3.1-70b=0.6/0.8, gpt-4o-mini=1/2/0.5/1.5; free-local=0/0"));
        assertThat(p.price("llama-3.1-70b-instruct")).isEqualTo(new Pricing.Price(0.6, 0.8, 0.6, 0.6));
        assertThat(p.price("gpt-4o-mini-2024-07-18")).isEqualTo(new Pricing.Price(1, 2, 0.5, 1.5));
        assertThat(p.cost("free-local", 1_000_000, 1_000_000)).isZero();
        assertThat(p.price("gpt-4o")).as("built-ins stay").isEqualTo(Pricing.BUILT_IN.get("gpt-4o"));
        assertThat(p.configured()).containsOnlyKeys("llama-3.1-70b", "gpt-4o-mini", "free-local");
        assertThat(Pricing.parse("  ")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pricing.parse("m=1")).hasMessageContaining("'m=1'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pricing.parse("m=1/x")).hasMessageContaining("numbers");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pricing.parse("m=-1/2")).hasMessageContaining("numbers");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pricing.parse("=1/2")).isInstanceOf(IllegalArgumentException.class);
    }
}
