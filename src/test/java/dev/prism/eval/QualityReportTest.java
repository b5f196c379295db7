package dev.prism.eval;

import dev.prism.eval.QualityReport.Analysis;
import dev.prism.eval.QualityReport.Cluster;
import dev.prism.eval.QualityReport.ThemeQuality;
import dev.prism.eval.QualityReport.ThemeResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QualityReportTest {

    private static final String THEME = "error_analysis";
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "rate_limit", "rate limit exceeded", "timeout", "calls timed out");
    /** Stands in for the embedding model: a name containing "rate" is nearest rate_limit, anything else timeout. */
    private static final QualityReport.NearestDescription NEAREST = (name, d) -> name.toLowerCase().contains("rate") ? "rate_limit" : "timeout";

    private static Map<String, Map<String, String>> labels() {
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        for (String id : List.of("r1", "r2", "r3")) {
            labels.put(id, Map.of(THEME, "rate_limit", "success_patterns", "none"));
        }
        for (String id : List.of("t1", "t2")) {
            labels.put(id, Map.of(THEME, "timeout"));
        }
        labels.put("n1", Map.of(THEME, "none", "feature_requests", "voice_input"));
        labels.put("n2", Map.of(THEME, "none"));
        return labels;
    }

    @Test
    @DisplayName("Precision over marked-relevant traces, recall over sampled positives, misses and confusions named")
    void relevance() {
        Map<String, Analysis> analyses = new LinkedHashMap<>();
        analyses.put("r1", new Analysis(true, "a"));
        analyses.put("r2", new Analysis(true, "a"));
        analyses.put("t1", new Analysis(false, ""));
        analyses.put("n1", new Analysis(true, "b"));
        // r3 and t2 were never analysed (filtered out): misses all the same
        ThemeResult result = new ThemeResult(THEME, Set.of("r1", "r2", "r3", "t1", "t2", "n1", "n2"), analyses, List.of(), DESCRIPTIONS);
        ThemeQuality q = QualityReport.score(result, labels(), NEAREST);
        assertThat(q.markedRelevant()).isEqualTo(3);
        assertThat(q.precision()).isEqualTo(0.6667);
        assertThat(q.positives()).isEqualTo(5);
        assertThat(q.recall()).isEqualTo(0.4);
        assertThat(q.falsePositivesByTruth()).containsExactly(Map.entry("feature_requests=voice_input", 1));
        assertThat(q.missedByCategory()).containsExactly(Map.entry("rate_limit", 1), Map.entry("timeout", 2));
        assertThat(q.otherShare()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("Clusters that match the categories score ARI and NMI 1, and a phrase naming the majority matches")
    void perfectClusters() {
        Map<String, Analysis> analyses = new LinkedHashMap<>();
        for (String id : List.of("r1", "r2", "r3", "t1", "t2")) {
            analyses.put(id, new Analysis(true, "x"));
        }
        List<Cluster> clusters = List.of(new Cluster("c1", "Provider rate limits hit", Set.of("r1", "r2", "r3")),
                new Cluster("c2", "timeout, slow, deadline, aborted", Set.of("t1", "t2")));
        ThemeQuality q = QualityReport.score(new ThemeResult(THEME, Set.of("r1", "r2", "r3", "t1", "t2"), analyses, clusters, DESCRIPTIONS),
                labels(), NEAREST);
        assertThat(q.ari()).isEqualTo(1.0);
        assertThat(q.nmi()).isEqualTo(1.0);
        assertThat(q.clusters()).isEqualTo(2);
        assertThat(q.categories()).isEqualTo(2);
        assertThat(q.largestShare()).isEqualTo(0.6);
        assertThat(q.names()).extracting(QualityReport.NamedCluster::majorityCategory).containsExactly("rate_limit", "timeout");
        assertThat(q.names()).extracting(QualityReport.NamedCluster::matches).containsExactly(true, false); // the second is a term list
        assertThat(q.namesMatched()).isEqualTo(0.5);
        String text = QualityReport.render(List.of(q), "heading");
        assertThat(text).contains("\"Provider rate limits hit\"").contains("majority rate_limit").contains("[not a phrase]");
    }

    @Test
    @DisplayName("Everything in Other against two true categories shares no information")
    void allOther() {
        Map<String, Analysis> analyses = new LinkedHashMap<>();
        for (String id : List.of("r1", "r2", "t1", "t2")) {
            analyses.put(id, new Analysis(true, "x"));
        }
        ThemeQuality q = QualityReport.score(new ThemeResult(THEME, Set.of("r1", "r2", "t1", "t2"), analyses, List.of(), DESCRIPTIONS),
                labels(), NEAREST);
        assertThat(q.ari()).isEqualTo(0.0);
        assertThat(q.nmi()).isEqualTo(0.0);
        assertThat(q.namesMatched()).isNull();
    }
}
