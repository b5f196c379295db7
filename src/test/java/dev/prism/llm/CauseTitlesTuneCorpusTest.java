package dev.prism.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.eval.CorpusGenerator;
import dev.prism.eval.CorpusGenerator.LabelledTrace;
import dev.prism.eval.PhraseBank;
import dev.prism.eval.Split;
import dev.prism.format.TraceFormatter;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offline analyzer's titles on the labelled corpus's TUNE split only (the eval split is never looked at here): how
 * many distinct titles each true error and performance category gets. One per category is the aim; where the corpus's
 * category is broader than the cause taxonomy (its rate_limit holds quota exhaustion, its provider_server_error holds
 * overload, its expired_credentials holds invalid API keys, its expensive_trace holds huge prompts), two is the right
 * answer and the table says which.
 */
class CauseTitlesTuneCorpusTest {

    private static final CorpusGenerator GENERATOR = new CorpusGenerator(PhraseBank.load());

    private static Map<String, Map<String, Integer>> titlesByCategory(String theme, long seed, int size) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        for (LabelledTrace t : GENERATOR.generate(Split.TUNE, seed, size).traces()) {
            String category = t.labels().getOrDefault(theme, CorpusGenerator.NONE);
            if (category.equals(CorpusGenerator.NONE)) {
                continue;
            }
            List<TraceEvent> events = new ArrayList<>();
            int i = 0;
            for (ObjectNode e : t.events()) {
                events.add(TraceEvent.fromCapture(e, "uuid-" + i++, Instant.EPOCH));
            }
            AssembledTrace trace = TraceAssembler.assemble(t.traceId(), events);
            OfflineAnalyzer.Analysis a = OfflineAnalyzer.analyze(new OfflineAnalyzer.Theme(theme, theme, ""), trace,
                    TraceFormatter.format(trace, TraceFormatter.Options.defaults()));
            out.computeIfAbsent(category, k -> new TreeMap<>()).merge(a.themeRelevant() ? a.title() : "(not relevant)", 1, Integer::sum);
        }
        return out;
    }

    private static void print(String theme, Map<String, Map<String, Integer>> table) {
        System.out.println("== " + theme + " (tune split)");
        table.forEach((category, titles) -> System.out.printf("%-26s %d title(s): %s%n", category, titles.size(), titles));
    }

    @Test
    @DisplayName("on the tune split each true error category gets one cause title, or two where the taxonomy is finer than the labels")
    void errorCategories() {
        Map<String, Map<String, Integer>> table = titlesByCategory("error_analysis", 3, 1_200);
        print("error_analysis", table);
        assertThat(table).isNotEmpty();
        table.forEach((category, titles) -> {
            Map<String, Integer> relevant = new TreeMap<>(titles);
            relevant.remove("(not relevant)");
            int allowed = category.equals("rate_limit") || category.equals("provider_server_error") || category.equals("expired_credentials") ? 2 : 1;
            assertThat(relevant.size()).as(category + ": " + titles).isLessThanOrEqualTo(allowed);
        });
    }

    @Test
    @DisplayName("on the tune split each true performance category gets one cause title, or two where the taxonomy is finer than the labels")
    void performanceCategories() {
        Map<String, Map<String, Integer>> table = titlesByCategory("performance_issues", 3, 1_200);
        print("performance_issues", table);
        assertThat(table).isNotEmpty();
        table.forEach((category, titles) -> {
            Map<String, Integer> relevant = new TreeMap<>(titles);
            relevant.remove("(not relevant)");
            int allowed = category.equals("expensive_trace") ? 2 : 1;
            assertThat(relevant.size()).as(category + ": " + titles).isLessThanOrEqualTo(allowed);
        });
    }

    @Test
    @DisplayName("on the tune split the agent loops are recognised from their events, even those neither slow nor expensive enough to be relevant")
    void loopsRecognised() {
        int loops = 0;
        int named = 0;
        for (LabelledTrace t : GENERATOR.generate(Split.TUNE, 3, 1_200).traces()) {
            if (!"agent_loop".equals(t.labels().get("performance_issues"))) {
                continue;
            }
            List<TraceEvent> events = new ArrayList<>();
            int i = 0;
            for (ObjectNode e : t.events()) {
                events.add(TraceEvent.fromCapture(e, "uuid-" + i++, Instant.EPOCH));
            }
            AssembledTrace trace = TraceAssembler.assemble(t.traceId(), events);
            loops++;
            boolean loop = PerformanceCause.of(trace, false, 0, 0, 0, 0).title().equals(PerformanceCause.LOOP);
            named += loop ? 1 : 0;
        }
        System.out.printf("agent_loop: %d of %d named as a loop from their events%n", named, loops);
        assertThat(loops).isPositive();
        assertThat(named).isEqualTo(loops);
    }
}
