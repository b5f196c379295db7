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

import java.util.List;

/**
 * OTLP/HTTP trace ingestion: decodes an export request (JSON or protobuf, gzip or not), maps its spans to
 * {@code $ai_*} events ({@link SpanMapper}) and sends them through the same capture path as {@code /batch/}, so
 * validation, storage and back-pressure are shared. Deploy one instance per core.
 *
 * <p>Consumes {@value Addresses#OTEL_EXPORT} ({@link OtlpExport} → {@link OtlpExport.Accepted}). Sends
 * {@value Addresses#INGEST_CAPTURE}. Bodies over {@value #INLINE_DECODE_BYTES} bytes are decoded and mapped on a worker
 * thread to keep the event loop responsive.
 */
public final class OtlpVerticle extends VerticleBase {

    static final int INLINE_DECODE_BYTES = 256 * 1024;

    private final long bodyLimit;
    private final Metrics metrics;
    private MessageConsumer<OtlpExport> consumer;
    private Counter accepted;
    private Counter rejected;
    private Counter structure;
    private Counter dropped;

    public OtlpVerticle(long bodyLimit, Metrics metrics) {
        this.bodyLimit = bodyLimit;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        accepted = spans("accepted");
        rejected = spans("rejected");
        structure = spans("structure");
        dropped = spans("dropped");
        consumer = vertx.eventBus().consumer(Addresses.OTEL_EXPORT, msg -> export(msg.body())
                .onSuccess(msg::reply)
                .onFailure(e -> Failure.reply(msg, e)));
        return consumer.completion();
    }

    private Counter spans(String result) {
        return Counter.builder("prism.otel.spans").description("OTLP spans received, by what became of them")
                .tag("result", result).register(metrics.registry());
    }

    private Future<OtlpExport.Accepted> export(OtlpExport request) {
        Future<SpanMapper.Mapping> mapped = request.body().length() <= INLINE_DECODE_BYTES
                ? Future.future(p -> p.complete(map(request)))
                : vertx.executeBlocking(() -> map(request), false);
        return mapped.compose(mapping -> capture(request, mapping).map(result -> answer(request, mapping, result)));
    }

    private SpanMapper.Mapping map(OtlpExport request) {
        byte[] body = OtlpBodyDecoder.decode(request.body().getBytes(), request.contentEncoding(), bodyLimit);
        try {
            return SpanMapper.map(request.protobuf() ? OtlpProtoReader.read(body) : OtlpJsonReader.read(body));
        } catch (OtlpFormatException e) {
            throw new Failure(400, "invalid_otlp", e.getMessage()).exception();
        }
    }

    private Future<CaptureResult> capture(OtlpExport request, SpanMapper.Mapping mapping) {
        if (mapping.events().isEmpty()) {
            return Future.succeededFuture(new CaptureResult(request.projectId(), 0, 0, 0, List.of()));
        }
        ObjectNode batch = JsonNodeFactory.instance.objectNode();
        batch.putArray("batch").addAll(List.copyOf(mapping.events()));
        return vertx.eventBus().<CaptureResult>request(Addresses.INGEST_CAPTURE,
                        CaptureRequest.internal(Buffer.buffer(batch.toString()), request.projectId()),
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
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }
}
