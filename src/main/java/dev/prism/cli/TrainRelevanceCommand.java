package dev.prism.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.prism.embed.OnnxMiniLm;
import dev.prism.embed.Vectors;
import dev.prism.relevance.RelevanceModel;
import dev.prism.relevance.RelevanceTraining;
import dev.prism.relevance.RelevanceTraining.LabelledTrace;
import dev.prism.relevance.RelevanceTraining.Sentence;
import dev.prism.relevance.TraceView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Trains the offline relevance model ({@code relevance/model.json}): sentence heads on the labelled sentence bank
 * ({@code relevance/sentences.tsv}) and on labelled traces, then per-theme combiners and thresholds on those traces.
 * Runs the local embedding model in process; a few seconds to a minute on 2 cores.
 */
@Command(name = "train-relevance", description = "Train the offline relevance model from the sentence bank and labelled traces.",
        mixinStandardHelpOptions = true)
public final class TrainRelevanceCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "src/main/resources/relevance/model.json", description = "Where to write the weights.")
    Path out;

    @Option(names = "--bank", description = "The sentence bank (default: relevance/sentences.tsv on the classpath).")
    Path bank;

    @Option(names = "--seed", defaultValue = "13", description = "Seed of the traces composed from the bank.")
    long seed;

    @Override
    public Integer call() throws Exception {
        try (OnnxMiniLm model = OnnxMiniLm.load(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            Embed embed = new Embed(model);
            List<Sentence> sentences = new ArrayList<>();
            List<String[]> rows = RelevanceTraining.parseBank(bankLines());
            List<float[]> vectors = embed.all(rows.stream().map(r -> r[1]).toList());
            for (int i = 0; i < rows.size(); i++) {
                sentences.add(new Sentence(rows.get(i)[1], RelevanceTraining.labels(rows.get(i)[0]), vectors.get(i)));
            }
            List<LabelledTrace> traces = composed(rows, seed, embed);
            Map<String, List<float[]>> themes = new LinkedHashMap<>();
            ThemeTexts.ALL.forEach((id, text) -> themes.put(id, embed.all(text)));
            RelevanceModel.Weights w = RelevanceTraining.train(OnnxMiniLm.MODEL, OnnxMiniLm.DIMENSIONS, sentences, traces, themes);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(RelevanceModel.write(w)) + "\n");
            System.out.printf("trained on %d sentences and %d traces; analyzer thresholds %s, pre-filter %s, custom %.2f -> %s%n",
                    sentences.size(), traces.size(), w.analyzer(), w.prefilter(), w.custom(), out);
            return 0;
        }
    }

    private List<String> bankLines() throws IOException {
        if (bank != null) {
            return Files.readAllLines(bank, StandardCharsets.UTF_8);
        }
        try (InputStream in = TrainRelevanceCommand.class.getResourceAsStream("/relevance/sentences.tsv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Embeds texts in process, each distinct text once. */
    static final class Embed {
        private final OnnxMiniLm model;
        private final Map<String, float[]> cache = new HashMap<>();

        Embed(OnnxMiniLm model) {
            this.model = model;
        }

        List<float[]> all(List<String> texts) {
            List<String> missing = texts.stream().filter(t -> !cache.containsKey(t)).distinct().toList();
            for (int from = 0; from < missing.size(); from += 64) {
                List<String> batch = missing.subList(from, Math.min(missing.size(), from + 64));
                List<float[]> v = model.embed(batch);
                for (int i = 0; i < batch.size(); i++) {
                    cache.put(batch.get(i), Vectors.normalize(v.get(i)));
                }
            }
            return texts.stream().map(cache::get).toList();
        }
    }

    /** The built-in user-language themes as a custom theme would describe them, to calibrate the zero-shot threshold. */
    static final class ThemeTexts {
        static final Map<String, List<String>> ALL = new LinkedHashMap<>();

        static {
            ALL.put("feature_requests", RelevanceModel.themeSentences("Feature requests", "Capabilities users ask for that the product does not have.",
                    "- the user asking for something the assistant cannot do (export, integrations, scheduling, formats)"));
            ALL.put("ux_issues", RelevanceModel.themeSentences("UX friction", "Where users were confused, frustrated or had to work around the assistant.",
                    "- the user repeating or rephrasing a request, correcting the assistant, rejecting an answer\n- complaints, sarcasm, signs of annoyance"));
        }
    }

    /**
     * Traces composed from the bank's sentences, labelled by the themes' definitions: a request for a missing capability
     * that the assistant declines is a feature request; friction in the user's words or a thumbs-down is UX friction;
     * an answered trace without an unrecovered error or friction is a success; friction, an unrecovered failure or a
     * missing capability makes an unhappy user. A stand-in until labelled corpora are available, and kept beside them.
     */
    static List<LabelledTrace> composed(List<String[]> rows, long seed, Embed embed) {
        Map<String, List<String>> by = new HashMap<>();
        for (String[] r : rows) {
            for (String l : RelevanceTraining.labels(r[0])) {
                by.computeIfAbsent(l, k -> new ArrayList<>()).add(r[1]);
            }
        }
        Random random = new Random(seed);
        List<LabelledTrace> out = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            String task = pick(by.get("neutral"), random);
            String answer = pick(by.get("answers"), random);
            List<String> users = new ArrayList<>(List.of(task));
            List<String> replies = new ArrayList<>(List.of(answer));
            Set<String> themes = new java.util.HashSet<>();
            int errors = 0;
            boolean recovered = false;
            boolean answered = true;
            double latency = 1 + random.nextDouble() * 8;
            double cost = random.nextDouble() * 0.05;
            int feedback = 0;
            int negative = 0;
            int positive = 0;
            int kind = random.nextInt(10);
            switch (kind) {
                case 0, 1 -> { // a missing capability, declined
                    users.add(pick(by.get("feature_requests"), random));
                    replies.add(pick(by.get("declines"), random));
                    themes.add("feature_requests");
                    themes.add("unhappy_users");
                }
                case 2, 3 -> { // friction
                    users.add(pick(by.get("ux_issues"), random));
                    replies.add(pick(by.get("answers"), random));
                    themes.add("ux_issues");
                    themes.add("unhappy_users");
                    if (random.nextBoolean()) {
                        negative = 1;
                        feedback = 1;
                    }
                }
                case 4 -> { // a failure nobody recovered from
                    errors = 1 + random.nextInt(3);
                    answered = false;
                    replies.clear();
                    themes.add("unhappy_users");
                }
                case 5 -> { // a failure recovered by a retry
                    errors = 1;
                    recovered = true;
                    themes.add("success_patterns");
                }
                case 6 -> { // thanks
                    users.add(pick(by.get("success_patterns"), random));
                    positive = random.nextInt(2);
                    themes.add("success_patterns");
                }
                case 7 -> { // a negative rating without words
                    negative = 1;
                    themes.add("ux_issues");
                    themes.add("unhappy_users");
                }
                default -> { // an ordinary task, fulfilled (sometimes slow: still a success)
                    if (random.nextInt(4) == 0) {
                        latency = 35 + random.nextDouble() * 40;
                    }
                    themes.add("success_patterns");
                }
            }
            TraceView view = new TraceView(users, replies, new TraceView.Structure(errors, recovered, answered, latency, latency * 0.8, cost,
                    1_000, 1 + errors, errors, feedback, negative, positive, errors > 0 && random.nextBoolean() ? 1 : 0));
            out.add(new LabelledTrace("composed-" + i, view, themes, embed.all(view.userSentences()), embed.all(view.assistantSentences())));
        }
        return out;
    }

    private static String pick(List<String> from, Random random) {
        return from.get(random.nextInt(from.size()));
    }
}
