package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.config.PrismConfig;
import dev.prism.demo.DemoTraffic;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench ingest}: events per second through {@code POST /batch/} into a fresh server (embedded PostgreSQL unless
 * {@code --pg-url}), next to how fast Jackson alone parses the very same payloads in the same JVM. Both figures and
 * their ratio are printed; {@code docs/benchmarks.md} records them.
 */
@Command(name = "ingest", description = "Measure ingestion throughput against the bare JSON parse rate.", mixinStandardHelpOptions = true)
public final class IngestBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = BenchServer.PROJECT_TOKEN;
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

    @Override
    public Integer call() throws Exception {
        List<String> templates = templates();
        long bytes = templates.stream().mapToLong(String::length).sum() / templates.size();
        System.out.printf("Payloads: %d distinct, %d events each, %,d bytes on average%n", templates.size(), batchSize, bytes);

        double parseRate = parseRate(templates);
        System.out.printf("Jackson readTree, 1 thread:      %,.0f events/s%n", parseRate);

        Map<String, String> settings = new HashMap<>();
        if (pgUrl != null) {
            settings.put(PrismConfig.PG_URL.path(), pgUrl);
        }
        try (BenchServer bench = BenchServer.start(settings);
             BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchServer.PROJECT_TOKEN)) {
            Vertx vertx = bench.vertx;
            load(vertx, sender, templates, warmup);
            Result r = load(vertx, sender, templates, seconds);
            double ingestRate = r.events / r.seconds;
            System.out.printf("Ingestion via /batch/, %d in flight: %,.0f events/s (%,d requests, %d failed)%n",
                    concurrency, ingestRate, r.requests, r.failed);
            System.out.printf("Ratio ingestion / bare parse:      %.0f%%%n", 100 * ingestRate / parseRate);
            return r.failed == 0 ? 0 : 1;
        }
    }

    /**
     * Payloads of fixture-shaped events: trace ids carry a marker replaced per request, so every request adds new
     * traces, and events have no uuid, so the server stores every one (nothing is skipped as a duplicate).
     */
    private List<String> templates() throws Exception {
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

    private double parseRate(List<String> templates) throws Exception {
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

    private record Result(long events, long requests, long failed, double seconds) {
    }

    private Result load(Vertx vertx, BatchSender sender, List<String> templates, int durationSeconds) throws Exception {
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
