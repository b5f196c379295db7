package dev.prism.relevance;

import dev.prism.cli.LabelledCorpus;
import dev.prism.eval.Split;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
     * worse fails here. The target is precision ≥ 0.9 and recall ≥ 0.85 for every theme; success patterns measure
     * 0.93 / 0.89 here at their analyzer threshold of 0.65 (see README, "Success patterns").
     */
    static final Map<String, double[]> FLOORS = Map.of(
            "feature_requests", new double[]{0.9, 0.93},
            "ux_issues", new double[]{0.92, 0.88},
            "success_patterns", new double[]{0.91, 0.87},
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

    @Test
    @DisplayName("custom themes zero-shot: each feature-request and UX category of the eval split, described in its own words, finds its traces")
    void customThemesZeroShot() {
        List<LabelledCorpus.Item> items = LabelledCorpus.generate(Split.EVAL, SEED, TRACES);
        dev.prism.eval.PhraseBank bank = dev.prism.eval.PhraseBank.load();
        LocalScorer scorer = LocalScorer.shared();
        int tp = 0;
        int fp = 0;
        int fn = 0;
        int ktp = 0;
        int kfp = 0;
        int kfn = 0;
        for (String theme : List.of("feature_requests", "ux_issues")) {
            for (dev.prism.eval.PhraseBank.Category c : bank.categories(theme)) {
                int ctp = 0;
                int cfp = 0;
                int cfn = 0;
                for (LabelledCorpus.Item item : items) {
                    TraceView view = TraceView.of(item.trace(), item.text());
                    boolean hit = scorer.custom(c.id(), c.id().replace('_', ' '), c.description(), null, view).relevant();
                    boolean truth = c.id().equals(item.labels().get(theme));
                    boolean keyword = dev.prism.llm.OfflineAnalyzer.analyze(new dev.prism.llm.OfflineAnalyzer.Theme(c.id(), c.id().replace('_', ' '),
                            c.description()), item.trace(), item.text()).themeRelevant();
                    ktp += keyword && truth ? 1 : 0;
                    kfp += keyword && !truth ? 1 : 0;
                    kfn += !keyword && truth ? 1 : 0;
                    ctp += hit && truth ? 1 : 0;
                    cfp += hit && !truth ? 1 : 0;
                    cfn += !hit && truth ? 1 : 0;
                }
                System.out.printf("custom %-22s precision %.3f recall %.3f%n", c.id(), ctp + cfp == 0 ? 1 : (double) ctp / (ctp + cfp),
                        ctp + cfn == 0 ? 1 : (double) ctp / (ctp + cfn));
                tp += ctp;
                fp += cfp;
                fn += cfn;
            }
        }
        double precision = (double) tp / (tp + fp);
        double recall = (double) tp / (tp + fn);
        double keywordPrecision = ktp + kfp == 0 ? 1 : (double) ktp / (ktp + kfp);
        double keywordRecall = (double) ktp / (ktp + kfn);
        System.out.printf("custom (micro) precision %.3f recall %.3f; keyword rule precision %.3f recall %.3f%n", precision, recall,
                keywordPrecision, keywordRecall);
        // Far from the built-in themes' figures (UX categories are described by what the assistant did, users say it
        // otherwise), but better than the keyword rule it replaced on both counts.
        assertThat(precision).isGreaterThanOrEqualTo(0.65).isGreaterThan(keywordPrecision);
        assertThat(recall).isGreaterThanOrEqualTo(0.4);
        assertThat(2 * precision * recall / (precision + recall))
                .isGreaterThan(2 * keywordPrecision * keywordRecall / Math.max(1e-9, keywordPrecision + keywordRecall));
    }
}
