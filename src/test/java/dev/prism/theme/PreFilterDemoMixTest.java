package dev.prism.theme;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.demo.DemoTraffic;
import dev.prism.format.TraceFormatter;
import dev.prism.relevance.LocalScorer;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the built-in themes' pre-filters send to a paid provider on the demo mix ({@link DemoTraffic}), with the
 * relevance scores the server computes when it formats each trace: at most 30 % of the naive traces × themes calls.
 */
class PreFilterDemoMixTest {

    static final int TRACES = 600;

    @Test
    @DisplayName("on 600 demo traces the built-in pre-filters (sampling included) send at most 30 % of the naive traces × themes calls")
    void shareOfNaiveCalls() {
        DemoTraffic demo = new DemoTraffic(42);
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        Map<String, Double> sent = new LinkedHashMap<>();
        BuiltInThemes.ALL.forEach(d -> sent.put(d.themeId(), 0.0));
        for (int i = 0; i < TRACES; i++) {
            List<TraceEvent> events = new ArrayList<>();
            for (ObjectNode e : demo.nextTrace(now.plusSeconds(i))) {
                events.add(TraceEvent.fromCapture(e, UUID.randomUUID().toString(), now));
            }
            AssembledTrace trace = TraceAssembler.assemble(events.get(0).properties().path("$ai_trace_id").asText(), events);
            Map<String, Double> relevance = LocalScorer.shared().published(trace, TraceFormatter.format(trace, TraceFormatter.Options.defaults()));
            for (BuiltInThemes.Definition d : BuiltInThemes.ALL) {
                if (Filters.parse(d.themeFilters(), "theme_filters").matches(trace, relevance)) {
                    sent.merge(d.themeId(), d.sampleRate(), Double::sum);
                }
            }
        }
        double total = sent.values().stream().mapToDouble(Double::doubleValue).sum();
        double naive = (double) TRACES * BuiltInThemes.ALL.size();
        sent.forEach((theme, n) -> System.out.printf("demo mix %-20s %.0f calls (%.1f %% of traces)%n", theme, n, 100 * n / TRACES));
        System.out.printf("demo mix: %.0f of %.0f naive calls (%.1f %%)%n", total, naive, 100 * total / naive);
        assertThat(total / naive).as("share of naive calls").isLessThanOrEqualTo(0.30);
    }
}
