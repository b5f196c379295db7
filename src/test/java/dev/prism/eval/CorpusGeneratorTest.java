package dev.prism.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.TraceEvent;
import dev.prism.eval.CorpusGenerator.Corpus;
import dev.prism.eval.CorpusGenerator.LabelledTrace;
import dev.prism.eval.PhraseBank.Category;
import dev.prism.eval.PhraseBank.Phrase;
import dev.prism.format.TraceFormatter;
import dev.prism.trace.TraceAssembler;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class CorpusGeneratorTest {

    private static final PhraseBank BANK = PhraseBank.load();
    private static final CorpusGenerator GENERATOR = new CorpusGenerator(BANK);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("The same split, seed and size give the same corpus byte for byte; another seed gives another")
    void deterministicPerSeed() throws Exception {
        String first = JSON.writeValueAsString(GENERATOR.generate(Split.EVAL, 7, 120));
        String again = JSON.writeValueAsString(GENERATOR.generate(Split.EVAL, 7, 120));
        String other = JSON.writeValueAsString(GENERATOR.generate(Split.EVAL, 8, 120));
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    @DisplayName("A tune corpus and an eval corpus never share a phrasing id, and each uses only its own split's ids")
    void splitsShareNoPhrasing() {
        Set<String> tune = usedIds(GENERATOR.generate(Split.TUNE, 1, 600));
        Set<String> eval = usedIds(GENERATOR.generate(Split.EVAL, 1, 600));
        assertThat(tune).isNotEmpty().allMatch(id -> Split.of(id) == Split.TUNE);
        assertThat(eval).isNotEmpty().allMatch(id -> Split.of(id) == Split.EVAL);
        assertThat(tune).doesNotContainAnyElementsOf(eval);
    }

    @Test
    @DisplayName("No text is written twice in the bank, so the two splits cannot share a phrasing under different ids")
    void noDuplicateTexts() {
        Map<String, String> seen = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Phrase p : allPhrases()) {
            assertThat(ids.add(p.id())).as("id %s is unique", p.id()).isTrue();
            String key = p.text().toLowerCase().replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
            String previous = seen.put(key, p.id());
            if (previous != null) {
                duplicates.add(previous + " = " + p.id());
            }
        }
        assertThat(duplicates).isEmpty();
    }

    @Test
    @DisplayName("Every user-language category has at least 30 phrasings, split about half and half")
    void userLanguageCategoriesHaveThirtyPhrasings() {
        for (String theme : List.of("feature_requests", "ux_issues", PhraseBank.NOISE)) {
            for (Category c : BANK.categories(theme)) {
                assertThat(c.phrasings()).as(theme + "/" + c.id()).hasSizeGreaterThanOrEqualTo(30);
                long tune = c.phrasings().stream().filter(p -> p.split() == Split.TUNE).count();
                assertThat(tune).as(c.id() + " tune share").isBetween(c.phrasings().size() * 2L / 5, c.phrasings().size() * 3L / 5);
                assertThat(c.description()).as(c.id() + " description").isNotBlank();
            }
        }
        assertThat(BANK.categories("feature_requests")).hasSize(6);
        assertThat(BANK.categories("ux_issues")).extracting(Category::id).containsExactly(
                "ignored_constraint", "repeated_wrong_answer", "lost_context", "too_verbose", "unnecessary_refusal");
        BANK.categories("ux_issues").stream().filter(c -> c.id().equals("ignored_constraint"))
                .flatMap(c -> c.phrasings().stream()).forEach(p -> assertThat(p.constraint()).as(p.id()).isNotBlank());
        assertThat(BANK.pool("thanks")).hasSizeGreaterThanOrEqualTo(30);
    }

    @Test
    @DisplayName("Every error cause has variants in both splits from several providers and SDKs")
    void errorCausesVary() {
        assertThat(BANK.categories("error_analysis")).extracting(Category::id).containsExactly("rate_limit", "expired_credentials",
                "context_window_exceeded", "timeout", "invalid_tool_arguments", "provider_server_error", "output_parse_failure");
        for (Category c : BANK.categories("error_analysis")) {
            assertThat(c.variants()).as(c.id()).hasSizeGreaterThanOrEqualTo(8);
            assertThat(c.variants().stream().map(v -> v.split()).distinct()).as(c.id()).hasSize(2);
            assertThat(c.variants().stream().map(v -> v.error().replaceAll("[:(].*", "")).distinct().count()).as(c.id() + " distinct exception forms")
                    .isGreaterThanOrEqualTo(6);
        }
    }

    @Test
    @DisplayName("Every label agrees with what the events show")
    void labelsMatchTheEvents() {
        Corpus corpus = GENERATOR.generate(Split.EVAL, 3, 600);
        for (LabelledTrace trace : corpus.traces()) {
            Map<String, String> labels = trace.labels();
            assertThat(labels.keySet()).containsExactlyElementsOf(PhraseBank.THEMES);
            List<JsonNode> props = trace.events().stream().map(e -> e.get("properties")).collect(Collectors.toList());
            assertThat(props).allMatch(p -> p.path("$ai_trace_id").asText().equals(trace.traceId()));
            boolean failed = props.stream().anyMatch(p -> p.path("$ai_is_error").asBoolean(false));
            String error = labels.get("error_analysis");
            assertThat(failed).as(trace.situation() + " carries an error event").isEqualTo(!error.equals(CorpusGenerator.NONE));
            double maxLatency = props.stream().filter(p -> p.has("$ai_model")).mapToDouble(p -> p.path("$ai_latency").asDouble()).max().orElse(0);
            double cost = props.stream().mapToDouble(p -> p.path("$ai_total_cost_usd").asDouble()).sum();
            Map<String, Long> toolCalls = trace.events().stream().map(e -> e.toString())
                    .flatMap(s -> java.util.regex.Pattern.compile("\"(?:name|toolName)\":\"([a-z_]+)\"").matcher(s).results().map(m -> m.group(1)))
                    .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
            String performance = labels.get("performance_issues");
            assertThat(maxLatency >= 30).as(trace.situation() + " slow").isEqualTo(performance.equals("slow_generation"));
            assertThat(cost >= 0.5).as(trace.situation() + " cost " + cost).isEqualTo(performance.equals("expensive_trace"));
            double duration = props.stream().filter(p -> p.has("$ai_model") || p.has("$ai_span_name") && !p.path("$ai_span_id").asText().equals(trace.traceId()))
                    .mapToDouble(p -> p.path("$ai_latency").asDouble()).sum();
            if (performance.equals(CorpusGenerator.NONE)) {
                assertThat(duration).as(trace.situation() + " lasts under 30 s").isLessThan(30);
            }
            if (performance.equals("agent_loop")) {
                long generations = props.stream().filter(p -> p.has("$ai_model")).count();
                assertThat(generations).as(trace.situation()).isGreaterThanOrEqualTo(7);
            }
            String text = trace.events().toString();
            for (String id : trace.phraseIds()) {
                Phrase phrase = phrase(id);
                if (phrase != null) {
                    String shown = JSON.valueToTree(phrase.text().replaceAll("\\{link}.*", "")).toString().replaceAll("^\"|\"$", "");
                    assertThat(text.contains(shown)).as(trace.situation() + " shows " + id).isTrue();
                }
            }
            if (!labels.get("feature_requests").equals(CorpusGenerator.NONE)) {
                assertThat(trace.phraseIds()).anyMatch(id -> id.startsWith(labels.get("feature_requests") + "-"));
                assertThat(trace.phraseIds()).anyMatch(id -> id.startsWith("cannot_do-"));
            }
            if (!labels.get("ux_issues").equals(CorpusGenerator.NONE)) {
                assertThat(trace.phraseIds()).anyMatch(id -> id.startsWith(labels.get("ux_issues") + "-"));
            }
            if (labels.get("success_patterns").equals("recovered_after_retry")) {
                assertThat(failed).isTrue();
                JsonNode last = props.stream().filter(p -> p.has("$ai_model")).reduce((a, b) -> b).orElseThrow();
                assertThat(last.path("$ai_is_error").asBoolean(false)).as(trace.situation() + " ends answered").isFalse();
            }
            assertThat(toolCalls).isNotNull();
        }
    }

    @Test
    @DisplayName("About one trace in six mixes causes, labelled for every theme it belongs to, in both splits")
    void mixedTracesCarryEveryLabel() {
        for (Split split : Split.values()) {
            Corpus corpus = GENERATOR.generate(split, 4, 600);
            long mixed = 0;
            Set<String> seen = new HashSet<>();
            for (LabelledTrace trace : corpus.traces()) {
                Map<String, String> labels = trace.labels();
                long problems = java.util.stream.Stream.of("error_analysis", "performance_issues", "feature_requests", "ux_issues")
                        .filter(t -> !labels.get(t).equals(CorpusGenerator.NONE)).count();
                boolean complaint = !labels.get("ux_issues").equals(CorpusGenerator.NONE) || !labels.get("feature_requests").equals(CorpusGenerator.NONE);
                if (complaint) {
                    assertThat(labels.get("success_patterns")).as(trace.situation() + " is no success").isEqualTo(CorpusGenerator.NONE);
                }
                if (!trace.situation().startsWith("mix:")) {
                    continue;
                }
                mixed++;
                assertThat(problems).as(trace.situation() + " " + labels).isEqualTo(2);
                String mix = trace.situation().substring(4, trace.situation().indexOf('/'));
                seen.add(mix);
                List<JsonNode> calls = trace.events().stream().map(e -> e.get("properties")).filter(p -> p.has("$ai_model")).toList();
                boolean lastFailed = calls.get(calls.size() - 1).path("$ai_is_error").asBoolean(false);
                boolean anyFailed = calls.stream().anyMatch(p -> p.path("$ai_is_error").asBoolean(false));
                switch (mix) {
                    case "ux_failed_reply" -> {
                        assertThat(labels.get("ux_issues")).isNotEqualTo(CorpusGenerator.NONE);
                        assertThat(lastFailed).as(trace.situation() + ": the reply to the complaint failed").isTrue();
                    }
                    case "ux_retried_reply", "ux_after_recovered_error" -> {
                        assertThat(labels.get("ux_issues")).isNotEqualTo(CorpusGenerator.NONE);
                        assertThat(anyFailed && !lastFailed).as(trace.situation() + ": a retry answered").isTrue();
                    }
                    case "feature_with_error" -> {
                        assertThat(labels.get("feature_requests")).isNotEqualTo(CorpusGenerator.NONE);
                        assertThat(labels.get("error_analysis")).isNotEqualTo(CorpusGenerator.NONE);
                    }
                    case "feature_when_slow", "ux_when_slow" -> {
                        assertThat(labels.get("performance_issues")).isEqualTo("slow_generation");
                        assertThat(labels.get(mix.startsWith("ux") ? "ux_issues" : "feature_requests")).isNotEqualTo(CorpusGenerator.NONE);
                    }
                    default -> throw new AssertionError("unknown mix " + mix);
                }
            }
            assertThat(seen).as(split + " mixes").containsExactlyInAnyOrderElementsOf(CorpusGenerator.MIXES);
            assertThat(mixed / 600.0).as(split + " share of mixed traces").isBetween(0.15, 0.20);
        }
    }

    @Test
    @DisplayName("The corpus covers every SDK shape, at least eight domains and every category of every theme")
    void coversShapesDomainsAndCategories() {
        Corpus corpus = GENERATOR.generate(Split.EVAL, 5, 600);
        Set<String> shapes = new HashSet<>();
        Set<String> domains = new HashSet<>();
        Map<String, Set<String>> categories = new HashMap<>();
        for (LabelledTrace trace : corpus.traces()) {
            String[] parts = trace.situation().split("/");
            shapes.add(parts[1]);
            domains.add(parts[2]);
            trace.labels().forEach((theme, category) -> categories.computeIfAbsent(theme, k -> new HashSet<>()).add(category));
        }
        assertThat(shapes).hasSize(ProviderShape.values().length);
        assertThat(domains).hasSizeGreaterThanOrEqualTo(8);
        for (String theme : PhraseBank.THEMES) {
            for (Category c : BANK.categories(theme)) {
                assertThat(categories.get(theme)).as(theme).contains(c.id());
            }
        }
    }

    @Test
    @DisplayName("Prism's formatter renders every shape's trace with the user's words in it")
    void formatterReadsEveryShape() {
        Corpus corpus = GENERATOR.generate(Split.TUNE, 11, 200);
        for (LabelledTrace trace : corpus.traces()) {
            List<TraceEvent> events = new ArrayList<>();
            int i = 0;
            for (ObjectNode e : trace.events()) {
                events.add(TraceEvent.fromCapture(e, "uuid-" + i++, Instant.EPOCH));
            }
            String text = TraceFormatter.format(TraceAssembler.assemble(trace.traceId(), events), TraceFormatter.Options.defaults());
            for (String id : trace.phraseIds()) {
                Phrase phrase = phrase(id);
                boolean userWords = id.matches("(export_spreadsheet|calendar_integration|team_notifications|voice_input|bulk_import|offline_mode"
                        + "|ignored_constraint|repeated_wrong_answer|lost_context|too_verbose|unnecessary_refusal|negation|quoted_error|fulfilled_task).*");
                if (phrase != null && userWords) {
                    String words = phrase.text().length() > 24 ? phrase.text().substring(0, 24) : phrase.text();
                    assertThat(text.contains(words)).as(trace.situation() + " renders " + id + ":\n" + text).isTrue();
                }
            }
            if (!trace.labels().get("error_analysis").equals(CorpusGenerator.NONE)) {
                assertThat(text).as(trace.situation() + " renders its error").containsIgnoringCase("error");
            }
        }
    }

    @Test
    @DisplayName("A corpus written to events.jsonl and labels.jsonl reads back with the same events and labels")
    void writesAndReadsBack(@TempDir Path dir) throws Exception {
        Corpus corpus = GENERATOR.generate(Split.EVAL, 2, 60);
        CorpusFiles.write(corpus, dir);
        CorpusFiles.Loaded loaded = CorpusFiles.read(dir);
        assertThat(loaded.events()).hasSize(corpus.traces().stream().mapToInt(t -> t.events().size()).sum());
        assertThat(loaded.labels()).hasSize(60);
        for (LabelledTrace trace : corpus.traces()) {
            assertThat(loaded.labels().get(trace.traceId())).isEqualTo(trace.labels());
        }
        // As text: token counts are written from longs and read back as ints, which ObjectNode.equals tells apart.
        assertThat(loaded.events().get(0).toString()).isEqualTo(corpus.traces().get(0).events().get(0).toString());
    }

    private static Set<String> usedIds(Corpus corpus) {
        return corpus.traces().stream().flatMap(t -> t.phraseIds().stream()).collect(Collectors.toSet());
    }

    private static List<Phrase> allPhrases() {
        List<Phrase> out = new ArrayList<>();
        BANK.allCategories().values().forEach(cs -> cs.forEach(c -> out.addAll(c.phrasings())));
        BANK.pools().values().forEach(out::addAll);
        return out;
    }

    private static Phrase phrase(String id) {
        return allPhrases().stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
    }
}
