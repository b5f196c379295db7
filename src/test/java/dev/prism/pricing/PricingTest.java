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

    @Test
    @DisplayName("model names resolve through provider prefixes, Bedrock and Vertex forms, dated names and separators")
    void resolvesAliases() {
        Pricing p = Pricing.DEFAULTS;
        assertThat(p.resolve("gpt-4o-mini")).isEqualTo("gpt-4o-mini");
        assertThat(p.resolve("openai/gpt-4o-mini")).as("router prefix").isEqualTo("gpt-4o-mini");
        assertThat(p.resolve("gpt-4o-mini-2024-07-18")).as("dated name").isEqualTo("gpt-4o-mini");
        assertThat(p.resolve("gpt-4o-2024-08-06")).isEqualTo("gpt-4o");
        assertThat(p.resolve("GPT-4o-Mini")).as("case").isEqualTo("gpt-4o-mini");
        assertThat(p.resolve("openai:gpt-4.1-nano")).as("provider: prefix").isEqualTo("gpt-4.1-nano");
        assertThat(p.resolve("gpt-4.1-mini-2025-04-14")).isEqualTo("gpt-4.1-mini");
        assertThat(p.resolve("claude-3-5-haiku-20241022")).isEqualTo("claude-3-5-haiku");
        assertThat(p.resolve("claude-3-5-haiku-latest")).isEqualTo("claude-3-5-haiku");
        assertThat(p.resolve("anthropic/claude-3.5-haiku")).as("OpenRouter's dotted version").isEqualTo("claude-3-5-haiku");
        assertThat(p.resolve("claude-3-5-haiku@20241022")).as("Vertex").isEqualTo("claude-3-5-haiku");
        assertThat(p.resolve("publishers/anthropic/models/claude-sonnet-4@20250514")).as("Vertex path").isEqualTo("claude-sonnet-4");
        assertThat(p.resolve("anthropic.claude-3-5-haiku-20241022-v1:0")).as("Bedrock").isEqualTo("claude-3-5-haiku");
        assertThat(p.resolve("us.anthropic.claude-sonnet-4-20250514-v1:0")).as("Bedrock inference profile").isEqualTo("claude-sonnet-4");
        assertThat(p.resolve("arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"))
                .isEqualTo("claude-3-7-sonnet");
        assertThat(p.resolve("models/gemini-2.5-flash")).as("Gemini API path").isEqualTo("gemini-2.5-flash");
        assertThat(p.resolve("gemini-2.5-flash-lite-preview-06-17")).as("longest family wins").isEqualTo("gemini-2.5-flash-lite");
        assertThat(p.resolve("claude-sonnet-4-5-20250929")).isEqualTo("claude-sonnet-4-5");
        assertThat(p.resolve("gpt-4ox")).as("whole words only").isNull();
        assertThat(p.resolve("my-gpt-4o-mini")).as("no match inside another name").isNull();
        assertThat(p.resolve("offline-llama")).as("offline prices only itself").isNull();
        assertThat(p.resolve("offline")).isEqualTo("offline");
        assertThat(p.resolve("")).isNull();
        assertThat(p.resolve(null)).isNull();
    }

    @Test
    @DisplayName("configured prices take part in alias matching and win over a built-in name of the same form")
    void configuredAliases() {
        Pricing p = new Pricing(Pricing.parse("gpt-4o-mini=1/2, my-router/llama-3.3-70b=0.5/0.7"));
        assertThat(p.resolve("openai/gpt-4o-mini-2024-07-18")).isEqualTo("gpt-4o-mini");
        assertThat(p.price("openai/gpt-4o-mini-2024-07-18")).isEqualTo(new Pricing.Price(1, 2, 1, 1));
        assertThat(p.resolve("meta-llama/Llama-3.3-70B-Instruct")).isEqualTo("my-router/llama-3.3-70b");
        assertThat(p.configured()).containsKey(p.resolve("llama-3.3-70b"));
    }
}
