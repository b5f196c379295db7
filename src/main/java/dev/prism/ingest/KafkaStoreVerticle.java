package dev.prism.ingest;

import dev.prism.bus.Addresses;
import dev.prism.bus.EventsStored;
import dev.prism.config.PrismConfig;
import dev.prism.ingest.EventParser.ParsedEvent;
import dev.prism.metrics.Metrics;
import dev.prism.store.StoreErrors;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what capture produced to Kafka: one member of the consumer group {@code kafka.group} per instance. It reads at
 * most {@code kafka.maxPollEvents} events, stores them (grouped by project, through the same {@link EventWriter} as
 * direct capture, which announces {@value Addresses#EVENTS_STORED}), commits their offsets, and only then reads again:
 * a crash or a rebalance before the commit hands the events to the next owner of the partition, and the store keeps
 * each event once by its uuid, so nothing is lost or doubled. While the store is away the loop holds its batch and tries
 * again; reading stops with it, which is the back-pressure (Kafka keeps the rest).
 */
public final class KafkaStoreVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStoreVerticle.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long STORE_RETRY_MILLIS = 1_000;

    private final Pool pool;
    private final PrismConfig config;
    private final Metrics metrics;
    /** Events not yet stored, per partition this instance owns (0 for the ones it gave away: their owner reports them). */
    private final Map<Integer, AtomicLong> lag = new ConcurrentHashMap<>();
    private long lagTimer = -1;
    private KafkaConsumer<String, String> consumer;
    private EventWriter writer;
    private volatile boolean stopping;
    private Future<Void> loop = Future.succeededFuture();

    public KafkaStoreVerticle(Pool pool, PrismConfig config, Metrics metrics) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
    }

    /** The largest record an event can make: a whole capture body plus the record's own fields. */
    static long maxRecordBytes(PrismConfig config) {
        return Math.min(Integer.MAX_VALUE, config.http().bodyLimitBytes() + 1_048_576);
    }

    @Override
    public Future<?> start() {
        PrismConfig.Kafka kafka = config.kafka();
        writer = new EventWriter(pool, config.ingest().maxEventsPerWrite(), Integer.MAX_VALUE, Long.MAX_VALUE,
                stored -> vertx.eventBus().publish(Addresses.EVENTS_STORED, new EventsStored(stored.projectId(), stored.traceIds(), stored.rootSeen())));
        Map<String, String> c = new HashMap<>();
        c.put("bootstrap.servers", kafka.bootstrap().orElseThrow());
        c.put("group.id", kafka.group());
        c.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        c.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("max.poll.records", Integer.toString(kafka.maxPollEvents()));
        c.put("max.partition.fetch.bytes", Long.toString(maxRecordBytes(config)));
        // Storing a batch through an outage of the store may take long; the group must not give the partitions away meanwhile.
        c.put("max.poll.interval.ms", "600000");
        consumer = KafkaConsumer.create(vertx, c);
        return ensureTopic(kafka).compose(v -> consumer.subscribe(kafka.topic())).onSuccess(v -> {
            Promise<Void> done = Promise.promise();
            loop = done.future();
            next(done);
            lagTimer = vertx.setPeriodic(LAG_MILLIS, id -> readLag());
        });
    }

    /**
     * Creates the topic with {@code kafka.partitions} partitions and the broker's default replication unless it exists
     * (created by another instance, or by hand). Kafka's own admin client, on a worker: Vert.x's wrapper cannot leave the
     * replication factor to the broker.
     */
    private Future<Void> ensureTopic(PrismConfig.Kafka kafka) {
        return vertx.executeBlocking(() -> {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap().orElseThrow()))) {
                if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(kafka.topic())) {
                    try {
                        admin.createTopics(List.of(new NewTopic(kafka.topic(), Optional.of(kafka.partitions()), Optional.empty())
                                .configs(Map.of("max.message.bytes", Long.toString(maxRecordBytes(config))))))
                                .all().get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            return null;
        });
    }

    static final long LAG_MILLIS = 5_000;

    /** {@code prism_kafka_lag{partition}}: the end of each owned partition minus this instance's position in it. */
    private void readLag() {
        if (stopping) {
            return;
        }
        consumer.assignment().compose(owned -> consumer.endOffsets(owned).compose(ends -> {
            List<Future<?>> positions = new ArrayList<>();
            lag.forEach((partition, value) -> {
                if (owned.stream().noneMatch(tp -> tp.getPartition() == partition)) {
                    value.set(0);
                }
            });
            ends.forEach((tp, end) -> positions.add(consumer.position(tp).onSuccess(at -> gauge(tp.getPartition()).set(Math.max(0, end - at)))));
            return Future.all(positions);
        })).onFailure(e -> LOG.debug("Kafka lag not read: {}", e.toString()));
    }

    private AtomicLong gauge(int partition) {
        return lag.computeIfAbsent(partition, p -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("prism.kafka.lag", value, AtomicLong::get).description("Events of a partition not yet stored by this instance")
                    .tag("topic", config.kafka().topic()).tag("partition", Integer.toString(p)).register(metrics.registry());
            return value;
        });
    }

    private void next(Promise<Void> done) {
        if (stopping) {
            done.tryComplete();
            return;
        }
        consumer.poll(POLL)
                .compose(this::storeUntilDone)
                .compose(n -> n == 0 ? Future.succeededFuture() : consumer.commit())
                .onComplete(ar -> {
                    if (ar.failed() && !stopping) {
                        // A commit refused after a rebalance: the partition's new owner stores the batch again (once, by uuid).
                        LOG.warn("Kafka batch not committed: {}", ar.cause().toString());
                    }
                    next(done);
                });
    }

    /** Stores one polled batch, trying again while the store is away; the number of events in it. */
    private Future<Integer> storeUntilDone(KafkaConsumerRecords<String, String> records) {
        if (records.isEmpty()) {
            return Future.succeededFuture(0);
        }
        Map<String, List<ParsedEvent>> byProject = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            String value = records.recordAt(i).value();
            try {
                EventRecords.Decoded d = EventRecords.decode(value);
                byProject.computeIfAbsent(d.projectId(), p -> new ArrayList<>()).add(d.event());
            } catch (IllegalArgumentException e) {
                LOG.warn("Skipped a record of {} that Prism did not write: {}", config.kafka().topic(), e.getMessage());
            }
        }
        return store(byProject).map(records.size());
    }

    private Future<Void> store(Map<String, List<ParsedEvent>> byProject) {
        List<Future<?>> writes = new ArrayList<>();
        byProject.forEach((project, events) -> writes.add(writer.write(project, events)));
        return Future.all(writes).<Void>mapEmpty().recover(e -> {
            if (stopping) {
                return Future.failedFuture(e); // not committed: the next owner stores them
            }
            int n = byProject.values().stream().mapToInt(List::size).sum();
            if (StoreErrors.unavailable(e)) {
                LOG.warn("Storing {} events from Kafka failed ({}); trying again", n, e.toString());
                return vertx.timer(STORE_RETRY_MILLIS).compose(t -> store(byProject));
            }
            // The store refused the data itself: one event at a time, so one it will never take does not hold the
            // partition (and the events behind it) forever.
            LOG.warn("Storing {} events from Kafka was refused ({}); storing them one by one", n, e.toString());
            return oneByOne(byProject);
        });
    }

    private Future<Void> oneByOne(Map<String, List<ParsedEvent>> byProject) {
        Future<Void> chain = Future.succeededFuture();
        for (Map.Entry<String, List<ParsedEvent>> entry : byProject.entrySet()) {
            for (ParsedEvent event : entry.getValue()) {
                chain = chain.compose(v -> storeOne(entry.getKey(), event));
            }
        }
        return chain;
    }

    private Future<Void> storeOne(String projectId, ParsedEvent event) {
        return writer.write(projectId, List.of(event)).recover(e -> {
            if (stopping) {
                return Future.failedFuture(e);
            }
            if (StoreErrors.unavailable(e)) {
                return vertx.timer(STORE_RETRY_MILLIS).compose(t -> storeOne(projectId, event));
            }
            LOG.error("Dropped event {} of project {} from Kafka: the store refuses it ({})", event.uuid(), projectId, e.toString());
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        vertx.cancelTimer(lagTimer);
        // The batch in hand is stored and committed (or left uncommitted for the next owner), then the group is left.
        return loop.timeout(30, java.util.concurrent.TimeUnit.SECONDS).otherwiseEmpty()
                .compose(v -> writer.idle())
                .eventually(() -> consumer == null ? Future.succeededFuture() : consumer.close());
    }
}
