package dev.prism.relevance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Fits the relevance model: the sentence heads on labelled sentences (the hand-written bank, plus the sentences of
 * labelled traces: every user sentence of a trace without the theme is a negative, and in a trace with it the sentence
 * the bank-trained head already rates highest is a positive), then the per-theme combiners and thresholds on labelled
 * traces. Deterministic for its inputs. Pure.
 */
public final class RelevanceTraining {

    /** A sentence and its labels (themes, {@code neutral}, {@code declines}, {@code answers}, {@code friction:<title>}). */
    public record Sentence(String text, Set<String> labels, float[] vector, String group) {

        public Sentence(String text, Set<String> labels, float[] vector) {
            this(text, labels, vector, null);
        }
    }

    /** A trace with its true themes and the vectors of {@link TraceView#userSentences()} and {@link TraceView#assistantSentences()}. */
    public record LabelledTrace(String id, TraceView view, Set<String> themes, List<float[]> user, List<float[]> assistant, String group) {

        public LabelledTrace(String id, TraceView view, Set<String> themes, List<float[]> user, List<float[]> assistant) {
            this(id, view, themes, user, assistant, null);
        }
    }

    /** Folds for out-of-fold scores: by phrasing, so a fold's traces are scored by heads that never saw their wording. */
    static final int FOLDS = 3;

    static int fold(String group) {
        return group == null ? -1 : Math.floorMod(group.hashCode() * 31 + 7, FOLDS);
    }

    /** Recall the pre-filter keeps on the training traces, above the 0.85 target to leave room for unseen wording. */
    public static final double PREFILTER_RECALL = 0.985;
    static final double HEAD_L2 = 1e-3;
    static final double COMBINER_L2 = 1e-3;

    private RelevanceTraining() {
    }

    /**
     * @param customThemes the text of themes with labels in {@code traces}, scored zero-shot to calibrate the custom
     *                     threshold (the built-in themes' own descriptions serve: their labels are known)
     */
    public static RelevanceModel.Weights train(String model, int dimensions, List<Sentence> bank, List<LabelledTrace> traces,
                                               Map<String, List<float[]>> customThemes) {
        Map<String, Logistic> heads = heads(bank, traces);
        // The combiners learn from out-of-fold features: each trace scored by heads trained without its phrasing, as
        // unseen wording will be; heads that saw the wording would make the sentence scores look surer than they are.
        boolean grouped = traces.stream().anyMatch(t -> t.group() != null);
        double[][] x = new double[traces.size()][];
        for (int k = 0; k < (grouped ? FOLDS : 0); k++) {
            int fold = k;
            List<Sentence> bankOut = bank.stream().filter(s -> fold(s.group()) != fold).toList();
            List<LabelledTrace> tracesOut = traces.stream().filter(t -> fold(t.group()) != fold).toList();
            RelevanceModel foldModel = new RelevanceModel(new RelevanceModel.Weights(model, dimensions, heads(bankOut, tracesOut), Map.of(), Map.of(), Map.of(), 0, List.of()));
            for (int i = 0; i < traces.size(); i++) {
                LabelledTrace t = traces.get(i);
                if (fold(t.group()) == fold) {
                    x[i] = foldModel.features(t.view(), t.user(), t.assistant());
                }
            }
        }
        RelevanceModel.Weights draft = new RelevanceModel.Weights(model, dimensions, heads, Map.of(), Map.of(), Map.of(), 0, List.of());
        RelevanceModel features = new RelevanceModel(draft);
        for (int i = 0; i < traces.size(); i++) {
            if (x[i] == null) {
                LabelledTrace t = traces.get(i);
                x[i] = features.features(t.view(), t.user(), t.assistant());
            }
        }
        Map<String, Logistic> combiners = new LinkedHashMap<>();
        Map<String, Double> analyzer = new LinkedHashMap<>();
        Map<String, Double> prefilter = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(RelevanceModel.STACKED_ON);
        order.add(RelevanceModel.STACKED);
        double[][] stacked = null;
        for (String theme : order) {
            boolean[] y = new boolean[traces.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = traces.get(i).themes().contains(theme);
            }
            if (theme.equals(RelevanceModel.STACKED)) {
                stacked = new double[x.length][];
                for (int i = 0; i < x.length; i++) {
                    Map<String, Double> others = new LinkedHashMap<>();
                    for (String o : RelevanceModel.STACKED_ON) {
                        others.put(o, combiners.get(o).probability(x[i]));
                    }
                    stacked[i] = RelevanceModel.stacked(x[i], others);
                }
            }
            double[][] in = theme.equals(RelevanceModel.STACKED) ? stacked : x;
            Logistic c = Logistic.train(in, y, COMBINER_L2, 1_500);
            combiners.put(theme, c);
            double[] p = Arrays.stream(in).mapToDouble(c::probability).toArray();
            analyzer.put(theme, analyzerThreshold(p, y));
            // Never above the analyzer's own threshold: the pre-filter only removes traces the analysis would reject.
            prefilter.put(theme, Math.min(analyzer.get(theme), recallThreshold(p, y, PREFILTER_RECALL)));
        }
        double custom = customThreshold(traces, customThemes);
        return new RelevanceModel.Weights(model, dimensions, heads, combiners, analyzer, prefilter, custom, friction(bank));
    }

    private static Map<String, Logistic> heads(List<Sentence> bank, List<LabelledTrace> traces) {
        Map<String, Logistic> heads = new LinkedHashMap<>();
        List<Sentence> userBank = bank.stream().filter(s -> !s.labels().contains("declines") && !s.labels().contains("answers")
                && !s.labels().contains("fails")).toList();
        for (String theme : RelevanceModel.THEMES) {
            Logistic first = head(userBank, theme, List.of(), List.of());
            // Self-training on the traces: hard negatives from traces without the theme, the best sentence of those with it.
            List<float[]> pos = new ArrayList<>();
            List<float[]> neg = new ArrayList<>();
            for (LabelledTrace t : traces) {
                if (t.themes().contains(theme)) {
                    float[] best = null;
                    double p = 0.5;
                    for (float[] v : t.user()) {
                        double q = first.probability(v);
                        if (q >= p) {
                            p = q;
                            best = v;
                        }
                    }
                    if (best != null) {
                        pos.add(best);
                    }
                } else {
                    neg.addAll(t.user());
                }
            }
            heads.put(theme, head(userBank, theme, pos, sample(neg, 3_000, theme.hashCode())));
        }
        List<Sentence> assistantBank = bank.stream().filter(s -> s.labels().contains("declines") || s.labels().contains("answers")
                || s.labels().contains("fails")).toList();
        List<float[]> ordinaryReplies = new ArrayList<>();
        for (LabelledTrace t : traces) {
            if (!t.themes().contains("feature_requests") && !t.themes().contains("unhappy_users")) {
                ordinaryReplies.addAll(t.assistant());
            }
        }
        heads.put(RelevanceModel.DECLINE_HEAD, head(assistantBank, "declines", List.of(), sample(ordinaryReplies, 2_000, 7)));
        // Failure apologies: the bank's, then the best one of each trace with an unrecovered error (self-training).
        Logistic fails = head(assistantBank, "fails", List.of(), sample(ordinaryReplies, 2_000, 11));
        List<float[]> failed = new ArrayList<>();
        List<float[]> fine = new ArrayList<>();
        for (LabelledTrace t : traces) {
            boolean unrecovered = t.themes().contains("error_analysis") && !t.themes().contains("success_patterns");
            if (unrecovered) {
                t.assistant().stream().filter(v -> fails.probability(v) >= 0.5).forEach(failed::add);
            } else if (t.themes().contains("success_patterns")) {
                fine.addAll(t.assistant());
            }
        }
        heads.put(RelevanceModel.FAILURE_HEAD, head(assistantBank, "fails", failed, sample(fine, 2_000, 13)));

        return heads;
    }

    private static Logistic head(List<Sentence> bank, String label, List<float[]> extraPos, List<float[]> extraNeg) {
        List<double[]> x = new ArrayList<>();
        List<Boolean> y = new ArrayList<>();
        for (Sentence s : bank) {
            x.add(doubles(s.vector()));
            y.add(s.labels().contains(label));
        }
        // The bank is small and hand-picked: weigh each of its sentences like several trace sentences.
        int repeat = Math.max(1, (extraPos.size() + extraNeg.size()) / Math.max(1, bank.size() * 2));
        List<double[]> bx = new ArrayList<>(x);
        List<Boolean> by = new ArrayList<>(y);
        for (int r = 1; r < repeat; r++) {
            x.addAll(bx);
            y.addAll(by);
        }
        extraPos.forEach(v -> {
            x.add(doubles(v));
            y.add(true);
        });
        extraNeg.forEach(v -> {
            x.add(doubles(v));
            y.add(false);
        });
        boolean[] labels = new boolean[y.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = y.get(i);
        }
        return Logistic.train(x.toArray(double[][]::new), labels, HEAD_L2, 400);
    }

    /** Out-of-fold precision the analyzer's threshold aims at, above the 0.9 target to leave room for unseen wording. */
    static final double TARGET_PRECISION = 0.94;
    static final double TARGET_RECALL = 0.88;

    /**
     * The analyzer's threshold: the best F1 among thresholds that reach both targets on the out-of-fold scores, else the
     * best F1 overall.
     */
    public static double analyzerThreshold(double[] p, boolean[] y) {
        double best = -1;
        double at = Double.NaN;
        for (double t : candidates(p)) {
            double[] pr = precisionRecall(p, y, t);
            double f1 = f1(p, y, t);
            if (pr[0] >= TARGET_PRECISION && pr[1] >= TARGET_RECALL && f1 > best) {
                best = f1;
                at = t;
            }
        }
        return Double.isNaN(at) ? bestF1Threshold(p, y) : Math.round(at * 100) / 100.0;
    }

    static double[] precisionRecall(double[] p, boolean[] y, double t) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < p.length; i++) {
            boolean hit = p[i] >= t;
            tp += hit && y[i] ? 1 : 0;
            fp += hit && !y[i] ? 1 : 0;
            fn += !hit && y[i] ? 1 : 0;
        }
        return new double[]{tp + fp == 0 ? 1 : (double) tp / (tp + fp), tp + fn == 0 ? 1 : (double) tp / (tp + fn)};
    }

    /** The threshold with the best F1 on these scores (the analyzer's: precision and recall both count). */
    public static double bestF1Threshold(double[] p, boolean[] y) {
        double best = -1;
        double low = 0.5;
        double high = 0.5;
        for (double t : candidates(p)) {
            double f1 = f1(p, y, t);
            if (f1 > best + 1e-9) {
                best = f1;
                low = t;
                high = t;
            } else if (Math.abs(f1 - best) < 1e-9 && Math.abs(t - high - 0.01) < 1e-6) {
                high = t;
            }
        }
        // The middle of the best plateau: as far as the training data allows from either kind of mistake.
        return Math.round((low + high) / 2 * 100) / 100.0;
    }

    /** The highest threshold that keeps at least {@code recall} of the positives (the pre-filter's: recall first). */
    public static double recallThreshold(double[] p, boolean[] y, double recall) {
        double[] positives = new double[0];
        List<Double> pos = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            if (y[i]) {
                pos.add(p[i]);
            }
        }
        positives = pos.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (positives.length == 0) {
            return 0;
        }
        int drop = (int) Math.floor(positives.length * (1 - recall));
        // Just under the lowest kept positive, so that ties are kept.
        return Math.max(0, Math.floor((positives[drop] - 1e-6) * 1000) / 1000);
    }

    static double f1(double[] p, boolean[] y, double t) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < p.length; i++) {
            boolean hit = p[i] >= t;
            tp += hit && y[i] ? 1 : 0;
            fp += hit && !y[i] ? 1 : 0;
            fn += !hit && y[i] ? 1 : 0;
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    private static double[] candidates(double[] p) {
        double[] c = new double[99];
        for (int i = 1; i < 100; i++) {
            c[i - 1] = i / 100.0;
        }
        return c;
    }

    /** The similarity threshold with the best mean F1 over the themes whose labels are known, scored as custom themes. */
    private static double customThreshold(List<LabelledTrace> traces, Map<String, List<float[]>> themes) {
        if (themes.isEmpty() || traces.isEmpty()) {
            return 0.5;
        }
        RelevanceModel zeroShot = new RelevanceModel(new RelevanceModel.Weights("", 0, Map.of(), Map.of(), Map.of(), Map.of(), 1, List.of()));
        Map<String, double[]> scores = new LinkedHashMap<>();
        themes.forEach((theme, vectors) -> scores.put(theme, traces.stream()
                .mapToDouble(t -> zeroShot.custom(theme, t.view().userSentences(), t.user(), vectors).probability()).toArray()));
        double best = -1;
        double at = 0.5;
        // A prior range: below 0.3 unrelated sentences of MiniLM already look alike, above 0.7 only paraphrases do.
        for (double t = 0.3; t <= 0.7; t += 0.01) {
            double sum = 0;
            for (Map.Entry<String, double[]> e : scores.entrySet()) {
                boolean[] y = new boolean[traces.size()];
                for (int i = 0; i < y.length; i++) {
                    y[i] = traces.get(i).themes().contains(e.getKey());
                }
                sum += f1(e.getValue(), y, t);
            }
            if (sum > best) {
                best = sum;
                at = Math.round(t * 100) / 100.0;
            }
        }
        return at;
    }

    private static List<RelevanceModel.FrictionType> friction(List<Sentence> bank) {
        Map<String, float[]> sums = new LinkedHashMap<>();
        for (Sentence s : bank) {
            for (String l : s.labels()) {
                if (l.startsWith("friction:")) {
                    float[] sum = sums.computeIfAbsent(l.substring("friction:".length()), k -> new float[s.vector().length]);
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += s.vector()[i];
                    }
                }
            }
        }
        List<RelevanceModel.FrictionType> out = new ArrayList<>();
        sums.forEach((title, sum) -> {
            double norm = 0;
            for (float v : sum) {
                norm += v * v;
            }
            float[] c = new float[sum.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) (sum[i] / Math.sqrt(norm));
            }
            out.add(new RelevanceModel.FrictionType(title, c));
        });
        return out;
    }

    private static List<float[]> sample(List<float[]> all, int max, long seed) {
        if (all.size() <= max) {
            return all;
        }
        List<float[]> copy = new ArrayList<>(all);
        java.util.Collections.shuffle(copy, new Random(seed));
        return copy.subList(0, max);
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** Parses the bank: {@code labels TAB sentence} lines, {@code #} comments. */
    public static List<String[]> parseBank(List<String> lines) {
        List<String[]> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException("bank line without a tab: " + line);
            }
            out.add(new String[]{line.substring(0, tab), line.substring(tab + 1).strip()});
        }
        return out;
    }

    public static Set<String> labels(String field) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : field.split(",")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        for (String l : List.copyOf(out)) {
            if (l.startsWith("friction:")) {
                out.add("ux_issues");
            }
        }
        return out;
    }
}
