package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.config.PrismConfig;
import dev.prism.demo.DemoTraffic;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench ingest}: events per second through {@code POST /batch/} into a fresh server (embedded PostgreSQL unless
 * {@code --pg-url}), in one run: first with the later stages off (trace completion held back: ingestion only), then the
 * full server with the whole pipeline running (offline analyzer, local embeddings, clustering), next to how fast
 * Jackson alone parses the very same payloads in the same JVM. The full server should keep at least 80 % of the
 * ingestion-only rate (later stages yield to ingestion and catch up after). {@code docs/benchmarks.md} records them.
 */
@Command(name = "ingest", description = "Measure ingestion throughput against the bare JSON parse rate.", mixinStandardHelpOptions = true)
public final class IngestBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = BenchCommand.PROJECT_TOKEN;
    private static final String MARK = "__REQ__";

    @Option(names = "--fixtures", defaultValue = "examples/traces",
            description = "Fixture directory whose events shape the payloads; synthetic demo traces when absent (default: ${DEFAULT-VALUE}).")
    Path fixtures;

    @Option(names = "--seconds", defaultValue = "20", description = "Measured seconds of load (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "8", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--batch", defaultValue = "100", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--pg-url", description = "Benchmark against this PostgreSQL instead of an embedded one.")
    String pgUrl;

    @Option(names = "--drain-seconds", defaultValue = "20",
            description = "After the full server's load, seconds to watch the later stages catch up (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--rounds", defaultValue = "1",
            description = "Rounds of (ingestion only, full server), alternating; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        List<String> templates = templates();
        long bytes = templates.stream().mapToLong(String::length).sum() / templates.size();
        System.out.printf("Payloads: %d distinct, %d events each, %,d bytes on average%n", templates.size(), batchSize, bytes);

        double parseRate = parseRate(templates);
        System.out.printf("Jackson readTree, 1 thread:      %,.0f events/s%n", parseRate);

        // Ingestion only: the same build with trace completion held back, so no later stage has anything to do.
        Map<String, String> only = settings();
        only.put(PrismConfig.TRACE_ROOT_GRACE.path(), "3600000");
        only.put(PrismConfig.TRACE_IDLE_SECONDS.path(), String.valueOf(7 * 86_400));
        // Full server: every trace completes within seconds (idle window 5 s), then formatting, theme dispatch, the
        // offline analyzer, local embeddings and clustering, all while the load goes on.
        Map<String, String> full = settings();
        full.put(PrismConfig.TRACE_IDLE_SECONDS.path(), "5");
        // Alternating rounds: on a shared machine the load of other processes drifts, and both figures should see it alike.
        List<Phase> onlyRuns = new ArrayList<>();
        List<Phase> fullRuns = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            onlyRuns.add(phase("round " + round + ", ingestion only", only, false));
            fullRuns.add(phase("round " + round + ", full server", full, true));
        }
        Phase ingestOnly = median(onlyRuns);
        Phase fullServer = median(fullRuns);
        if (rounds > 1) {
            System.out.printf("%nPer round, full / ingestion only: %s%n", java.util.stream.IntStream.range(0, rounds)
                    .mapToObj(i -> String.format("%.0f%%", 100 * fullRuns.get(i).rate / onlyRuns.get(i).rate)).toList());
        }

        System.out.println();
        System.out.printf("Jackson readTree, 1 thread:           %,9.0f events/s%n", parseRate);
        System.out.printf("Ingestion only (later stages off):    %,9.0f events/s  (%.1f%% of parse)%n", ingestOnly.rate, 100 * ingestOnly.rate / parseRate);
        System.out.printf("Full server (whole pipeline):         %,9.0f events/s  (%.1f%% of parse)%n", fullServer.rate, 100 * fullServer.rate / parseRate);
        System.out.printf("Full / ingestion only:                %9.1f%%  (target: at least 80%%)%n", 100 * fullServer.rate / ingestOnly.rate);
        System.out.printf("Closed cleanly: ingestion only %s (%d ms), full server %s (%d ms)%n", ingestOnly.closed ? "yes" : "NO",
                ingestOnly.closeMillis, fullServer.closed ? "yes" : "NO", fullServer.closeMillis);
        return ingestOnly.failed == 0 && fullServer.failed == 0 && ingestOnly.closed && fullServer.closed ? 0 : 1;
    }

    private Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        if (pgUrl != null) {
            settings.put(PrismConfig.PG_URL.path(), pgUrl);
        }
        return settings;
    }

    private record Phase(double rate, long failed, boolean closed, long closeMillis) {
    }

    /** The run of median rate; failures and unclean closes of any run count. */
    private static Phase median(List<Phase> runs) {
        List<Phase> sorted = runs.stream().sorted(java.util.Comparator.comparingDouble(Phase::rate)).toList();
        Phase m = sorted.get(sorted.size() / 2);
        return new Phase(m.rate, runs.stream().mapToLong(Phase::failed).sum(), runs.stream().allMatch(Phase::closed),
                runs.stream().mapToLong(Phase::closeMillis).max().orElse(0));
    }

    /** Starts a server, loads it, reports what the later stages did meanwhile (and afterwards), and closes it. */
    private Phase phase(String name, Map<String, String> settings, boolean watchPipeline) throws Exception {
        BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
        AtomicLong completed = new AtomicLong();
        AtomicLong summaries = new AtomicLong();
        AtomicLong embedded = new AtomicLong();
        bench.vertx.eventBus().consumer(Addresses.TRACE_COMPLETED, m -> completed.incrementAndGet());
        bench.vertx.eventBus().consumer(Addresses.SUMMARY_CREATED, m -> summaries.incrementAndGet());
        bench.vertx.eventBus().consumer(Addresses.EMBEDDING_CREATED, m -> embedded.incrementAndGet());
        long[] busy = new long[2];
        bench.vertx.eventBus().<dev.prism.bus.IngestLoad>consumer(Addresses.INGEST_LOAD, m -> {
            busy[0] += Math.min(m.body().busyNanos(), m.body().windowNanos());
            busy[1] += m.body().windowNanos();
        });
        Result r;
        try (BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchCommand.PROJECT_TOKEN)) {
            load(bench.vertx, sender, templates(), warmup);
            long c0 = completed.get();
            long s0 = summaries.get();
            long e0 = embedded.get();
            bench.vertx.runOnContext(v -> {
                busy[0] = 0;
                busy[1] = 0;
            });
            r = load(bench.vertx, sender, templates(), seconds);
            double share = busy[1] == 0 ? 0 : (double) busy[0] / busy[1];
            System.out.printf("%s: %,.0f events/s (%,d requests, %d failed; ingestion busy %.0f%% of the time)%n", name, r.events / r.seconds,
                    r.requests, r.failed, 100 * share);
            if (watchPipeline) {
                System.out.printf("  meanwhile: %,d traces completed, %,d analyses, %,d summaries embedded%n", completed.get() - c0,
                        summaries.get() - s0, embedded.get() - e0);
                long c1 = completed.get();
                long s1 = summaries.get();
                long e1 = embedded.get();
                Thread.sleep(drainSeconds * 1000L); // watching, not waiting for a condition: the catch-up rate is the figure
                System.out.printf("  %d s after the load: %,d more traces completed, %,d analyses, %,d embedded (catching up)%n", drainSeconds,
                        completed.get() - c1, summaries.get() - s1, embedded.get() - e1);
            }
        }
        long t0 = System.nanoTime();
        boolean closed;
        try {
            bench.close();
            closed = true;
        } catch (Exception e) {
            System.out.println("  close failed: " + e);
            closed = false;
        }
        return new Phase(r.events / r.seconds, r.failed, closed, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Payloads of fixture-shaped events: trace ids carry a marker replaced per request, so every request adds new
     * traces, and events have no uuid, so the server stores every one (nothing is skipped as a duplicate).
     */
    List<String> templates() throws Exception {
        List<JsonNode> pool = new ArrayList<>();
        if (Files.isDirectory(fixtures)) {
            for (Path f : EventFiles.expand(fixtures)) {
                if (Files.size(f) < 1_000_000) {
                    pool.addAll(EventFiles.read(f));
                }
            }
        }
        if (pool.isEmpty()) {
            DemoTraffic demo = new DemoTraffic(42);
            while (pool.size() < 500) {
                pool.addAll(demo.nextTrace(Instant.now()));
            }
        }
        pool.removeIf(e -> !e.path("properties").path("$ai_trace_id").isTextual());
        List<String> out = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            ObjectNode body = MAPPER.createObjectNode().put("api_key", TOKEN);
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

    double parseRate(List<String> templates) throws Exception {
        List<byte[]> payloads = templates.stream().map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
        long events = 0;
        long sink = 0;
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd; i++) {
            sink += MAPPER.readTree(payloads.get(i % payloads.size())).size();
        }
        long start = System.nanoTime();
        long end = start + 5_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++) {
            JsonNode root = MAPPER.readTree(payloads.get(i % payloads.size()));
            events += root.get("batch").size();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return sink >= 0 ? events / secs : 0;
    }

    record Result(long events, long requests, long failed, double seconds) {
    }

    Result load(Vertx vertx, BatchSender sender, List<String> templates, int durationSeconds) throws Exception {
        AtomicLong counter = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + durationSeconds * 1_000_000_000L;
        List<Future<Void>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            Promise<Void> done = Promise.promise();
            vertx.runOnContext(v -> next(sender, templates, counter, events, requests, failed, end, done));
            workers.add(done.future());
        }
        ReplayCommand.await(Future.all(workers));
        return new Result(events.get(), requests.get(), failed.get(), (System.nanoTime() - start) / 1e9);
    }

    private void next(BatchSender sender, List<String> templates, AtomicLong counter, AtomicLong events, AtomicLong requests,
                      AtomicLong failed, long end, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete();
            return;
        }
        long n = counter.getAndIncrement();
        String body = templates.get((int) (n % templates.size())).replace(MARK, Long.toString(n));
        sender.sendRaw(Buffer.buffer(body)).onComplete(ar -> {
            requests.incrementAndGet();
            if (ar.succeeded() && ar.result().ok()) {
                events.addAndGet(ar.result().json().path("accepted").asLong());
            } else {
                failed.incrementAndGet();
            }
            next(sender, templates, counter, events, requests, failed, end, done);
        });
    }
}
