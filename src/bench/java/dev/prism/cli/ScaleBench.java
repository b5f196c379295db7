package dev.prism.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.Main;
import dev.prism.config.PrismConfig;
import dev.prism.demo.DemoTraffic;
import dev.prism.support.ChildJvm;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench scale}: traces per second through the whole offline pipeline (capture, assembly, formatting, theme
 * dispatch, the offline analyzer, local embeddings) with one Prism instance against two, each a JVM process of its own
 * on one shared PostgreSQL, in one run. A phase starts its instances on a fresh database, sends the same demo traces
 * round-robin to them (after a warm-up load it waits through) and stops the clock once every trace is completed, no
 * analysis is queued or running and every relevant summary is embedded. It also checks what scale-out must not break: each (trace, theme,
 * version) analysed once and each relevant summary embedded once. {@code docs/benchmarks.md} records the figures.
 */
@Command(name = "scale", description = "Measure the end-to-end pipeline with one instance against two.", mixinStandardHelpOptions = true)
public final class ScaleBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = BenchCommand.PROJECT_TOKEN;

    @Option(names = "--traces", defaultValue = "2000", description = "Traces per phase (default: ${DEFAULT-VALUE}).")
    int traces;

    @Option(names = "--warmup-traces", defaultValue = "100",
            description = "Traces sent and waited through before the clock starts, so models are loaded and code compiled (default: ${DEFAULT-VALUE}).")
    int warmupTraces;

    @Option(names = "--traces-per-request", defaultValue = "10", description = "Whole traces per /batch/ request (default: ${DEFAULT-VALUE}).")
    int perRequest;

    @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight over all instances (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rounds", defaultValue = "1", description = "Rounds of (one instance, two instances), alternating (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--heap", defaultValue = "1g", description = "Each instance's -Xmx (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--timeout", defaultValue = "900", description = "Seconds a phase may take before it is reported unfinished (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--logs", description = "Keep each instance's log in this directory (default: deleted with the phase).")
    Path logs;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger database = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
        List<String> warmup = bodies(99, warmupTraces);
        List<String> bodies = bodies(17, traces);
        System.out.printf("%,d demo traces in %,d requests; %d cores; each instance -Xmx%s%n", traces, bodies.size(),
                Runtime.getRuntime().availableProcessors(), heap);
        List<Phase> one = new ArrayList<>();
        List<Phase> two = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            for (int round = 1; round <= rounds; round++) {
                one.add(phase(pg, 1, warmup, bodies, "round " + round + ", one instance"));
                two.add(phase(pg, 2, warmup, bodies, "round " + round + ", two instances"));
            }
        }
        Phase m1 = median(one);
        Phase m2 = median(two);
        System.out.println();
        System.out.printf("One instance:   %,8.1f traces/s end to end%n", m1.tracesPerSecond);
        System.out.printf("Two instances:  %,8.1f traces/s end to end  (%.2f× one)%n", m2.tracesPerSecond, m2.tracesPerSecond / m1.tracesPerSecond);
        boolean ok = one.stream().allMatch(Phase::ok) && two.stream().allMatch(Phase::ok);
        System.out.println(ok ? "Every phase finished with each (trace, theme, version) analysed once." : "SOME PHASE FAILED: see above.");
        return ok ? 0 : 1;
    }

    private record Phase(double tracesPerSecond, boolean ok) {
    }

    private static Phase median(List<Phase> runs) {
        List<Phase> sorted = runs.stream().sorted(Comparator.comparingDouble(Phase::tracesPerSecond)).toList();
        return sorted.get(sorted.size() / 2);
    }

    /** Starts {@code n} instances on a fresh database, sends every body, and waits until the pipeline is through. */
    private Phase phase(EmbeddedPostgres pg, int n, List<String> warmup, List<String> bodies, String name) throws Exception {
        String db = "scale_" + database.incrementAndGet();
        String admin = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        String jdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db;
        Path work = Files.createTempDirectory("prism-scale");
        List<ChildJvm> instances = new ArrayList<>();
        try {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // One at a time: the first applies the migrations, the next finds them applied.
                ChildJvm child = start(work, i, "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/" + db);
                instances.add(child);
                Matcher m = child.awaitOutput("Prism listening on http://127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(120));
                urls.add("http://127.0.0.1:" + m.group(1));
            }
            int refused = send(urls, warmup);
            long[] end = new long[1];
            Counts warm = awaitPipeline(jdbc, System.nanoTime(), warmupTraces, end);
            long start = System.nanoTime();
            refused += send(urls, bodies);
            double sentSeconds = (System.nanoTime() - start) / 1e9;
            Counts done = awaitPipeline(jdbc, start, warmupTraces + traces, end).minus(warm);
            double seconds = (end[0] - start) / 1e9;
            boolean ok = refused == 0 && done.finished && done.analysesTwice == 0 && done.embeddedTwice == 0;
            System.out.printf("%s: %,.1f traces/s (%,d traces in %.1f s; sent in %.1f s, %d requests refused); %,d analyses, %,d embedded; "
                            + "(trace, theme, version) analysed twice: %d, embedded twice: %d%s%n",
                    name, done.traces / seconds, done.traces, seconds, sentSeconds, refused, done.analyses, done.embedded, done.analysesTwice,
                    done.embeddedTwice, done.finished ? "" : " — NOT FINISHED within " + timeoutSeconds + " s");
            return new Phase(done.traces / seconds, ok);
        } finally {
            for (ChildJvm child : instances) {
                child.close();
            }
            if (logs != null) {
                Files.createDirectories(logs);
                for (int i = 0; i < n; i++) {
                    Path log = work.resolve("instance-" + i + ".log");
                    Files.copy(log, logs.resolve(db + "-instance-" + i + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (var paths = Files.walk(work)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private ChildJvm start(Path work, int index, String pgUrl) throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("instance-" + index));
        List<String> props = new ArrayList<>(List.of("-Xmx" + heap, "-XX:TieredStopAtLevel=4", "-Dlogback.configurationFile=logback.xml"));
        props.add("-D" + PrismConfig.HTTP_PORT.systemProperty() + "=0");
        props.add("-D" + PrismConfig.HTTP_HOST.systemProperty() + "=127.0.0.1");
        props.add("-D" + PrismConfig.DATA_DIR.systemProperty() + "=" + dataDir);
        props.add("-D" + PrismConfig.PROJECT_TOKEN.systemProperty() + "=" + TOKEN);
        props.add("-D" + PrismConfig.ADMIN_TOKEN.systemProperty() + "=" + BenchCommand.ADMIN_KEY);
        props.add("-Dprism." + PrismConfig.PG_URL.path() + "=" + pgUrl);
        // Every trace completes a moment after its last event; no scheduled runs compete with the load.
        props.add("-Dprism." + PrismConfig.TRACE_IDLE_SECONDS.path() + "=2");
        props.add("-Dprism." + PrismConfig.TRACE_ROOT_GRACE.path() + "=200");
        props.add("-Dprism." + PrismConfig.RUN_SCHEDULER.path() + "=0");
        return ChildJvm.start(work.resolve("instance-" + index + ".log"), java.util.Map.of(), props, Main.class.getName(), "serve");
    }

    /** Sends every body once, round-robin over the instances, {@link #concurrency} at a time; returns how many were refused. */
    private int send(List<String> urls, List<String> bodies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        String url = urls.get(i % urls.size()) + "/batch/";
                        if (!post(url, bodies.get(i))) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return refused.get();
    }

    /** One request, retried on 503 (an instance busy or its store away) as a client would after Retry-After. */
    private boolean post(String url, String body) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return true;
            }
            if (r.statusCode() != 503 && r.statusCode() != 429) {
                System.out.println("  refused: " + r.statusCode() + " " + r.body());
                return false;
            }
            Thread.sleep(500); // a client's back-off after 503/429, not a wait for a condition
        }
        return false;
    }

    private record Counts(boolean finished, long traces, long analyses, long embedded, long analysesTwice, long embeddedTwice) {
        /** What the measured load added to the warm-up's (duplicates are counted over both). */
        Counts minus(Counts warm) {
            return new Counts(finished, traces - warm.traces, analyses - warm.analyses, embedded - warm.embedded, analysesTwice, embeddedTwice);
        }
    }

    /**
     * Polls the shared database until every trace is completed and scored for relevance, nothing is queued or running,
     * every relevant summary has its vector (the offline pipeline's end), and the analyses stay that way for a second: a
     * trace just scored may not have its tasks yet (the dispatch sweep's marker lags streaming dispatch by its period,
     * so it cannot say).
     * Returns the time of the first of those quiet polls.
     */
    private Counts awaitPipeline(String jdbc, long start, int expectedTraces, long[] endNanos) throws Exception {
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        long quietSince = 0;
        long quietAnalyses = -1;
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
            while (true) {
                long now = System.nanoTime();
                long completed = count(s, "SELECT count(*) FROM traces WHERE status = 'completed'");
                // Scored: streaming scored it, or the dispatch sweep did for a trace a burst left to it (then queued it).
                long scored = count(s, "SELECT count(*) FROM (SELECT DISTINCT trace_id, trace_version FROM trace_relevance) r");
                long open = count(s, "SELECT count(*) FROM analyses WHERE status IN ('queued', 'running')");
                long all = count(s, "SELECT count(*) FROM analyses");
                long relevant = count(s, "SELECT count(*) FROM analyses WHERE status = 'done' AND theme_relevant");
                long embedded = count(s, "SELECT count(*) FROM embeddings");
                boolean through = completed >= expectedTraces && scored >= expectedTraces && open == 0 && embedded >= relevant;
                if (!through || all != quietAnalyses) {
                    quietSince = through ? now : 0;
                    quietAnalyses = through ? all : -1;
                }
                boolean finished = quietSince != 0 && now - quietSince >= 1_000_000_000L;
                if (finished || now > deadline) {
                    endNanos[0] = finished ? quietSince : now;
                    long analyses = count(s, "SELECT count(*) FROM analyses WHERE status = 'done'");
                    long twice = count(s, "SELECT count(*) FROM (SELECT 1 FROM analyses GROUP BY project_id, theme_id, trace_id, trace_version "
                            + "HAVING count(*) > 1) d");
                    long embeddedTwice = count(s, "SELECT count(*) FROM (SELECT 1 FROM embeddings GROUP BY project_id, theme_id, trace_id, trace_version "
                            + "HAVING count(*) > 1) d");
                    return new Counts(finished, completed, analyses, embedded, twice, embeddedTwice);
                }
                Thread.sleep(100); // polling another process's progress
            }
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The demo's traces, {@link #perRequest} whole traces per request, the same for every phase. */
    private List<String> bodies(long seed, int traces) {
        DemoTraffic demo = new DemoTraffic(seed);
        List<String> out = new ArrayList<>();
        ObjectNode body = null;
        for (int t = 0; t < traces; t++) {
            if (t % perRequest == 0) {
                if (body != null) {
                    out.add(body.toString());
                }
                body = MAPPER.createObjectNode().put("api_key", TOKEN);
                body.putArray("batch");
            }
            ArrayNode batch = (ArrayNode) body.get("batch");
            demo.nextTrace(Instant.now()).forEach(batch::add);
        }
        out.add(body.toString());
        return out;
    }
}
