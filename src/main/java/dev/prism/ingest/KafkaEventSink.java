package dev.prism.ingest;

import dev.prism.bus.Failure;
import dev.prism.config.PrismConfig;
import dev.prism.ingest.EventParser.ParsedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Capture through Kafka: every accepted event is produced to the events topic, and the request is answered once the
 * broker acknowledged all of them ({@code acks=all}, idempotent producer, so a retried send is not written twice).
 * One producer is shared by the ingestion instances of the process. Events in flight are bounded by
 * {@code ingest.maxQueuedEvents}, beyond which capture answers 503 like the direct store does. Event-loop confined.
 */
final class KafkaEventSink implements EventSink {

    static final String PRODUCER_NAME = "prism-capture";

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int maxInFlight;
    private final long ackTimeoutMillis;
    private int inFlight;
    private final List<Promise<Void>> idleWaiters = new ArrayList<>();

    KafkaEventSink(Vertx vertx, PrismConfig.Kafka config, long maxRecordBytes, int maxInFlight) {
        this.producer = KafkaProducer.createShared(vertx, PRODUCER_NAME, producerConfig(config, maxRecordBytes));
        // Each send's future carries its failure to the request it belongs to, which answers 503 kafka_unavailable;
        // without a handler the producer also reports every expired record as an unhandled exception, a line per event.
        this.producer.exceptionHandler(e -> { });
        this.topic = config.topic();
        this.maxInFlight = maxInFlight;
        this.ackTimeoutMillis = config.ackTimeoutMillis();
    }

    /**
     * One event may be as large as a capture body (a 2 MB log in one property): records up to that size are allowed
     * here and on the topic Prism creates ({@link KafkaStoreVerticle#maxRecordBytes}), not Kafka's default 1 MB.
     */
    static Map<String, String> producerConfig(PrismConfig.Kafka config, long maxRecordBytes) {
        Map<String, String> c = new HashMap<>();
        c.put("bootstrap.servers", config.bootstrap().orElseThrow());
        c.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        c.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        c.put("acks", "all");
        c.put("enable.idempotence", "true");
        int linger = 5;
        c.put("linger.ms", Integer.toString(linger));
        c.put("compression.type", "lz4");
        // A capture request waits for its acknowledgement: a broker away longer than this is a 503, not a hung client.
        // The producer gives up on a record then too (write() also holds the answer to it, in case send() itself
        // blocked for metadata first), so an event answered 503 is not written much later behind the client's back.
        long ack = config.ackTimeoutMillis();
        long request = Math.min(5_000, ack - linger);
        c.put("delivery.timeout.ms", Long.toString(ack));
        c.put("request.timeout.ms", Long.toString(request));
        c.put("max.block.ms", Long.toString(request));
        c.put("client.id", PRODUCER_NAME);
        c.put("max.request.size", Long.toString(maxRecordBytes));
        return c;
    }

    @Override
    public Future<Void> write(String projectId, List<ParsedEvent> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture();
        }
        if (inFlight > 0 && inFlight + events.size() > maxInFlight) {
            return Future.failedFuture(new Failure(503, "overloaded",
                    inFlight + " events are waiting for Kafka's acknowledgement; retry shortly").exception());
        }
        inFlight += events.size();
        List<Future<?>> sends = new ArrayList<>(events.size());
        for (ParsedEvent e : events) {
            sends.add(producer.send(KafkaProducerRecord.create(topic, EventRecords.key(projectId, e), EventRecords.value(projectId, e))));
        }
        Future<Void> acknowledged = Future.all(sends).<Void>mapEmpty()
                .eventually(() -> {
                    inFlight -= events.size();
                    if (inFlight == 0) {
                        idleWaiters.forEach(Promise::tryComplete);
                        idleWaiters.clear();
                    }
                    return Future.succeededFuture();
                });
        // Events still being sent past the deadline stay counted in flight until the producer settles them.
        return acknowledged.timeout(ackTimeoutMillis + 1_000, TimeUnit.MILLISECONDS)
                .recover(err -> Future.failedFuture(new Failure(503, "kafka_unavailable",
                        "Kafka did not acknowledge the events (" + err.getMessage() + "); retry shortly").exception()));
    }

    @Override
    public int queuedEvents() {
        return inFlight;
    }

    @Override
    public Future<Void> idle() {
        if (inFlight == 0) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        idleWaiters.add(p);
        return p.future();
    }

    @Override
    public Future<Void> close() {
        return idle().eventually(producer::close);
    }
}
