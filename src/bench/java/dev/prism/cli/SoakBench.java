package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisBacklog;
import dev.prism.config.PrismConfig;
import dev.prism.demo.DemoTraffic;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench soak}: bounded memory under a stalled LLM provider (the point 4). A full server (embedded
 * PostgreSQL unless {@code --pg-url}, local embeddings, clustering) analyses with a local OpenAI-compatible server that
 * accepts every connection and never answers. Events are posted until {@code --events} or {@code --minutes}, whichever
 * comes first; every {@code --sample-seconds} the heap (used now, and live after the last collection) and the analysis
 * backlog in PostgreSQL are recorded. Then the provider answers, and the benchmark waits until no analysis is queued or
 * running. The curve is printed as a Markdown table for {@code docs/benchmarks.md} (and to {@code --csv}).
 *
 * <p>Run it with the heap bound under test, e.g. {@code java -Xmx1g -jar target/prism.jar bench soak}; the server,
 * the load generator and the fake provider share that JVM, so the figures are an upper bound on the server's own.
 */
@Command(name = "soak", description = "Heap and backlog while the LLM provider stalls, then the drain once it answers.", mixinStandardHelpOptions = true)
final class SoakBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MARK = "__REQ__";

    @Option(names = "--events", defaultValue = "1000000", description = "Events to post at most (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--minutes", defaultValue = "10", description = "Minutes of load at most (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--sample-seconds", defaultValue = "5", description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
    int sampleSeconds;

    @Option(names = "--concurrency", defaultValue = "4", description = "Ingestion requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--batch", defaultValue = "100", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--drain-minutes", defaultValue = "60", description = "Minutes to wait for the backlog to drain (default: ${DEFAULT-VALUE}).")
    double drainMinutes;

    @Option(names = "--llm-concurrency", defaultValue = "8", description = "llm.maxConcurrent (default: ${DEFAULT-VALUE}).")
    int llmConcurrency;

    @Option(names = "--pg-url", description = "Use this PostgreSQL instead of an embedded one.")
    String pgUrl;

    @Option(names = "--csv", description = "Also write the samples to this CSV file.")
    Path csv;

    private record Sample(double seconds, String phase, long eventsSent, long heapUsedMb, long heapAfterGcMb, long queued, long running,
                          long done, long dead, long held) {
    }

    @Override
    public Integer call() throws Exception {
        Vertx providerVertx = Vertx.vertx();
        AtomicBoolean stalled = new AtomicBoolean(true);
        Set<HttpServerRequest> held = ConcurrentHashMap.newKeySet();
        AtomicLong calls = new AtomicLong();
        HttpServer provider = ReplayCommand.await(providerVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            calls.incrementAndGet();
            if (stalled.get()) {
                // Accepted and read, never answered: the server's own deadline is what frees the call.
                held.add(req);
                req.connection().closeHandler(v -> held.remove(req));
                return;
            }
            answer(req);
        })).listen(0, "127.0.0.1"));

        Map<String, String> settings = new HashMap<>();
        settings.put("trace.idleSeconds", "1");
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + provider.actualPort() + "/v1");
        settings.put("llm.apiKey", "bench-key-not-secret");
        settings.put("llm.maxConcurrent", String.valueOf(llmConcurrency));
        settings.put("llm.requestsPerMinute", "1000000");
        settings.put("llm.tokensPerMinute", "1000000000");
        // A stall of many minutes must not dead-letter the tasks it holds: they are retried until the provider answers.
        settings.put("llm.maxAttempts", "100");
        settings.put("run.schedulerSeconds", "0");
        if (pgUrl != null) {
            settings.put(PrismConfig.PG_URL.path(), pgUrl);
        }
        List<Sample> samples = new ArrayList<>();
        long maxHeap = Runtime.getRuntime().maxMemory();
        System.out.printf("Soak: up to %,d events or %.1f min, %d requests of %d events in flight; heap max %,d MB%n", events, minutes,
                concurrency, batchSize, maxHeap >> 20);
        int status;
        try (BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
             BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchCommand.PROJECT_TOKEN)) {
            List<String> templates = templates();
            AtomicLong sent = new AtomicLong();
            AtomicLong accepted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            List<Future<Void>> workers = new ArrayList<>();
            AtomicLong counter = new AtomicLong();
            for (int w = 0; w < concurrency; w++) {
                Promise<Void> done = Promise.promise();
                bench.vertx.runOnContext(v -> next(sender, templates, counter, sent, accepted, refused, end, done));
                workers.add(done.future());
            }
            Future<Void> load = Future.all(workers).mapEmpty();
            long nextSample = System.nanoTime();
            while (!load.isComplete()) {
                if (System.nanoTime() >= nextSample) {
                    samples.add(sample(bench, start, "stalled", accepted.get(), held.size()));
                    print(samples.get(samples.size() - 1));
                    nextSample += sampleSeconds * 1_000_000_000L;
                }
                Thread.sleep(100);
            }
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Load: %,d events accepted in %.0f s (%,.0f events/s), %,d requests refused (503 or error)%n",
                    accepted.get(), loadSeconds, accepted.get() / loadSeconds, refused.get());
            // Traces complete after their idle window and are dispatched: let the backlog reach PostgreSQL in full.
            Thread.sleep(3_000);
            samples.add(sample(bench, start, "stalled", accepted.get(), held.size()));
            print(samples.get(samples.size() - 1));

            stalled.set(false);
            List<HttpServerRequest> waiting = new ArrayList<>(held);
            held.clear();
            providerVertx.runOnContext(v -> waiting.forEach(SoakBench::answer));
            long released = System.nanoTime();
            long drainEnd = released + (long) (drainMinutes * 60e9);
            int quiet = 0;
            while (System.nanoTime() < drainEnd) {
                Thread.sleep(sampleSeconds * 1_000L);
                Sample s = sample(bench, start, "answering", accepted.get(), held.size());
                samples.add(s);
                print(s);
                quiet = s.queued() + s.running() == 0 ? quiet + 1 : 0;
                if (quiet >= 2) {
                    break;
                }
            }
            Sample last = samples.get(samples.size() - 1);
            boolean drained = last.queued() + last.running() == 0;
            System.out.printf("Drain: %s in %.0f s after the provider answered; %,d analyses done, %,d dead-lettered; %,d provider calls%n",
                    drained ? "backlog empty" : "NOT drained", (System.nanoTime() - released) / 1e9, last.done(), last.dead(), calls.get());
            status = drained && last.dead() == 0 ? 0 : 1;
        } finally {
            ReplayCommand.await(providerVertx.close());
        }
        long peakAfterGc = samples.stream().mapToLong(Sample::heapAfterGcMb).max().orElse(0);
        long peakUsed = samples.stream().mapToLong(Sample::heapUsedMb).max().orElse(0);
        System.out.printf("Heap: peak used %,d MB, peak live after GC %,d MB, of %,d MB max%n", peakUsed, peakAfterGc, maxHeap >> 20);
        System.out.println();
        System.out.println("| s | phase | events | heap used MB | live after GC MB | queued | running | done | dead |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Sample s : samples) {
            System.out.printf("| %.0f | %s | %,d | %d | %d | %,d | %,d | %,d | %,d |%n", s.seconds(), s.phase(), s.eventsSent(), s.heapUsedMb(),
                    s.heapAfterGcMb(), s.queued(), s.running(), s.done(), s.dead());
        }
        if (csv != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(csv))) {
                out.println("seconds,phase,events,heap_used_mb,heap_after_gc_mb,queued,running,done,dead");
                samples.forEach(s -> out.printf("%.1f,%s,%d,%d,%d,%d,%d,%d,%d%n", s.seconds(), s.phase(), s.eventsSent(), s.heapUsedMb(),
                        s.heapAfterGcMb(), s.queued(), s.running(), s.done(), s.dead()));
            }
        }
        return status;
    }

    private static void print(Sample s) {
        System.out.printf("  %5.0f s %-9s events %,10d  heap %5d MB (live after GC %5d MB)  queued %,8d running %,4d done %,8d dead %,d%n",
                s.seconds(), s.phase(), s.eventsSent(), s.heapUsedMb(), s.heapAfterGcMb(), s.queued(), s.running(), s.done(), s.dead());
    }

    /**
     * Heap used now, and what the last collection of each heap pool left (no forced GC: the load must not change). The
     * backlog comes from the analysis stage over the bus, counted in PostgreSQL.
     */
    private static Sample sample(BenchServer bench, long start, String phase, long eventsSent, long held) throws Exception {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage collected = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (collected != null) {
                afterGc += collected.getUsed();
            }
        }
        AnalysisBacklog.Counts c = ReplayCommand.await(bench.vertx.eventBus().<AnalysisBacklog.Counts>request(Addresses.ANALYSIS_BACKLOG,
                new AnalysisBacklog())).body();
        return new Sample((System.nanoTime() - start) / 1e9, phase, eventsSent, used >> 20, afterGc >> 20, c.queued(), c.running(), c.done(),
                c.dead(), held);
    }

    private static void answer(HttpServerRequest req) {
        if (!req.response().ended() && !req.response().closed()) {
            req.response().putHeader("Content-Type", "application/json").end(LlmBench.completion());
        }
    }

    /** Demo-shaped payloads whose trace ids carry a marker replaced per request: every request adds new traces. */
    private List<String> templates() {
        List<JsonNode> pool = new ArrayList<>();
        DemoTraffic demo = new DemoTraffic(42);
        while (pool.size() < 1_000) {
            pool.addAll(demo.nextTrace(Instant.now()));
        }
        pool.removeIf(e -> !e.path("properties").path("$ai_trace_id").isTextual());
        List<String> out = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            ObjectNode body = MAPPER.createObjectNode().put("api_key", BenchCommand.PROJECT_TOKEN);
            var batch = body.putArray("batch");
            for (int i = 0; i < batchSize; i++) {
                ObjectNode e = pool.get((t * batchSize + i) % pool.size()).deepCopy();
                e.remove("uuid");
                ObjectNode props = (ObjectNode) e.get("properties");
                props.put("$ai_trace_id", props.get("$ai_trace_id").asText() + "-" + MARK);
                batch.add(e);
            }
            out.add(body.toString());
        }
        return out;
    }

    private void next(BatchSender sender, List<String> templates, AtomicLong counter, AtomicLong sent, AtomicLong accepted, AtomicLong refused,
                      long end, Promise<Void> done) {
        if (System.nanoTime() >= end || accepted.get() >= events) {
            done.complete();
            return;
        }
        long n = counter.getAndIncrement();
        sent.addAndGet(batchSize);
        String body = templates.get((int) (n % templates.size())).replace(MARK, Long.toString(n));
        sender.sendRaw(Buffer.buffer(body)).onComplete(ar -> {
            if (ar.succeeded() && ar.result().ok()) {
                accepted.addAndGet(ar.result().json().path("accepted").asLong());
                next(sender, templates, counter, sent, accepted, refused, end, done);
            } else {
                refused.incrementAndGet();
                // 503 with Retry-After: back off a little as an SDK would, then go on.
                sender.vertx().setTimer(200, id -> next(sender, templates, counter, sent, accepted, refused, end, done));
            }
        });
    }
}
