package dev.prism.cli;

import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.SummaryCreated;
import dev.prism.config.PrismConfig;
import dev.prism.embed.OnnxMiniLm;
import dev.prism.project.ProjectVerticle;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench embed}: texts per second through the embedding stage (summaries published on the bus, batched, embedded
 * on the worker pool, stored in embedded PostgreSQL, indexed, published) next to the bare model — langchain4j's
 * {@code embedAll} on the same texts with the same ONNX session options and as many threads — in one run, round after
 * round on fresh texts so the stage's cache never helps.
 */
@Command(name = "embed", description = "Measure embedding throughput: pipeline vs the bare ONNX model.", mixinStandardHelpOptions = true)
public final class EmbedBench implements Callable<Integer> {

    @Option(names = "--texts", defaultValue = "3000", description = "Texts per round (default: ${DEFAULT-VALUE}).")
    int texts;

    @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--workers", defaultValue = "0", description = "Worker threads, for both; 0: one per core (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--intra-op-threads", defaultValue = "1", description = "ONNX intra-op threads, for both (default: ${DEFAULT-VALUE}).")
    int intraOp;

    @Option(names = "--batch", defaultValue = "64", description = "Pipeline batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        int threads = workers > 0 ? workers : Math.max(1, Runtime.getRuntime().availableProcessors());
        Random random = new Random(42);
        List<List<String>> corpus = new ArrayList<>();
        for (int r = 0; r <= rounds; r++) {
            corpus.add(SummaryTexts.generate(random, r == 0 ? Math.min(texts, 500) : texts, r));
        }
        double avgChars = corpus.get(1).stream().mapToInt(String::length).average().orElse(0);
        System.out.printf("%d rounds of %,d summary texts (%.0f characters on average), %d threads, %d ONNX intra-op thread(s), batches of %d%n",
                rounds, texts, avgChars, threads, intraOp, batch);

        Map<String, String> settings = new HashMap<>();
        settings.put(PrismConfig.EMBED_WORKERS.path(), String.valueOf(threads));
        settings.put(PrismConfig.EMBED_INTRA_OP_THREADS.path(), String.valueOf(intraOp));
        settings.put(PrismConfig.EMBED_BATCH_SIZE.path(), String.valueOf(batch));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY); OnnxMiniLm bare = OnnxMiniLm.load(intraOp)) {
            AbstractInProcessEmbeddingModel model = bare.model(pool);
            double[] bareRates = new double[rounds];
            double[] pipelineRates = new double[rounds];
            for (int r = 0; r <= rounds; r++) {
                List<String> round = corpus.get(r);
                double b = bareRate(model, round);
                double p = pipelineRate(bench, round, r);
                if (r == 0) {
                    System.out.printf("warm-up: bare %.0f texts/s, pipeline %.0f texts/s%n", b, p);
                    continue;
                }
                bareRates[r - 1] = b;
                pipelineRates[r - 1] = p;
                System.out.printf("round %d: bare %.0f texts/s, pipeline %.0f texts/s (%.1f %%)%n", r, b, p, 100 * p / b);
            }
            double bareMedian = median(bareRates);
            double pipelineMedian = median(pipelineRates);
            System.out.printf("median: bare %.0f texts/s, pipeline %.0f texts/s, ratio %.1f %%%n", bareMedian, pipelineMedian,
                    100 * pipelineMedian / bareMedian);
        } finally {
            pool.shutdownNow();
        }
        return 0;
    }

    private static double bareRate(AbstractInProcessEmbeddingModel model, List<String> texts) {
        long started = System.nanoTime();
        int n = model.embedAll(OnnxMiniLm.segments(texts)).content().size();
        if (n != texts.size()) {
            throw new IllegalStateException("bare model answered " + n + " vectors for " + texts.size() + " texts");
        }
        return texts.size() / ((System.nanoTime() - started) / 1e9);
    }

    /** Publishes every text as a relevant summary at once and waits for the last vector to be stored and published. */
    private static double pipelineRate(BenchServer bench, List<String> texts, int round) throws Exception {
        String theme = "bench_round_" + round;
        CountDownLatch done = new CountDownLatch(texts.size());
        AtomicInteger seen = new AtomicInteger();
        AtomicLong lastAt = new AtomicLong();
        MessageConsumer<EmbeddingCreated> consumer = bench.vertx.eventBus().consumer(Addresses.EMBEDDING_CREATED, m -> {
            if (m.body().themeId().equals(theme)) {
                seen.incrementAndGet();
                lastAt.set(System.nanoTime());
                done.countDown();
            }
        });
        ReplayCommand.await(consumer.completion());
        long started = System.nanoTime();
        bench.vertx.runOnContext(v -> {
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                int cut = text.indexOf('\n');
                bench.vertx.eventBus().publish(Addresses.SUMMARY_CREATED, new SummaryCreated(ProjectVerticle.DEFAULT_PROJECT, theme,
                        "trace-" + round + "-" + i, 1, 1, true, text.substring(0, cut), text.substring(cut + 1), "medium", "bench",
                        0, 0, 0, 0, Instant.now()));
            }
        });
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + seen.get() + " of " + texts.size() + " embeddings arrived");
        }
        ReplayCommand.await(consumer.unregister());
        return texts.size() / ((lastAt.get() - started) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Summaries shaped like the analyzers' (a title line, then two or three sentences), all different. */
    static final class SummaryTexts {
        private static final String[] SUBJECTS = {"The payment API", "The search tool", "The model provider", "The checkout assistant",
                "The retrieval step", "The user", "The agent", "The SQL tool", "The streaming response", "The refund flow", "The login helper",
                "The travel planner", "The code interpreter", "The summariser", "The routing model"};
        private static final String[] EVENTS = {"timed out after %d seconds", "returned HTTP %d", "was retried %d times",
                "asked the same question %d times", "took %d seconds, twice the median", "answered in the wrong language after %d turns",
                "hit the rate limit %d times", "produced invalid JSON on attempt %d", "ignored %d of the user's constraints",
                "cost $%d.40, far above the usual", "called a tool that does not exist %d times", "lost the conversation context after %d messages"};
        private static final String[] OUTCOMES = {"and the user gave up.", "so the answer was incomplete.", "which the user reported as frustrating.",
                "but a later call recovered.", "and the trace ended with an error.", "so the user asked for a human agent.",
                "and the user requested an export to CSV instead.", "which doubled the token usage."};
        private static final String[] TITLES = {"Timeout in %s", "Repeated failure of %s", "Slow response from %s", "Confusing answer from %s",
                "Rate limit on %s", "Malformed output of %s", "User frustrated with %s", "Feature request around %s"};

        static List<String> generate(Random random, int n, int round) {
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String subject = SUBJECTS[random.nextInt(SUBJECTS.length)];
                StringBuilder text = new StringBuilder(String.format(TITLES[random.nextInt(TITLES.length)], subject.toLowerCase().substring(4)))
                        .append(" (case ").append(round).append('-').append(i).append(")\n");
                int sentences = 2 + random.nextInt(2);
                for (int s = 0; s < sentences; s++) {
                    String who = s == 0 ? subject : SUBJECTS[random.nextInt(SUBJECTS.length)];
                    text.append(who).append(' ').append(String.format(EVENTS[random.nextInt(EVENTS.length)], 2 + random.nextInt(60)))
                            .append(' ').append(OUTCOMES[random.nextInt(OUTCOMES.length)]).append(' ');
                }
                out.add(text.toString().strip());
            }
            return out;
        }
    }
}
