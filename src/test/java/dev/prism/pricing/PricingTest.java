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
        assertThat(Pricing.price("gpt-4o-mini-2024-07-18")).isEqualTo(Pricing.price("gpt-4o-mini"));
        assertThat(Pricing.price("claude-sonnet-4-20250514")).isEqualTo(Pricing.price("claude-sonnet-4"));
        assertThat(Pricing.price("unknown-model")).isNull();
        assertThat(Pricing.cost("gpt-4o-mini", 1_000_000, 1_000_000)).isCloseTo(0.75, within(1e-9));
        assertThat(Pricing.cost("offline", 1_000_000, 1_000_000)).isZero();
        assertThat(Pricing.inputTokens(1_000_000_000L, 400)).isEqualTo((Pricing.MAX_TRACE_CHARS + 400) / 4);
    }
}
