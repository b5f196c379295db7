package dev.prism.cli;

import dev.prism.config.PrismConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench kafka-backlog}: heap while a backlog of events builds up in Kafka because the store is stalled. A server in
 * Kafka mode takes {@code /batch/} load while another connection holds an exclusive lock on the {@code events} table, so
 * the consumer's insert waits, it reads nothing more, and every acknowledged event stays in Kafka (the lag). After each
 * slice of load the run forces a full collection and prints the heap still in use, the lag and the events acknowledged,
 * up to {@code --events}; then it releases the lock and times the group catching up. The broker, the server, its
 * PostgreSQL client and the load generator share this JVM, so the heap figures bound all of them together; run it with
 * a small {@code -Xmx} to show that the backlog does not have to fit in memory. {@code docs/benchmarks.md} records it.
 */
@Command(name = "kafka-backlog", description = "Heap while events queue up in Kafka behind a stalled store.", mixinStandardHelpOptions = true)
public final class KafkaBacklogBench implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "Events to leave queued in Kafka (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--slice", defaultValue = "5", description = "Seconds of load between heap readings (default: ${DEFAULT-VALUE}).")
    int slice;

    @Option(names = "--fixtures", defaultValue = "examples/traces", description = "Fixture directory whose events shape the payloads (default: ${DEFAULT-VALUE}).")
    Path fixtures;

    @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--batch", defaultValue = "100", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--bootstrap", description = "An existing Kafka cluster instead of the in-JVM one.")
    String bootstrap;

    @Option(names = "--drain-minutes", defaultValue = "15", description = "At most this long to watch the group catch up (default: ${DEFAULT-VALUE}).")
    int drainMinutes;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** Heap in use after a full collection, in MB. */
    private static long heapAfterGc() {
        System.gc();
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed() / 1_048_576;
    }

    @Override
    public Integer call() throws Exception {
        IngestBench load = new IngestBench();
        load.fixtures = fixtures;
        load.batchSize = batchSize;
        load.concurrency = concurrency;
        List<String> templates = load.templates();
        long bytes = templates.stream().mapToLong(String::length).sum() / templates.size();
        System.out.printf("Payloads: %d events per request, %,d bytes on average; max heap %,d MB%n", batchSize, bytes,
                Runtime.getRuntime().maxMemory() / 1_048_576);
        String topic = "bench.backlog." + System.nanoTime();
        String group = "bench-backlog";
        try (InJvmKafka cluster = InJvmKafka.start(bootstrap);
             EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Map<String, String> s = new HashMap<>();
            s.put(PrismConfig.PG_URL.path(), "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres");
            s.put(PrismConfig.KAFKA_BOOTSTRAP.path(), cluster.bootstrap());
            s.put(PrismConfig.KAFKA_TOPIC.path(), topic);
            s.put(PrismConfig.KAFKA_GROUP.path(), group);
            // Ingestion only: the stall is the store's; nothing later runs either way.
            s.put(PrismConfig.TRACE_ROOT_GRACE.path(), "3600000");
            s.put(PrismConfig.TRACE_IDLE_SECONDS.path(), String.valueOf(7 * 86_400));
            BenchServer bench = BenchServer.start(s, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
            try (BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchCommand.PROJECT_TOKEN);
                 Connection lock = pg.getPostgresDatabase().getConnection()) {
                // Warm up with the store working, until the group has stored everything: it has joined and committed.
                IngestBench.Result warm = load.load(bench.vertx, sender, templates, 3);
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (cluster.lag(topic, group) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                System.out.printf("Warm-up: %,d events acknowledged and stored (lag %d); heap after GC %,d MB%n", warm.events(),
                        cluster.lag(topic, group), heapAfterGc());

                lock.setAutoCommit(false);
                try (Statement st = lock.createStatement()) {
                    st.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
                }
                System.out.println("Store stalled (events table locked). acknowledged | lag (events in Kafka, not stored) | heap after GC | load rate");
                long acknowledged = 0;
                long failed = 0;
                long maxHeap = 0;
                while (acknowledged < events) {
                    IngestBench.Result r = load.load(bench.vertx, sender, templates, slice);
                    acknowledged += r.events();
                    failed += r.failed();
                    long heap = heapAfterGc();
                    maxHeap = Math.max(maxHeap, heap);
                    System.out.printf("  %,10d | %,10d | %,6d MB | %,.0f events/s%s%n", acknowledged, cluster.lag(topic, group), heap,
                            r.events() / r.seconds(), r.failed() > 0 ? " (" + r.failed() + " requests failed)" : "");
                }
                long lag = cluster.lag(topic, group);
                System.out.printf("Queued: %,d events acknowledged while stalled, %,d in Kafka not stored; heap after GC at most %,d MB%n",
                        acknowledged, lag, maxHeap);

                lock.rollback(); // the store is back
                long t0 = System.nanoTime();
                long drainDeadline = t0 + drainMinutes * 60_000_000_000L;
                long next = t0;
                while ((lag = cluster.lag(topic, group)) > 0 && System.nanoTime() < drainDeadline) {
                    if (System.nanoTime() >= next) {
                        System.out.printf("  draining: %,d behind after %d s, heap %,d MB (not collected)%n", lag, (System.nanoTime() - t0) / 1_000_000_000L,
                                MEMORY.getHeapMemoryUsage().getUsed() / 1_048_576);
                        next += 15_000_000_000L;
                    }
                    Thread.sleep(250);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("Store released: the group stored the backlog in %.0f s (%,.0f events/s), %,d left; heap after GC %,d MB%n",
                        secs, acknowledged / secs, lag, heapAfterGc());
                return failed == 0 && lag == 0 ? 0 : 1;
            } finally {
                bench.close();
            }
        }
    }
}
