package dev.prism.relevance;

import dev.prism.cli.LabelledCorpus;
import dev.prism.cluster.AdjustedRandIndex;
import dev.prism.eval.Split;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Friction titles on the evaluation corpus's unseen {@code eval} split (the exemplars were written without it): every
 * UX trace the model marks relevant gets a type, and the types should be the true categories. Run with
 * {@code -Dfriction.split=tune} to measure the tune split instead.
 */
class FrictionCorpusTest {

    @Test
    @DisplayName("on the eval split the friction types agree with the true UX categories (ARI ≥ 0.85) and no more than six types hold the traces")
    void evalSplit() {
        Split split = Split.parse(System.getProperty("friction.split", "eval"));
        LocalScorer scorer = LocalScorer.shared();
        Friction.Types types = Friction.load();
        Friction friction = new Friction(types, types.centroids(scorer.embed(types.exemplars())));
        Map<String, Map<String, Integer>> table = new TreeMap<>();
        Map<String, Integer> ids = new HashMap<>();
        List<Integer> truth = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        Map<String, Integer> sizes = new HashMap<>();
        for (LabelledCorpus.Item item : LabelledCorpus.generate(split, 1, 600)) {
            String category = item.labels().get("ux_issues");
            if (category == null || category.equals("none")) {
                continue;
            }
            RelevanceModel.Score s = scorer.score(item.trace(), item.text()).stream().filter(x -> x.themeId().equals("ux_issues")).findFirst().orElseThrow();
            if (!s.relevant()) {
                continue;
            }
            String title = FrictionLabels.decide(scorer, friction, item.text(), s.evidence(), s.evidenceVector()).title();
            table.computeIfAbsent(category, k -> new TreeMap<>()).merge(title, 1, Integer::sum);
            sizes.merge(title, 1, Integer::sum);
            truth.add(ids.computeIfAbsent("c:" + category, k -> ids.size()));
            got.add(ids.computeIfAbsent("t:" + title, k -> ids.size()));
        }
        table.forEach((c, m) -> System.out.println(c + " " + m));
        double ari = AdjustedRandIndex.of(truth.stream().mapToInt(i -> i).toArray(), got.stream().mapToInt(i -> i).toArray());
        System.out.printf("friction ARI %.3f over %d traces, %d types%n", ari, truth.size(), sizes.size());
        assertThat(ari).isGreaterThanOrEqualTo(0.85);
        assertThat(sizes.values().stream().filter(n -> n * 20 >= truth.size()).count()).isLessThanOrEqualTo(6);
    }
}
