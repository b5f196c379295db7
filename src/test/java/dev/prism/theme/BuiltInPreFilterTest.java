package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.relevance.LocalScorer;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How well each built-in theme's cheap pre-filter picks the fixtures labelled for it. */
class BuiltInPreFilterTest {

    private static final Map<String, Predicate<JsonNode>> LABELS = Map.of(
            "error_analysis", l -> l.get("error").asBoolean(),
            "performance_issues", l -> l.get("performance_issue").asBoolean(),
            "ux_issues", l -> l.get("ux_friction").asBoolean(),
            "feature_requests", l -> l.get("feature_request").asBoolean(),
            "success_patterns", l -> l.get("success").asBoolean(),
            "unhappy_users", l -> l.get("error").asBoolean() || l.get("ux_friction").asBoolean() || l.get("feature_request").asBoolean());

    @Test
    @DisplayName("on the 25 fixtures the error and performance pre-filters select every labelled trace; recall and precision printed for all")
    void recallAndPrecision() {
        List<Fixture> fixtures = Fixtures.all().stream().filter(f -> f.traceId() != null).toList();
        List<AssembledTrace> traces = fixtures.stream().map(Fixture::assemble).toList();
        // The relevance scores the server computes when it formats each trace, read by trace.relevance.<theme_id>.
        List<Map<String, Double>> relevance = traces.stream().map(t -> LocalScorer.shared().published(t,
                dev.prism.format.TraceFormatter.format(t, dev.prism.format.TraceFormatter.Options.defaults()))).toList();
        double totalSelected = 0;
        for (BuiltInThemes.Definition d : BuiltInThemes.ALL) {
            Filters filters = Filters.parse(d.themeFilters(), "theme_filters");
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (int i = 0; i < fixtures.size(); i++) {
                boolean selected = filters.matches(traces.get(i), relevance.get(i));
                boolean labelled = LABELS.get(d.themeId()).test(fixtures.get(i).json().get("expect").get("labels"));
                tp += selected && labelled ? 1 : 0;
                fp += selected && !labelled ? 1 : 0;
                fn += !selected && labelled ? 1 : 0;
                totalSelected += selected ? d.sampleRate() : 0;
            }
            double recall = tp + fn == 0 ? 1 : (double) tp / (tp + fn);
            double precision = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
            System.out.printf("%-20s recall %.2f  precision %.2f  (selected %d of %d)%n", d.themeId(), recall, precision, tp + fp, fixtures.size());
            if (d.themeId().equals("error_analysis") || d.themeId().equals("performance_issues")) {
                assertThat(recall).as(d.themeId() + " recall").isEqualTo(1.0);
                // A pre-filter buys recall with calls: performance lets through every trace of 12+ events, since an
                // agent looping on quick, cheap calls shows nothing else in SQL (its analysis then decides); the share
                // of naive calls below bounds what that costs.
                assertThat(precision).as(d.themeId() + " precision").isGreaterThanOrEqualTo(d.themeId().equals("error_analysis") ? 0.6 : 0.5);
            }
        }
        double naive = fixtures.size() * BuiltInThemes.ALL.size();
        System.out.printf("LLM calls: %.1f of %.0f naive (%.0f%% fewer)%n", totalSelected, naive, 100 * (1 - totalSelected / naive));
        // 43.5 of 144: since errors no longer rule out friction, the UX pre-filter keeps the fixture whose user complains
        // in a failed trace (UX recall 0.67 -> 1.0) and lets a few failed traces through (40.0 before).
        assertThat(totalSelected / naive).as("share of naive LLM calls").isLessThanOrEqualTo(0.31);
    }
}
