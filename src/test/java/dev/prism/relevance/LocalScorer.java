package dev.prism.relevance;

import dev.prism.bus.AssembledTrace;
import dev.prism.common.VectorMath;
import dev.prism.embed.OnnxMiniLm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The relevance model with the local embedding model in process, for tests and measurements that score many traces
 * without a server: the same sentences, vectors and model the {@link RelevanceVerticle} uses.
 */
public final class LocalScorer implements AutoCloseable {

    private static LocalScorer shared;
    private final OnnxMiniLm onnx = OnnxMiniLm.load(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private final RelevanceModel model = RelevanceModel.load();
    private final Map<String, float[]> cache = new HashMap<>();

    /** One instance per test JVM: loading the model takes about a second. */
    public static synchronized LocalScorer shared() {
        if (shared == null) {
            shared = new LocalScorer();
        }
        return shared;
    }

    public RelevanceModel model() {
        return model;
    }

    public synchronized List<float[]> embed(List<String> texts) {
        List<String> missing = texts.stream().filter(t -> !cache.containsKey(t)).distinct().toList();
        for (int from = 0; from < missing.size(); from += 64) {
            List<String> batch = missing.subList(from, Math.min(missing.size(), from + 64));
            List<float[]> v = onnx.embed(batch);
            for (int i = 0; i < batch.size(); i++) {
                cache.put(batch.get(i), VectorMath.normalize(v.get(i)));
            }
        }
        return texts.stream().map(cache::get).toList();
    }

    /** The built-in themes' scores of a trace. */
    public List<RelevanceModel.Score> score(TraceView view) {
        return model.score(view, embed(view.userSentences()), embed(view.assistantSentences()));
    }

    public List<RelevanceModel.Score> score(AssembledTrace trace, String text) {
        return score(TraceView.of(trace, text));
    }

    /** Scores as published for dispatch: theme → probability rounded like the verticle's. */
    public Map<String, Double> published(AssembledTrace trace, String text) {
        Map<String, Double> out = new HashMap<>();
        for (RelevanceModel.Score s : score(trace, text)) {
            out.put(s.themeId(), Math.round(s.probability() * 10_000) / 10_000.0);
        }
        out.put(RelevanceModel.PERFORMANCE, RelevanceModel.loopScore(trace));
        return out;
    }

    /** A custom theme's zero-shot verdict. */
    public RelevanceModel.Score custom(String themeId, String name, String description, String prompt, TraceView view) {
        List<String> sentences = view.userSentences();
        return model.custom(themeId, sentences, embed(sentences), embed(RelevanceModel.themeSentences(name, description, prompt)));
    }

    @Override
    public void close() {
        onnx.close();
    }
}
