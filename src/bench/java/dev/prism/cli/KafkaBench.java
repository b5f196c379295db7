package dev.prism.cli;

import dev.prism.config.PrismConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench kafka}: events per second through {@code POST /batch/} with capture going through Kafka, next to the same
 * server writing to PostgreSQL directly and to how fast Jackson alone parses the very same bodies, in one run
 * (alternating rounds, medians). Both servers hold trace completion back (ingestion only, as {@code bench ingest}'s
 * first figure). In Kafka mode an answer means the broker acknowledged every event ({@code acks=all}); the consumer
 * group stores them in PostgreSQL meanwhile, and how many it stored per second, and how far it was behind at the end,
 * are reported too. Kafka is Kafka's in-JVM KRaft test cluster unless {@code --bootstrap}: the broker, the server, its
 * embedded PostgreSQL and the load share the machine. {@code docs/benchmarks.md} records the figures.
 */
@Command(name = "kafka", description = "Measure Kafka-mode ingestion against direct ingestion and the bare JSON parse rate.",
        mixinStandardHelpOptions = true)
public final class KafkaBench implements Callable<Integer> {

    @Option(names = "--fixtures", defaultValue = "examples/traces", description = "Fixture directory whose events shape the payloads (default: ${DEFAULT-VALUE}).")
    Path fixtures;

    @Option(names = "--seconds", defaultValue = "15", description = "Measured seconds of load per phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--batch", defaultValue = "100", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of (direct, Kafka), alternating; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--bootstrap", description = "An existing Kafka cluster instead of the in-JVM one.")
    String bootstrap;

    @Option(names = "--pg-url", description = "Benchmark against this PostgreSQL instead of an embedded one.")
    String pgUrl;

    private record Phase(double rate, long failed, double storedRate, long lagAtEnd) {
    }

    @Override
    public Integer call() throws Exception {
        IngestBench load = new IngestBench();
        load.fixtures = fixtures;
        load.batchSize = batchSize;
        load.concurrency = concurrency;
        List<String> templates = load.templates();
        long bytes = templates.stream().mapToLong(String::length).sum() / templates.size();
        System.out.printf("Payloads: %d distinct, %d events each, %,d bytes on average%n", templates.size(), batchSize, bytes);
        List<Double> parses = new ArrayList<>();
        List<Phase> direct = new ArrayList<>();
        List<Phase> kafka = new ArrayList<>();
        try (InJvmKafka cluster = InJvmKafka.start(bootstrap)) {
            for (int round = 1; round <= rounds; round++) {
                // The parse rate in every round too: on a shared machine the load drifts, and every figure should see it alike.
                parses.add(load.parseRate(templates));
                System.out.printf("round %d, Jackson readTree, 1 thread: %,.0f events/s%n", round, parses.get(parses.size() - 1));
                direct.add(phase(load, templates, "round " + round + ", direct to PostgreSQL", settings(), null, null));
                String topic = "bench.events." + round + "." + System.nanoTime();
                String group = "bench-" + topic;
                Map<String, String> k = settings();
                k.put(PrismConfig.KAFKA_BOOTSTRAP.path(), cluster.bootstrap());
                k.put(PrismConfig.KAFKA_TOPIC.path(), topic);
                k.put(PrismConfig.KAFKA_GROUP.path(), group);
                kafka.add(phase(load, templates, "round " + round + ", through Kafka", k, cluster, new String[]{topic, group}));
            }
        }
        Phase d = median(direct);
        Phase k = median(kafka);
        double parseRate = medianOf(parses);
        System.out.println();
        System.out.printf("Jackson readTree, 1 thread (median):    %,9.0f events/s  rounds %s%n", parseRate,
                parses.stream().map(p -> String.format("%,.0f", p)).toList());
        System.out.printf("/batch/ direct to PostgreSQL (median):  %,9.0f events/s  (%.1f%% of parse)  rounds %s%n", d.rate, 100 * d.rate / parseRate, rates(direct));
        System.out.printf("/batch/ through Kafka (median):         %,9.0f events/s  (%.1f%% of parse; target 40%%)  rounds %s%n", k.rate,
                100 * k.rate / parseRate, rates(kafka));
        System.out.printf("  stored by the consumer group meanwhile: %,.0f events/s (median), behind by %s events at the end of each round%n",
                medianOf(kafka.stream().map(Phase::storedRate).toList()), kafka.stream().map(Phase::lagAtEnd).toList());
        System.out.printf("Kafka / direct: %.0f%%; per round, Kafka / parse: %s%n", 100 * k.rate / d.rate,
                java.util.stream.IntStream.range(0, rounds).mapToObj(i -> String.format("%.1f%%", 100 * kafka.get(i).rate / parses.get(i))).toList());
        return direct.stream().mapToLong(Phase::failed).sum() + kafka.stream().mapToLong(Phase::failed).sum() == 0 ? 0 : 1;
    }

    private Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        if (pgUrl != null) {
            s.put(PrismConfig.PG_URL.path(), pgUrl);
        }
        // Ingestion only: trace completion held back, so no later stage competes with capture (or with the consumer).
        s.put(PrismConfig.TRACE_ROOT_GRACE.path(), "3600000");
        s.put(PrismConfig.TRACE_IDLE_SECONDS.path(), String.valueOf(7 * 86_400));
        return s;
    }

    private Phase phase(IngestBench load, List<String> templates, String name, Map<String, String> settings, InJvmKafka cluster,
                        String[] topicGroup) throws Exception {
        BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
        try (BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchCommand.PROJECT_TOKEN)) {
            load.load(bench.vertx, sender, templates, warmup);
            long stored0 = cluster == null ? 0 : cluster.committed(topicGroup[1]);
            IngestBench.Result r = load.load(bench.vertx, sender, templates, seconds);
            double storedRate = 0;
            long lag = 0;
            if (cluster != null) {
                storedRate = (cluster.committed(topicGroup[1]) - stored0) / r.seconds();
                lag = cluster.lag(topicGroup[0], topicGroup[1]);
            }
            System.out.printf("%s: %,.0f events/s (%,d requests, %d failed)%s%n", name, r.events() / r.seconds(), r.requests(), r.failed(),
                    cluster == null ? "" : String.format("; the group stored %,.0f events/s meanwhile, %,d behind at the end", storedRate, lag));
            return new Phase(r.events() / r.seconds(), r.failed(), storedRate, lag);
        } finally {
            bench.close();
        }
    }

    private static Phase median(List<Phase> runs) {
        return runs.stream().sorted(Comparator.comparingDouble(Phase::rate)).toList().get(runs.size() / 2);
    }

    private static double medianOf(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static List<String> rates(List<Phase> runs) {
        return runs.stream().map(p -> String.format("%,.0f", p.rate)).toList();
    }
}
