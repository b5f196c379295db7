package dev.prism.relevance;

import dev.prism.cli.LabelledCorpus;
import dev.prism.eval.Split;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relevance model on the evaluation corpus's {@code eval} split, whose phrasings it never saw (training reads the
 * {@code tune} split only): precision and recall per theme at the analyzer's threshold, and the pre-filter's recall.
 */
class RelevanceCorpusTest {

    static final int TRACES = 1_200;
    static final long SEED = 2026;

    record Counts(int tp, int fp, int fn) {
        double precision() {
            return tp + fp == 0 ? 1 : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? 1 : (double) tp / (tp + fn);
        }
    }

    static Map<String, Counts> measure(List<LabelledCorpus.Item> items, boolean prefilter) {
        LocalScorer scorer = LocalScorer.shared();
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (LabelledCorpus.Item item : items) {
            for (RelevanceModel.Score s : scorer.score(item.trace(), item.text())) {
                boolean hit = prefilter ? s.probability() >= scorer.model().weights().prefilter().get(s.themeId()) : s.relevant();
                boolean truth = item.themes().contains(s.themeId());
                int[] c = counts.computeIfAbsent(s.themeId(), k -> new int[3]);
                c[0] += hit && truth ? 1 : 0;
                c[1] += hit && !truth ? 1 : 0;
                c[2] += !hit && truth ? 1 : 0;
            }
        }
        Map<String, Counts> out = new LinkedHashMap<>();
        counts.forEach((k, c) -> out.put(k, new Counts(c[0], c[1], c[2])));
        return out;
    }

    /**
     * Floors a little under what the shipped model measures (figures in README), so a retrained model that generalises
     * worse fails here. The target is precision ≥ 0.9 and recall ≥ 0.85 for every theme; feature requests'
     * precision and success patterns' recall are still below it.
     */
    static final Map<String, double[]> FLOORS = Map.of(
            "feature_requests", new double[]{0.85, 0.93},
            "ux_issues", new double[]{0.92, 0.88},
            "success_patterns", new double[]{0.85, 0.77},
            "unhappy_users", new double[]{0.92, 0.95});

    @Test
    @DisplayName("on the unseen eval split each user-language theme keeps its precision and recall floor, and the pre-filter keeps recall ≥ 0.9")
    void evalSplit() {
        List<LabelledCorpus.Item> items = LabelledCorpus.generate(Split.EVAL, SEED, TRACES);
        Map<String, Counts> analyzer = measure(items, false);
        Map<String, Counts> prefilter = measure(items, true);
        analyzer.forEach((theme, c) -> System.out.printf("eval %-18s precision %.3f recall %.3f (tp %d fp %d fn %d) | pre-filter recall %.3f%n",
                theme, c.precision(), c.recall(), c.tp(), c.fp(), c.fn(), prefilter.get(theme).recall()));
        analyzer.forEach((theme, c) -> {
            assertThat(c.precision()).as(theme + " precision").isGreaterThanOrEqualTo(FLOORS.get(theme)[0]);
            assertThat(c.recall()).as(theme + " recall").isGreaterThanOrEqualTo(FLOORS.get(theme)[1]);
            assertThat(prefilter.get(theme).recall()).as(theme + " pre-filter recall").isGreaterThanOrEqualTo(0.9);
        });
    }
}
