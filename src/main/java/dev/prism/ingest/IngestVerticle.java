package dev.prism.ingest;

import dev.prism.bus.Addresses;
import dev.prism.bus.CaptureRequest;
import dev.prism.bus.CaptureResult;
import dev.prism.bus.EventsStored;
import dev.prism.bus.Failure;
import dev.prism.bus.IngestLoad;
import dev.prism.bus.IngestTokenLookup;
import dev.prism.config.PrismConfig;
import dev.prism.ingest.EventParser.ParsedPayload;
import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;

/**
 * Decodes, validates and stores ingestion requests. Deploy one instance per core: each parses on its own event loop
 * and group-commits through its own {@link EventWriter}, or, with {@code kafka.bootstrap} set, produces to Kafka through
 * the process's shared producer ({@link KafkaEventSink}) and {@link KafkaStoreVerticle} stores.
 *
 * <p>Consumes {@value Addresses#INGEST_CAPTURE} ({@link CaptureRequest} → {@link CaptureResult}).
 * Sends {@value Addresses#PROJECT_RESOLVE_TOKEN}. Publishes {@value Addresses#EVENTS_STORED} and, every
 * {@value #LOAD_REPORT_MILLIS} ms, {@value Addresses#INGEST_LOAD}.
 * Bodies over {@value #INLINE_PARSE_BYTES} bytes are parsed on a worker thread to keep the event loop responsive.
 */
public final class IngestVerticle extends VerticleBase {

    static final int INLINE_PARSE_BYTES = 512 * 1024;

    private final Pool pool;
    private final PrismConfig config;
    private final Metrics metrics;
    private Counter accepted;
    private Counter rejected;
    private Counter ignored;
    private EventSink writer;
    private MessageConsumer<CaptureRequest> consumer;
    private long loadTimer = -1;
    /** Requests being handled, and the time with at least one (see {@link #busyNanos()}). */
    private int inFlight;
    private long busyNanos;
    private long busySince;
    static final long LOAD_REPORT_MILLIS = 500;

    public IngestVerticle(Pool pool, PrismConfig config, Metrics metrics) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        // Micrometer returns the same counter to every instance that registers these names and tags.
        accepted = Counter.builder("prism.ingest.events").tag("result", "accepted").register(metrics.registry());
        rejected = Counter.builder("prism.ingest.events").tag("result", "rejected").register(metrics.registry());
        ignored = Counter.builder("prism.ingest.events").tag("result", "ignored").register(metrics.registry());
        // With Kafka, a request is answered once the broker has its events and the consumer group stores them
        // (KafkaStoreVerticle); without, once they are in PostgreSQL.
        writer = config.kafka().enabled()
                ? new KafkaEventSink(vertx, config.kafka(), KafkaStoreVerticle.maxRecordBytes(config), config.ingest().maxQueuedEvents())
                : new EventWriter(pool, config.ingest().maxEventsPerWrite(), config.ingest().maxQueuedEvents(), config.ingest().maxQueuedBytes(),
                        stored -> vertx.eventBus().publish(Addresses.EVENTS_STORED,
                                new EventsStored(stored.projectId(), stored.traceIds(), stored.rootSeen())));
        String source = "ingest-" + System.identityHashCode(this);
        long[] last = {System.nanoTime(), 0};
        // Later stages yield while ingestion is busy (lifecycle.Pace); an idle instance reports too, so they resume at once.
        loadTimer = vertx.setPeriodic(LOAD_REPORT_MILLIS, id -> {
            long now = System.nanoTime();
            long busy = busyNanos();
            vertx.eventBus().publish(Addresses.INGEST_LOAD, new IngestLoad(source, busy - last[1], now - last[0], writer.queuedEvents()));
            last[0] = now;
            last[1] = busy;
        });
        consumer = vertx.eventBus().consumer(Addresses.INGEST_CAPTURE, msg -> capture(msg.body())
                .onSuccess(msg::reply)
                .onFailure(e -> Failure.reply(msg, e)));
        return consumer.completion();
    }

    /**
     * Time with at least one request being handled, from arrival to answer (parsing, the token, the group commit): the
     * share of a window it fills is how close to its capacity ingestion runs, whatever the bottleneck (CPU or store).
     */
    private long busyNanos() {
        return busyNanos + (inFlight > 0 ? System.nanoTime() - busySince : 0);
    }

    private Future<CaptureResult> capture(CaptureRequest request) {
        if (inFlight++ == 0) {
            busySince = System.nanoTime();
        }
        return handle(request).onComplete(ar -> {
            if (--inFlight == 0) {
                busyNanos += System.nanoTime() - busySince;
            }
        });
    }

    private Future<CaptureResult> handle(CaptureRequest request) {
        long limit = config.http().bodyLimitBytes();
        // Events handed over already parsed cost about what their JSON would: a few hundred bytes each.
        long size = request.events() != null ? (request.events().isArray() ? request.events().size() : request.events().path("batch").size()) * 1_000L : request.body().length();
        Future<ParsedPayload> parsed = size <= INLINE_PARSE_BYTES
                ? inline(request, limit)
                : vertx.executeBlocking(() -> decodeAndParse(request, limit), false);
        return parsed.compose(payload -> {
            return project(request, payload).compose(projectId -> writer.write(projectId, payload.events())
                    .map(v -> {
                        accepted.increment(payload.events().size());
                        rejected.increment(payload.rejected().size());
                        ignored.increment(payload.ignored());
                        return new CaptureResult(projectId, payload.received(), payload.events().size(), payload.ignored(), payload.rejected());
                    }));
        });
    }

    private Future<String> project(CaptureRequest request, ParsedPayload payload) {
        if (request.projectId() != null) {
            return Future.succeededFuture(request.projectId());
        }
        String token = payload.token() != null ? payload.token() : request.bearerToken();
        if (token == null) {
            return Future.failedFuture(new Failure(401, "missing_token",
                    "Send the project token as api_key, token or Authorization: Bearer").exception());
        }
        return vertx.eventBus().<String>request(Addresses.PROJECT_RESOLVE_TOKEN, new IngestTokenLookup(token, request.client())).map(reply -> reply.body());
    }

    private Future<ParsedPayload> inline(CaptureRequest request, long limit) {
        try {
            return Future.succeededFuture(decodeAndParse(request, limit));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private ParsedPayload decodeAndParse(CaptureRequest request, long limit) {
        if (request.events() != null) {
            return EventParser.parse(request.events(), config.llm().pricing());
        }
        byte[] json = PayloadDecoder.decode(request.body().getBytes(), request.contentEncoding(), request.compression(), limit);
        return EventParser.parse(json, config.llm().pricing());
    }

    @Override
    public Future<?> stop() {
        // Stop taking requests, then let queued events reach the store: an acknowledged request is never lost.
        vertx.cancelTimer(loadTimer);
        Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
        return unregistered.compose(v -> writer == null ? Future.succeededFuture() : writer.close());
    }
}
