package dev.prism.cli;

import dev.prism.common.VectorMath;
import dev.prism.embed.OnnxMiniLm;
import dev.prism.eval.PhraseBank;
import dev.prism.eval.Split;
import dev.prism.relevance.RelevanceModel;
import dev.prism.relevance.RelevanceTraining;
import dev.prism.relevance.RelevanceTraining.LabelledTrace;
import dev.prism.relevance.RelevanceTraining.Sentence;
import dev.prism.relevance.TraceView;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Option(names = "--seed", defaultValue = "13", description = "Seed of the training traces.")
    long seed;

    @Option(names = "--traces", defaultValue = "1500", description = "Traces of the corpus's tune split to train on; 0 trains on traces composed from the bank only.")
    int traces;

    /** Plain titles of the corpus's UX categories, whose tune phrasings serve as friction exemplars. */
    static final Map<String, String> FRICTION_TITLES = Map.of(
            "ignored_constraint", "Assistant ignored the user's constraint",
            "repeated_wrong_answer", "Assistant repeated a wrong answer",
            "lost_context", "Assistant forgot what the user said",
            "too_verbose", "Answer far too long",
            "unnecessary_refusal", "Assistant refused a harmless request");

    @Override
    public Integer call() throws Exception {
        try (OnnxMiniLm model = OnnxMiniLm.load(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            Embed embed = new Embed(model);
            List<Sentence> sentences = new ArrayList<>();
            List<String[]> rows = new ArrayList<>(RelevanceTraining.parseBank(bankLines()));
            List<float[]> vectors = embed.all(rows.stream().map(r -> r[1]).toList());
            for (int i = 0; i < rows.size(); i++) {
                sentences.add(new Sentence(rows.get(i)[1], RelevanceTraining.labels(rows.get(i)[0]), vectors.get(i)));
            }
            List<LabelledTrace> labelled;
            Map<String, List<float[]>> themes = new LinkedHashMap<>();
            int bankSize = rows.size();
            if (traces > 0) {
                // Only the tune split: the eval split and other people's corpora measure the model.
                tunePhrasings().forEach(r -> rows.add(r));
                List<String[]> added = rows.subList(sentences.size(), rows.size());
                List<float[]> addedVectors = embed.all(added.stream().map(r -> r[1]).toList());
                for (int i = 0; i < added.size(); i++) {
                    sentences.add(new Sentence(added.get(i)[1], RelevanceTraining.labels(added.get(i)[0]), addedVectors.get(i), added.get(i)[2]));
                }
                labelled = new ArrayList<>();
                Map<String, Set<String>> byCategory = new LinkedHashMap<>();
                for (LabelledCorpus.Item item : LabelledCorpus.generate(Split.TUNE, seed, traces)) {
                    TraceView view = TraceView.of(item.trace(), item.text());
                    Set<String> truth = new java.util.HashSet<>(item.themes());
                    // Each FR and UX category is also a theme of its own, to calibrate the zero-shot threshold of custom themes.
                    for (String theme : List.of("feature_requests", "ux_issues")) {
                        String category = item.labels().get(theme);
                        if (category != null && !category.equals("none")) {
                            truth.add("category:" + category);
                        }
                    }
                    // Grouped by the phrasing the trace is built around: out-of-fold scores never see that wording.
                    String group = item.phraseIds().isEmpty() ? item.traceId() : item.phraseIds().get(0);
                    labelled.add(new LabelledTrace(item.traceId(), view, truth, embed.all(view.userSentences()), embed.all(view.assistantSentences()), group));
                }
                // The corpus has no feedback events or ratings: traces composed from the bank teach what those signal.
                labelled.addAll(composed(rows.subList(0, bankSize), seed, embed, traces / 5));
                PhraseBank bank = PhraseBank.load();
                for (String theme : List.of("feature_requests", "ux_issues")) {
                    for (PhraseBank.Category c : bank.categories(theme)) {
                        themes.put("category:" + c.id(), embed.all(RelevanceModel.themeSentences(c.id().replace('_', ' '), c.description(), null)));
                    }
                }
            } else {
                labelled = composed(rows, seed, embed, 900);
                ThemeTexts.ALL.forEach((id, text) -> themes.put(id, embed.all(text)));
            }
            List<LabelledTrace> trainOn = labelled;
            RelevanceModel.Weights w = RelevanceTraining.train(OnnxMiniLm.MODEL, OnnxMiniLm.DIMENSIONS, sentences, trainOn, themes);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, dev.prism.common.JsonMapping.PRETTY.writeValueAsString(RelevanceModel.write(w)) + "\n");
            System.out.printf("trained on %d sentences and %d traces; analyzer thresholds %s, pre-filter %s, custom %.2f -> %s%n",
                    sentences.size(), labelled.size(), w.analyzer(), w.prefilter(), w.custom(), out);
            return 0;
        }
    }

    /**
     * The corpus's tune-split phrasings as labelled sentences: feature requests, UX complaints (friction exemplars by
     * category) and the look-alikes that must not count (negations, quoted errors, fulfilled tasks).
     */
    static List<String[]> tunePhrasings() {
        PhraseBank bank = PhraseBank.load();
        List<String[]> out = new ArrayList<>();
        for (PhraseBank.Category c : bank.categories("feature_requests")) {
            c.phrasings().stream().filter(p -> Split.of(p.id()) == Split.TUNE).forEach(p -> out.add(new String[]{"feature_requests,unhappy_users", p.text(), p.id()}));
        }
        for (PhraseBank.Category c : bank.categories("ux_issues")) {
            String title = FRICTION_TITLES.getOrDefault(c.id(), c.id().replace('_', ' '));
            c.phrasings().stream().filter(p -> Split.of(p.id()) == Split.TUNE)
                    .forEach(p -> out.add(new String[]{"ux_issues,unhappy_users,friction:" + title, p.text(), p.id()}));
        }
        for (PhraseBank.Category c : bank.categories(PhraseBank.NOISE)) {
            if (List.of("negation", "quoted_error", "fulfilled_task").contains(c.id())) {
                c.phrasings().stream().filter(p -> Split.of(p.id()) == Split.TUNE).forEach(p -> out.add(new String[]{"neutral", p.text(), p.id()}));
            }
        }
        return out;
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
                    cache.put(batch.get(i), VectorMath.normalize(v.get(i)));
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
    static List<LabelledTrace> composed(List<String[]> rows, long seed, Embed embed, int count) {
        Map<String, List<String>> by = new HashMap<>();
        for (String[] r : rows) {
            for (String l : RelevanceTraining.labels(r[0])) { // the hand-written bank only: its labels and wording
                by.computeIfAbsent(l, k -> new ArrayList<>()).add(r[1]);
            }
        }
        Random random = new Random(seed);
        List<LabelledTrace> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
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
                default -> { // an ordinary task, fulfilled; a slow one is a performance problem, not a success
                    if (random.nextInt(4) == 0) {
                        latency = 35 + random.nextDouble() * 40;
                    } else {
                        themes.add("success_patterns");
                    }
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
