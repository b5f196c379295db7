package dev.prism.otel;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.CaptureRequest;
import dev.prism.bus.CaptureResult;
import dev.prism.bus.Failure;
import dev.prism.bus.OtlpExport;
import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * OTLP/HTTP ingestion: decodes an export request (JSON or protobuf, gzip or not), maps its spans to
 * {@code $ai_*} events ({@link SpanMapper}) and sends them through the same capture path as {@code /batch/}, so
 * validation, storage and back-pressure are shared. Log records carrying GenAI messages are joined to their spans
 * ({@link LogJoin}, one shared by all instances); evaluation results are captured as {@code $ai_metric} events.
 * Deploy one instance per core.
 *
 * <p>Consumes {@value Addresses#OTEL_EXPORT} (traces) and {@value Addresses#OTEL_LOGS} (logs), both {@link OtlpExport} →
 * {@link OtlpExport.Accepted}. Sends {@value Addresses#INGEST_CAPTURE}. Bodies over {@value #INLINE_DECODE_BYTES} bytes
 * are decoded and mapped on a worker thread to keep the event loop responsive.
 */
public final class OtlpVerticle extends VerticleBase {

    static final int INLINE_DECODE_BYTES = 256 * 1024;
    /** How long a content-less generation is held for its records, by default. */
    public static final long DEFAULT_JOIN_MILLIS = 3_000;
    /** How long a message record waits for its span, by default: longer than an SDK batch span processor's 5 s. */
    public static final long DEFAULT_RECORD_WAIT_MILLIS = 10_000;
    static final int MAX_WAITING_RECORDS = 50_000;
    static final int MAX_HELD_SPANS = 10_000;

    private final long bodyLimit;
    private final Metrics metrics;
    private final LogJoin join;
    private final AwaitedParents awaitedParents;
    private final List<MessageConsumer<OtlpExport>> consumers = new ArrayList<>();
    private long expiryTimer = -1;
    private Counter accepted;
    private Counter rejected;
    private Counter structure;
    private Counter dropped;
    private Counter logsJoined;
    private Counter logsWaiting;
    private Counter logsUnjoined;
    private Counter logsEvaluations;
    private Counter logsIgnored;
    private Counter logsRejected;

    public OtlpVerticle(long bodyLimit, Metrics metrics) {
        this(bodyLimit, metrics, DEFAULT_JOIN_MILLIS, DEFAULT_RECORD_WAIT_MILLIS);
    }

    /** One instance; for several on one server, {@link #sharing} one join. */
    public OtlpVerticle(long bodyLimit, Metrics metrics, long joinMillis, long recordWaitMillis) {
        this(bodyLimit, metrics, gauged(new LogJoin(joinMillis, recordWaitMillis, MAX_WAITING_RECORDS, MAX_HELD_SPANS), metrics),
                new AwaitedParents());
    }

    private OtlpVerticle(long bodyLimit, Metrics metrics, LogJoin join, AwaitedParents awaitedParents) {
        this.bodyLimit = bodyLimit;
        this.metrics = metrics;
        this.join = join;
        this.awaitedParents = awaitedParents;
    }

    /** Instances that share one log join: a record and its span may reach different instances. */
    public static Supplier<OtlpVerticle> sharing(long bodyLimit, Metrics metrics, long joinMillis, long recordWaitMillis) {
        LogJoin join = gauged(new LogJoin(joinMillis, recordWaitMillis, MAX_WAITING_RECORDS, MAX_HELD_SPANS), metrics);
        AwaitedParents awaited = new AwaitedParents();
        return () -> new OtlpVerticle(bodyLimit, metrics, join, awaited);
    }

    /** The join's gauges, registered once per join (instances start concurrently, so not in {@code start()}). */
    private static LogJoin gauged(LogJoin join, Metrics metrics) {
        io.micrometer.core.instrument.Gauge.builder("prism.otel.join.held", join, LogJoin::heldSpans)
                .description("Generation spans without content held for their message log records").register(metrics.registry());
        io.micrometer.core.instrument.Gauge.builder("prism.otel.join.waiting", join, LogJoin::waitingRecords)
                .description("Message log records waiting for their span").register(metrics.registry());
        return join;
    }

    @Override
    public Future<?> start() {
        accepted = spans("accepted");
        rejected = spans("rejected");
        structure = spans("structure");
        dropped = spans("dropped");
        logsJoined = logs("joined");
        logsWaiting = logs("waiting");
        logsUnjoined = logs("unjoined");
        logsEvaluations = logs("evaluation");
        logsIgnored = logs("ignored");
        logsRejected = logs("rejected");
        consumers.add(vertx.eventBus().consumer(Addresses.OTEL_EXPORT, msg -> export(msg.body())
                .onSuccess(msg::reply)
                .onFailure(e -> Failure.reply(msg, e))));
        consumers.add(vertx.eventBus().consumer(Addresses.OTEL_LOGS, msg -> logs(msg.body())
                .onSuccess(msg::reply)
                .onFailure(e -> Failure.reply(msg, e))));
        if (join.on()) {
            expiryTimer = vertx.setPeriodic(Math.max(50, Math.min(1_000, join.recordWaitMillis() / 2)),
                    t -> logsUnjoined.increment(join.expire(System.currentTimeMillis())));
        }
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    }

    private Counter spans(String result) {
        return Counter.builder("prism.otel.spans").description("OTLP spans received, by what became of them")
                .tag("result", result).register(metrics.registry());
    }

    private Counter logs(String result) {
        return Counter.builder("prism.otel.logs").description("OTLP log records received, by what became of them")
                .tag("result", result).register(metrics.registry());
    }

    private <T> Future<T> offLoop(OtlpExport request, Supplier<T> work) {
        return request.body().length() <= INLINE_DECODE_BYTES
                ? Future.future(p -> p.complete(work.get()))
                : vertx.executeBlocking(work::get, false);
    }

    private Future<OtlpExport.Accepted> export(OtlpExport request) {
        return offLoop(request, () -> read(request))
                .compose(spans -> joined(request.projectId(), spans))
                .compose(spans -> offLoop(request, () -> {
                    String project = request.projectId();
                    SpanMapper.Mapping mapping = SpanMapper.map(spans,
                            span -> awaitedParents.arrived(AwaitedParents.key(project, span.traceId(), span.spanId())));
                    mapping.awaitedParents().forEach(traceAndSpan -> awaitedParents.await(project + '/' + traceAndSpan));
                    return mapping;
                }))
                .compose(mapping -> capture(request, mapping.events()).map(result -> answer(request, mapping, result)));
    }

    private List<OtlpSpan> read(OtlpExport request) {
        byte[] body = OtlpBodyDecoder.decode(request.body().getBytes(), request.contentEncoding(), bodyLimit);
        try {
            return request.protobuf() ? OtlpProtoReader.read(body) : OtlpJsonReader.read(body);
        } catch (OtlpFormatException e) {
            throw new Failure(400, "invalid_otlp", e.getMessage()).exception();
        }
    }

    /**
     * The spans with the message records that came before them; content-less generations held for the window so the
     * records still to come join them (see {@link LogJoin}).
     */
    private Future<List<OtlpSpan>> joined(String projectId, List<OtlpSpan> spans) {
        List<OtlpSpan> out = new ArrayList<>(spans);
        List<Integer> empty = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            OtlpSpan span = out.get(i);
            String key = LogJoin.key(projectId, span.traceId(), span.spanId());
            List<OtlpSpan.Event> records = join.claim(key);
            if (!records.isEmpty()) {
                logsJoined.increment(records.size());
                OtlpSpan joined = withEvents(span, records);
                out.set(i, joined);
                // Its prompt came by log records before it; its choice may still be on its way.
                if (join.on() && Conventions.awaitsOutput(joined)) {
                    empty.add(i);
                    keys.add(key);
                }
            } else if (join.on() && Conventions.awaitsContent(span)) {
                empty.add(i);
                keys.add(key);
            }
        }
        if (keys.isEmpty() || !join.hold(keys)) {
            return Future.succeededFuture(out);
        }
        return Future.<Void>future(p -> vertx.setTimer(join.holdMillis(), t -> p.complete())).map(v -> {
            for (int k = 0; k < keys.size(); k++) {
                List<OtlpSpan.Event> records = join.release(keys.get(k));
                if (!records.isEmpty()) {
                    out.set(empty.get(k), withEvents(out.get(empty.get(k)), records));
                }
            }
            return out;
        });
    }

    private static OtlpSpan withEvents(OtlpSpan s, List<OtlpSpan.Event> records) {
        List<OtlpSpan.Event> events = new ArrayList<>(s.events());
        events.addAll(records);
        return new OtlpSpan(s.traceId(), s.spanId(), s.parentSpanId(), s.name(), s.kind(), s.startNanos(), s.endNanos(),
                s.attributes(), events, s.statusCode(), s.statusMessage(), s.resource(), s.scope());
    }

    private Future<OtlpExport.Accepted> logs(OtlpExport request) {
        return offLoop(request, () -> {
            byte[] body = OtlpBodyDecoder.decode(request.body().getBytes(), request.contentEncoding(), bodyLimit);
            try {
                return LogMapper.sort(request.protobuf() ? OtlpLogReader.protobuf(body) : OtlpLogReader.json(body));
            } catch (OtlpFormatException e) {
                throw new Failure(400, "invalid_otlp", e.getMessage()).exception();
            }
        }).compose(sorted -> {
            long now = System.currentTimeMillis();
            int refused = sorted.rejected();
            int full = 0;
            for (LogMapper.Message m : sorted.messages()) {
                switch (join.offer(LogJoin.key(request.projectId(), m.traceId(), m.spanId()), m.event(), now)) {
                    case JOINED -> logsJoined.increment();
                    case WAITING -> logsWaiting.increment();
                    case FULL -> full++;
                    case OFF -> logsUnjoined.increment();
                }
            }
            String message = sorted.message();
            if (full > 0) {
                refused += full;
                message += (message.isEmpty() ? "" : "; ") + full + " message record(s) refused: the join buffer is full, retry later";
            }
            logsIgnored.increment(sorted.ignored());
            int refusedBeforeCapture = refused;
            String messageBeforeCapture = message;
            int taken = sorted.messages().size() - full;
            return capture(request, sorted.evaluations()).map(result -> {
                logsEvaluations.increment(result.accepted());
                int total = refusedBeforeCapture + result.rejected().size();
                String text = messageBeforeCapture;
                for (CaptureResult.Rejection r : result.rejected().subList(0, Math.min(5, result.rejected().size()))) {
                    text += (text.isEmpty() ? "" : "; ") + "evaluation " + r.index() + ": " + r.reason();
                }
                logsRejected.increment(total);
                return new OtlpExport.Accepted(Buffer.buffer(OtlpAnswer.logs(request.protobuf(), total, text)),
                        request.protobuf() ? OtlpAnswer.PROTOBUF : OtlpAnswer.JSON, taken + result.accepted(),
                        total, sorted.ignored());
            });
        });
    }

    private Future<CaptureResult> capture(OtlpExport request, List<ObjectNode> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture(new CaptureResult(request.projectId(), 0, 0, 0, List.of()));
        }
        ObjectNode batch = JsonNodeFactory.instance.objectNode();
        batch.putArray("batch").addAll(List.copyOf(events));
        return vertx.eventBus().<CaptureResult>request(Addresses.INGEST_CAPTURE,
                        CaptureRequest.events(batch, request.projectId()),
                        new DeliveryOptions().setSendTimeout(60_000))
                .map(reply -> reply.body());
    }

    private OtlpExport.Accepted answer(OtlpExport request, SpanMapper.Mapping mapping, CaptureResult result) {
        int refused = mapping.rejected() + result.rejected().size();
        String message = mapping.message();
        if (!result.rejected().isEmpty()) {
            StringBuilder reasons = new StringBuilder(message);
            for (CaptureResult.Rejection r : result.rejected().subList(0, Math.min(5, result.rejected().size()))) {
                reasons.append(reasons.isEmpty() ? "" : "; ").append("event of span ")
                        .append(mapping.events().get(r.index()).path("properties").path("$ai_span_id").asText())
                        .append(": ").append(r.reason());
            }
            message = reasons.toString();
        }
        accepted.increment(result.accepted());
        rejected.increment(refused);
        structure.increment(mapping.structure());
        dropped.increment(mapping.dropped());
        byte[] body = OtlpAnswer.encode(request.protobuf(), refused, message);
        return new OtlpExport.Accepted(Buffer.buffer(body), request.protobuf() ? OtlpAnswer.PROTOBUF : OtlpAnswer.JSON,
                result.accepted(), refused, mapping.dropped());
    }

    @Override
    public Future<?> stop() {
        if (expiryTimer >= 0) {
            vertx.cancelTimer(expiryTimer);
        }
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    }
}
