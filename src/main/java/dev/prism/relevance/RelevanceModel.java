package dev.prism.relevance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.common.CallCounts;
import dev.prism.common.VectorMath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a trace is relevant to each user-language theme, from sentence embeddings and structure. Two stages: a
 * logistic head per theme scores every user sentence's vector (and one head scores the assistant's sentences for a
 * decline), then a logistic combiner per theme reads the best sentence scores together with the structural signals
 * (errors, recovery, latency, cost, repeated calls, feedback and ratings). Custom themes are scored zero-shot: the
 * highest cosine similarity between a user sentence and a sentence of the theme's own text. The weights come from
 * {@code relevance/model.json}, written by {@code prism train-relevance}. Pure.
 */
public final class RelevanceModel {

    public static final String RESOURCE = "/relevance/model.json";
    public static final List<String> THEMES = List.of("feature_requests", "ux_issues", "success_patterns", "unhappy_users");
    static final String DECLINE_HEAD = "assistant_declines";
    /** The assistant apologising for a failure instead of answering: the user got nothing, whatever the events say. */
    static final String FAILURE_HEAD = "assistant_fails";
    static final int MAX_USER_SENTENCES = 12;
    static final int MAX_ASSISTANT_SENTENCES = 6;
    static final List<String> FEATURES = List.of("user_feature_request", "user_ux_friction", "user_satisfied", "user_unhappy",
            "assistant_declines", "assistant_declines_words", "error", "unrecovered_error", "recovered", "answered", "slow", "expensive",
            "repeated_calls", "feedback_text", "negative_rating", "positive_rating", "user_turns", "http_error", "assistant_fails",
            "many_calls", "request_declined", "clean_run", "request_fulfilled", "pushback_after_refusal");

    /**
     * A UX friction type as training writes it (title and centroid of the bank's exemplars). Titles are decided by
     * {@link Friction} now, from its own generic types; these are kept so the weights file reads and writes unchanged.
     */
    public record FrictionType(String title, float[] centroid) {
    }

    /**
     * @param heads      sentence heads by theme, plus {@link #DECLINE_HEAD}
     * @param combiners  trace-level combiners by theme, over {@link #FEATURES}
     * @param analyzer   the threshold the offline analyzer decides with, by theme (precision and recall balanced)
     * @param prefilter  the low threshold in front of a paid provider, by theme (recall first)
     * @param custom     the zero-shot similarity threshold for custom themes
     */
    public record Weights(String model, int dimensions, Map<String, Logistic> heads, Map<String, Logistic> combiners,
                          Map<String, Double> analyzer, Map<String, Double> prefilter, double custom, List<FrictionType> friction) {
    }

    /** One theme's verdict: the probability, the analyzer's decision and the sentence that carries it. */
    public record Score(String themeId, double probability, boolean relevant, String evidence, float[] evidenceVector) {
    }

    private final Weights weights;

    public RelevanceModel(Weights weights) {
        this.weights = weights;
    }

    public Weights weights() {
        return weights;
    }

    public String embeddingModel() {
        return weights.model();
    }

    /** The model shipped in the jar. */
    public static RelevanceModel load() {
        try (InputStream in = RelevanceModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("relevance model missing from the classpath: " + RESOURCE + " (run prism train-relevance)");
            }
            return new RelevanceModel(read(dev.prism.common.JsonMapping.MAPPER.readTree(in)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final String PERFORMANCE = "performance_issues";
    /**
     * The performance theme's score, 1 for an agent going round in circles, else 0: the analyzer's own definition of a
     * loop ({@link CallCounts#looping()}), so the pre-filter passes every loop it would report. Performance is otherwise
     * structural (latency, cost and tokens are columns its pre-filter reads); a loop of quick, cheap calls only the
     * events show.
     */
    public static double loopScore(AssembledTrace trace) {
        return CallCounts.of(trace).looping() ? 1.0 : 0.0;
    }

    /** The structural and sentence features of one trace, in {@link #FEATURES} order. */
    public double[] features(TraceView view, List<float[]> userVectors, List<float[]> assistantVectors) {
        double[] f = new double[FEATURES.size()];
        for (int t = 0; t < THEMES.size(); t++) {
            f[t] = best(weights.heads().get(THEMES.get(t)), userVectors).probability;
        }
        f[4] = best(weights.heads().get(DECLINE_HEAD), assistantVectors).probability;
        f[5] = view.assistantTurns().stream().anyMatch(a -> TraceView.DECLINE.matcher(a).find()) ? 1 : 0;
        TraceView.Structure s = view.structure();
        f[6] = s.errors() > 0 ? 1 : 0;
        f[7] = s.errors() > 0 && !s.recovered() ? 1 : 0;
        double fails = weights.heads().containsKey(FAILURE_HEAD) ? best(weights.heads().get(FAILURE_HEAD), assistantVectors).probability : 0;
        // A later call that succeeded only to apologise did not recover anything for the user.
        f[8] = s.recovered() && fails < 0.5 ? 1 : 0;
        f[9] = s.answered() ? 1 : 0;
        f[10] = s.latencySeconds() >= 30 || s.slowestCallSeconds() >= 20 ? 1 : 0;
        f[11] = s.costUsd() >= 0.5 || s.tokens() >= 100_000 ? 1 : 0;
        // Scaled to a dozen: a tool step repeats a call or two; an agent stuck in a loop repeats ten or more.
        f[12] = Math.min(s.repeatedCalls(), 12) / 12.0;
        f[13] = s.feedback() > 0 ? 1 : 0;
        f[14] = s.negativeRatings() > 0 ? 1 : 0;
        f[15] = s.positiveRatings() > 0 ? 1 : 0;
        f[16] = Math.min(view.userTurns().size(), 5) / 5.0;
        f[17] = s.httpErrors() > 0 ? 1 : 0;
        f[18] = fails;
        f[19] = s.generations() >= 6 ? 1 : 0;
        // A request and a decline together: what a feature request is, more than either alone.
        f[20] = f[0] * Math.max(f[4], f[5]);
        // Nothing structural went wrong: what a success needs before the words decide.
        f[21] = (s.errors() == 0 || s.recovered()) && s.answered() && f[10] == 0 && f[11] == 0 && f[19] == 0 && f[18] < 0.5 ? 1 : 0;
        // A request the assistant did not decline was an ordinary task it fulfilled, not a missing capability.
        f[22] = f[0] * (1 - Math.max(f[4], f[5]));
        // Friction right after a refusal: the user contesting it (a refusal of a harmless request, or a missing capability).
        f[23] = f[1] * Math.max(f[4], f[5]);
        return f;
    }

    /** Every built-in user-language theme's verdict for one trace. */
    public List<Score> score(TraceView view, List<float[]> userVectors, List<float[]> assistantVectors) {
        double[] f = features(view, userVectors, assistantVectors);
        Map<String, Double> probabilities = probabilities(weights.combiners(), f);
        List<String> sentences = view.userSentences();
        List<Score> out = new ArrayList<>(THEMES.size());
        for (String theme : THEMES) {
            double p = probabilities.get(theme);
            Best b = best(weights.heads().get(theme), userVectors);
            out.add(new Score(theme, p, p >= weights.analyzer().get(theme), b.index < 0 ? "" : sentences.get(b.index),
                    b.index < 0 ? null : userVectors.get(b.index)));
        }
        return out;
    }

    /** The theme success is stacked on: a success is what is left once requests, friction and failures are ruled out. */
    static final String STACKED = "success_patterns";
    static final List<String> STACKED_ON = List.of("feature_requests", "ux_issues", "unhappy_users");

    /** Each theme's probability; success's combiner also reads the other themes' probabilities ({@link #stacked}). */
    static Map<String, Double> probabilities(Map<String, Logistic> combiners, double[] f) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String theme : STACKED_ON) {
            out.put(theme, combiners.get(theme).probability(f));
        }
        out.put(STACKED, combiners.get(STACKED).probability(stacked(f, out)));
        return out;
    }

    /** The features plus the other themes' probabilities and a clean run with neither a request nor friction. */
    static double[] stacked(double[] f, Map<String, Double> others) {
        double[] x = java.util.Arrays.copyOf(f, f.length + 4);
        double fr = others.get("feature_requests");
        double ux = others.get("ux_issues");
        x[f.length] = fr;
        x[f.length + 1] = ux;
        x[f.length + 2] = others.get("unhappy_users");
        x[f.length + 3] = f[21] * (1 - fr) * (1 - ux);
        return x;
    }

    /**
     * A custom theme's verdict, zero-shot: the best cosine similarity between a user sentence and a sentence of the
     * theme's text; vectors are L2-normalised.
     */
    public Score custom(String themeId, List<String> userSentences, List<float[]> userVectors, List<float[]> themeVectors) {
        double best = -1;
        int at = -1;
        for (int i = 0; i < userVectors.size(); i++) {
            for (float[] t : themeVectors) {
                double c = VectorMath.dot(userVectors.get(i), t);
                if (c > best) {
                    best = c;
                    at = i;
                }
            }
        }
        return new Score(themeId, Math.max(0, best), best >= weights.custom(), at < 0 ? "" : userSentences.get(at), at < 0 ? null : userVectors.get(at));
    }

    /** The sentences of a custom theme's text: its name, description and the theme-specific lines of its prompt. */
    public static List<String> themeSentences(String name, String description, String prompt) {
        List<String> out = new ArrayList<>();
        if (name != null && !name.isBlank()) {
            out.add(name.strip());
        }
        out.addAll(Sentences.split(description));
        if (prompt != null) {
            for (String line : prompt.split("\n")) {
                String l = line.strip();
                // "Look for" bullets name what the theme is about; the rest of a prompt is the answer contract.
                if (l.startsWith("- ") && !l.contains("{{") && !l.startsWith("- anything in the trace that fits") && !l.startsWith("- the evidence:")) {
                    out.add(l.substring(2).strip());
                }
            }
        }
        return out.stream().distinct().limit(16).toList();
    }

    /** The index of the sentence a theme's head scores highest, or -1 for none. */
    public int strongest(String theme, List<float[]> vectors) {
        return best(weights.heads().get(theme), vectors).index;
    }

    /** Whether the decline head reads any of these assistant sentences as declining (a refusal or a missing capability). */
    public boolean declines(List<float[]> assistantVectors) {
        return !assistantVectors.isEmpty() && best(weights.heads().get(DECLINE_HEAD), assistantVectors).probability >= 0.5;
    }

    private record Best(int index, double probability) {
    }

    private static Best best(Logistic head, List<float[]> vectors) {
        int at = -1;
        double p = 0;
        for (int i = 0; i < vectors.size(); i++) {
            double q = head.probability(vectors.get(i));
            if (q > p || at < 0) {
                p = q;
                at = i;
            }
        }
        return new Best(at, p);
    }

    // --- the weights file ---

    public static Weights read(JsonNode root) {
        Map<String, Logistic> heads = logistics(root.get("heads"));
        Map<String, Logistic> combiners = logistics(root.get("combiners"));
        for (String theme : THEMES) {
            if (!heads.containsKey(theme) || !combiners.containsKey(theme)) {
                throw new IllegalStateException("relevance model lacks theme " + theme);
            }
        }
        if (!heads.containsKey(DECLINE_HEAD)) {
            throw new IllegalStateException("relevance model lacks head " + DECLINE_HEAD);
        }
        List<FrictionType> friction = new ArrayList<>();
        for (JsonNode f : root.path("friction")) {
            friction.add(new FrictionType(f.get("title").asText(), floats(f.get("centroid"))));
        }
        return new Weights(root.get("model").asText(), root.get("dimensions").asInt(), heads, combiners, doubles(root.get("analyzer")),
                doubles(root.get("prefilter")), root.get("custom").asDouble(), friction);
    }

    public static ObjectNode write(Weights w) {
        ObjectMapper m = dev.prism.common.JsonMapping.MAPPER;
        ObjectNode root = m.createObjectNode();
        root.put("model", w.model());
        root.put("dimensions", w.dimensions());
        root.put("features", String.join(",", FEATURES));
        ObjectNode analyzer = root.putObject("analyzer");
        w.analyzer().forEach(analyzer::put);
        ObjectNode prefilter = root.putObject("prefilter");
        w.prefilter().forEach(prefilter::put);
        root.put("custom", w.custom());
        ObjectNode combiners = root.putObject("combiners");
        w.combiners().forEach((k, v) -> combiners.set(k, logistic(m, v)));
        ObjectNode heads = root.putObject("heads");
        w.heads().forEach((k, v) -> heads.set(k, logistic(m, v)));
        ArrayNode friction = root.putArray("friction");
        for (FrictionType f : w.friction()) {
            ObjectNode o = friction.addObject();
            o.put("title", f.title());
            ArrayNode c = o.putArray("centroid");
            for (float x : f.centroid()) {
                c.add(round(x));
            }
        }
        return root;
    }

    private static ObjectNode logistic(ObjectMapper m, Logistic l) {
        ObjectNode o = m.createObjectNode();
        o.put("bias", l.bias());
        ArrayNode w = o.putArray("weights");
        for (double x : l.weights()) {
            w.add(round(x));
        }
        return o;
    }

    private static double round(double x) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.5g", x));
    }

    private static Map<String, Logistic> logistics(JsonNode node) {
        Map<String, Logistic> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            JsonNode w = e.getValue().get("weights");
            double[] weights = new double[w.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = w.get(i).asDouble();
            }
            out.put(e.getKey(), new Logistic(weights, e.getValue().get("bias").asDouble()));
        });
        return out;
    }

    private static Map<String, Double> doubles(JsonNode node) {
        Map<String, Double> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }
}
