package dev.prism.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.eval.CorpusFiles;
import dev.prism.eval.CorpusGenerator;
import dev.prism.eval.PhraseBank;
import dev.prism.eval.QualityReport;
import dev.prism.eval.QualityReport.ThemeQuality;
import dev.prism.eval.Split;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prism eval}: Prism's insight quality on a labelled corpus (generated from the phrase bank, or read from a
 * directory in the same format), measured end to end against a fresh in-process server.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure insight quality (relevance, clusters, names) on a labelled corpus.")
public final class EvalCommand implements Callable<Integer> {

    private static final com.fasterxml.jackson.databind.ObjectWriter JSON = dev.prism.common.JsonMapping.PRETTY;

    @Option(names = "--split", defaultValue = "eval", description = "Phrase bank half to generate from: eval (default) or tune.")
    String split;

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed (default 1).")
    long seed;

    @Option(names = "--traces", defaultValue = "600", description = "Traces to generate (default 600).")
    int traces;

    @Option(names = "--corpus", description = "Measure this directory's events.jsonl and labels.jsonl instead of generating a corpus.")
    Path corpus;

    @Option(names = "--save-corpus", description = "Also write the generated corpus (events.jsonl, labels.jsonl) to this directory.")
    Path saveCorpus;

    @Option(names = "--out", description = "Write the report to this file as well as printing it.")
    Path out;

    @Option(names = "--json", description = "Print (and write) the report as JSON.")
    boolean json;

    @Option(names = "--timeout-minutes", defaultValue = "20", description = "Longest wait for any one step (default 20).")
    int timeoutMinutes;

    @Override
    public Integer call() throws Exception {
        PrintStream console = System.out;
        PhraseBank bank = PhraseBank.load();
        Split chosen;
        try {
            chosen = Split.parse(split);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        List<ObjectNode> events = new ArrayList<>();
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        String source;
        if (corpus != null) {
            CorpusFiles.Loaded loaded = CorpusFiles.read(corpus);
            events.addAll(loaded.events());
            labels.putAll(loaded.labels());
            source = "corpus " + corpus;
        } else {
            if (traces < 1) {
                System.err.println("--traces must be at least 1");
                return 2;
            }
            CorpusGenerator.Corpus generated = new CorpusGenerator(bank).generate(chosen, seed, traces);
            generated.traces().forEach(t -> {
                events.addAll(t.events());
                labels.put(t.traceId(), t.labels());
            });
            if (saveCorpus != null) {
                CorpusFiles.write(generated, saveCorpus);
            }
            source = String.format(Locale.ROOT, "generated corpus: split %s, seed %d, %d traces", chosen.id(), seed, traces);
        }
        PrintStream progress = json ? System.err : console;
        progress.println("prism eval: " + source + ", " + events.size() + " events");
        List<ThemeQuality> report = new EvalRunner(progress, Duration.ofMinutes(timeoutMinutes)).run(events, labels, descriptions(bank));
        String text = json ? JSON.writeValueAsString(Map.of("source", source, "themes", report))
                : QualityReport.render(report, "Prism quality on the " + source);
        console.println(text);
        if (out != null) {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** Per labelled theme, each category's description from the phrase bank. */
    public static Map<String, Map<String, String>> descriptions(PhraseBank bank) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String theme : PhraseBank.THEMES) {
            Map<String, String> byCategory = new LinkedHashMap<>();
            bank.categories(theme).forEach(c -> byCategory.put(c.id(), c.description()));
            out.put(theme, byCategory);
        }
        return out;
    }
}
