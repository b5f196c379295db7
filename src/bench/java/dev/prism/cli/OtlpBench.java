package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.prism.config.PrismConfig;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench otlp}: OTLP/HTTP protobuf ingestion in spans per second next to {@code POST /batch/} in events per
 * second, in one run against one server (ingestion only: trace completion held back, as {@code bench ingest}'s first
 * figure). Both carry the same content: the fixtures that have an {@code otlp} payload (s15–s18: GenAI and
 * OpenInference spans) as protobuf spans, and their PostHog {@code events} as the batch. Rounds alternate the two, so
 * drift on a shared machine hits both alike; medians are reported. Every request gets new trace ids (a marker in the
 * batch JSON, a 12-byte marker in the protobuf trace ids, overwritten in place), so nothing is stored twice.
 */
@Command(name = "otlp", description = "Measure OTLP protobuf span ingestion against /batch/ event ingestion.", mixinStandardHelpOptions = true)
public final class OtlpBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MARK = "__REQ__";
    private static final int TEMPLATES = 32;

    @Option(names = "--fixtures", defaultValue = "examples/traces", description = "Fixture directory (default: ${DEFAULT-VALUE}).")
    Path fixtures;

    @Option(names = "--seconds", defaultValue = "15", description = "Measured seconds of load per phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before each measured phase (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--batch", defaultValue = "100", description = "Spans (events) per request, about (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of (/batch/, OTLP), alternating (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--gzip", description = "Send the OTLP bodies gzipped, as exporters with compression: gzip do.")
    boolean gzip;

    @Option(names = "--pg-url", description = "Benchmark against this PostgreSQL instead of an embedded one.")
    String pgUrl;

    record Body(byte[] bytes, int items, int[] markers) {
    }

    private record Rate(double perSecond, long failed) {
    }

    @Override
    public Integer call() throws Exception {
        List<JsonNode> sources = new ArrayList<>();
        for (Path f : EventFiles.expand(fixtures)) {
            JsonNode json = MAPPER.readTree(f.toFile());
            if (json.has("otlp") && json.has("events")) {
                sources.add(json);
            }
        }
        if (sources.isEmpty()) {
            System.err.println("No fixture with an otlp payload in " + fixtures);
            return 2;
        }
        List<Body> otlp = otlpTemplates(sources);
        List<String> batch = batchTemplates(sources);
        System.out.printf("Payloads: %d fixtures; OTLP %d spans, %,d bytes%s per request; /batch/ %d events, %,d bytes per request%n",
                sources.size(), otlp.get(0).items, otlp.stream().mapToInt(b -> b.bytes.length).sum() / otlp.size(), gzip ? " (before gzip)" : "",
                batchSize(batch.get(0)), batch.stream().mapToInt(String::length).sum() / batch.size());
        System.out.printf("protobuf parseFrom, 1 thread:   %,.0f spans/s%n", parseRate(otlp));
        System.out.printf("Jackson readTree, 1 thread:     %,.0f events/s%n", jacksonRate(batch));

        Map<String, String> settings = new java.util.HashMap<>();
        settings.put(PrismConfig.TRACE_ROOT_GRACE.path(), "3600000");
        settings.put(PrismConfig.TRACE_IDLE_SECONDS.path(), String.valueOf(7 * 86_400));
        if (pgUrl != null) {
            settings.put(PrismConfig.PG_URL.path(), pgUrl);
        }
        List<Rate> batchRates = new ArrayList<>();
        List<Rate> otlpRates = new ArrayList<>();
        try (BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY)) {
            URI uri = URI.create(bench.url());
            WebClient client = WebClient.create(bench.vertx, new WebClientOptions().setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort()),
                    new PoolOptions().setHttp1MaxSize(16));
            LongFunction<Future<Long>> sendBatch = n -> {
                String template = batch.get((int) (n % batch.size()));
                return client.post("/batch/").putHeader("Content-Type", "application/json")
                        .sendBuffer(Buffer.buffer(template.replace(MARK, Long.toString(n))))
                        .map(r -> r.statusCode() == 200 ? readAccepted(r.bodyAsString()) : -1L);
            };
            java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
            LongFunction<Future<Long>> sendOtlp = n -> {
                Body template = otlp.get((int) (n % otlp.size()));
                byte[] body = withTraceIds(template, n);
                var request = client.post("/v1/traces").putHeader("Content-Type", "application/x-protobuf")
                        .putHeader("Authorization", "Bearer " + BenchCommand.PROJECT_TOKEN);
                if (gzip) {
                    request.putHeader("Content-Encoding", "gzip");
                    body = gzipped(body);
                }
                return request.sendBuffer(Buffer.buffer(body)).map(r -> {
                    if (r.statusCode() != 200) {
                        if (firstFailure.compareAndSet(null, r.statusCode() + " " + r.bodyAsString())) {
                            System.out.println("  first failed answer: " + firstFailure.get());
                        }
                        return -1L;
                    }
                    try {
                        // Fully accepted is an empty message: no body at all.
                        return r.body() == null ? template.items
                                : template.items - ExportTraceServiceResponse.parseFrom(r.body().getBytes()).getPartialSuccess().getRejectedSpans();
                    } catch (Exception e) {
                        return -1L;
                    }
                });
            };
            for (int round = 1; round <= rounds; round++) {
                load(bench.vertx, sendBatch, warmup);
                Rate b = load(bench.vertx, sendBatch, seconds);
                batchRates.add(b);
                System.out.printf("round %d, /batch/ (JSON events):       %,9.0f events/s (%d failed)%n", round, b.perSecond, b.failed);
                load(bench.vertx, sendOtlp, warmup);
                Rate o = load(bench.vertx, sendOtlp, seconds);
                otlpRates.add(o);
                System.out.printf("round %d, /v1/traces (protobuf spans): %,9.0f spans/s (%d failed)%n", round, o.perSecond, o.failed);
            }
            client.close();
        }
        Rate b = median(batchRates);
        Rate o = median(otlpRates);
        System.out.println();
        System.out.printf("/batch/, JSON events:          %,9.0f events/s%n", b.perSecond);
        System.out.printf("/v1/traces, protobuf spans%s: %,9.0f spans/s  (%.0f%% of /batch/)%n", gzip ? " (gzip)" : "", o.perSecond, 100 * o.perSecond / b.perSecond);
        return b.failed == 0 && o.failed == 0 ? 0 : 1;
    }

    private static Rate median(List<Rate> rates) {
        List<Rate> sorted = rates.stream().sorted(Comparator.comparingDouble(Rate::perSecond)).toList();
        return new Rate(sorted.get(sorted.size() / 2).perSecond, rates.stream().mapToLong(Rate::failed).sum());
    }

    private Rate load(Vertx vertx, LongFunction<Future<Long>> send, int durationSeconds) throws Exception {
        AtomicLong counter = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40));
        AtomicLong items = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + durationSeconds * 1_000_000_000L;
        List<Future<Void>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            Promise<Void> done = Promise.promise();
            vertx.runOnContext(v -> next(send, counter, items, failed, end, done));
            workers.add(done.future());
        }
        ReplayCommand.await(Future.all(workers));
        return new Rate(items.get() / ((System.nanoTime() - start) / 1e9), failed.get());
    }

    private void next(LongFunction<Future<Long>> send, AtomicLong counter, AtomicLong items, AtomicLong failed, long end, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete();
            return;
        }
        send.apply(counter.getAndIncrement()).onComplete(ar -> {
            if (ar.succeeded() && ar.result() >= 0) {
                items.addAndGet(ar.result());
            } else {
                if (failed.getAndIncrement() == 0 && ar.failed()) {
                    System.out.println("  first failure: " + ar.cause());
                }
            }
            next(send, counter, items, failed, end, done);
        });
    }

    private static long readAccepted(String body) {
        try {
            return MAPPER.readTree(body).path("accepted").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- payloads ------------------------------------------------------------------------------------------------

    /** /batch/ bodies: the fixtures' events, trace ids marked per copy, about {@code batchSize} events each. */
    private List<String> batchTemplates(List<JsonNode> sources) {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < TEMPLATES; t++) {
            ObjectNode body = MAPPER.createObjectNode().put("api_key", BenchCommand.PROJECT_TOKEN);
            var batch = body.putArray("batch");
            for (int copy = 0, s = t; batch.size() < batchSize; copy++, s++) {
                for (JsonNode e : sources.get(s % sources.size()).get("events")) {
                    ObjectNode event = e.deepCopy();
                    event.remove("uuid");
                    ObjectNode p = (ObjectNode) event.get("properties");
                    p.put("$ai_trace_id", "bench-" + t + "-" + copy + "-" + MARK);
                    batch.add(event);
                }
            }
            out.add(body.toString());
        }
        return out;
    }

    private static int batchSize(String body) throws Exception {
        return MAPPER.readTree(body).get("batch").size();
    }

    /**
     * Protobuf bodies: copies of the fixtures' spans, each copy one trace whose id is 12 marker bytes (the same in
     * every copy of every template, replaced per request) and 4 bytes numbering the copy.
     */
    List<Body> otlpTemplates(List<JsonNode> sources) {
        byte[] marker = new byte[12];
        ThreadLocalRandom.current().nextBytes(marker);
        List<Body> out = new ArrayList<>();
        for (int t = 0; t < TEMPLATES; t++) {
            ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
            int spans = 0;
            for (int copy = 0, s = t; spans < batchSize; copy++, s++) {
                ByteString traceId = ByteString.copyFrom(ByteBuffer.allocate(16).put(marker).putInt(t * 10_000 + copy).array());
                for (JsonNode rs : sources.get(s % sources.size()).get("otlp").path("resourceSpans")) {
                    ResourceSpans.Builder resource = ResourceSpans.newBuilder()
                            .setResource(Resource.newBuilder().addAllAttributes(attributes(rs.path("resource").path("attributes"))));
                    for (JsonNode ss : rs.path("scopeSpans")) {
                        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName(ss.path("scope").path("name").asText("")));
                        for (JsonNode sp : ss.path("spans")) {
                            scope.addSpans(span(sp, traceId));
                            spans++;
                        }
                        resource.addScopeSpans(scope);
                    }
                    request.addResourceSpans(resource);
                }
            }
            byte[] bytes = request.build().toByteArray();
            out.add(new Body(bytes, spans, positions(bytes, marker)));
        }
        return out;
    }

    private static Span span(JsonNode s, ByteString traceId) {
        Span.Builder span = Span.newBuilder().setTraceId(traceId)
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(s.path("spanId").asText())))
                .setName(s.path("name").asText("")).setKindValue(s.path("kind").asInt())
                .setStartTimeUnixNano(Long.parseLong(s.path("startTimeUnixNano").asText("0")))
                .setEndTimeUnixNano(Long.parseLong(s.path("endTimeUnixNano").asText("0")))
                .addAllAttributes(attributes(s.path("attributes")))
                .setStatus(Status.newBuilder().setCodeValue(s.path("status").path("code").asInt()).setMessage(s.path("status").path("message").asText("")));
        if (!s.path("parentSpanId").asText("").isEmpty()) {
            span.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(s.path("parentSpanId").asText())));
        }
        for (JsonNode e : s.path("events")) {
            span.addEvents(Span.Event.newBuilder().setName(e.path("name").asText())
                    .setTimeUnixNano(Long.parseLong(e.path("timeUnixNano").asText("0"))).addAllAttributes(attributes(e.path("attributes"))));
        }
        return span.build();
    }

    private static List<KeyValue> attributes(JsonNode list) {
        List<KeyValue> out = new ArrayList<>();
        for (JsonNode kv : list) {
            out.add(KeyValue.newBuilder().setKey(kv.path("key").asText()).setValue(value(kv.path("value"))).build());
        }
        return out;
    }

    private static AnyValue value(JsonNode v) {
        if (v.has("stringValue")) {
            return AnyValue.newBuilder().setStringValue(v.get("stringValue").asText()).build();
        }
        if (v.has("intValue")) {
            return AnyValue.newBuilder().setIntValue(Long.parseLong(v.get("intValue").asText())).build();
        }
        if (v.has("doubleValue")) {
            return AnyValue.newBuilder().setDoubleValue(v.get("doubleValue").asDouble()).build();
        }
        if (v.has("boolValue")) {
            return AnyValue.newBuilder().setBoolValue(v.get("boolValue").asBoolean()).build();
        }
        if (v.has("arrayValue")) {
            ArrayValue.Builder array = ArrayValue.newBuilder();
            v.get("arrayValue").path("values").forEach(x -> array.addValues(value(x)));
            return AnyValue.newBuilder().setArrayValue(array).build();
        }
        if (v.has("kvlistValue")) {
            return AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(attributes(v.get("kvlistValue").path("values")))).build();
        }
        return AnyValue.getDefaultInstance();
    }

    /** Where the marker starts in the serialized bytes (trace ids are length-delimited bytes, so each is contiguous). */
    private static int[] positions(byte[] bytes, byte[] marker) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i + marker.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + marker.length, marker, 0, marker.length)) {
                at.add(i);
                i += marker.length - 1;
            }
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The template with its marker replaced by 12 bytes of the request number: same length, still valid protobuf. */
    static byte[] withTraceIds(Body template, long n) {
        byte[] out = template.bytes.clone();
        byte[] id = ByteBuffer.allocate(12).putInt(0x70726973).putLong(n).array(); // "pris" + n, never all zero
        for (int at : template.markers) {
            System.arraycopy(id, 0, out, at, id.length);
        }
        return out;
    }

    private static byte[] gzipped(byte[] body) {
        var out = new java.io.ByteArrayOutputStream(body.length / 3);
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static double parseRate(List<Body> bodies) throws Exception {
        long spans = 0;
        long sink = 0;
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd; i++) {
            sink += ExportTraceServiceRequest.parseFrom(bodies.get(i % bodies.size()).bytes).getResourceSpansCount();
        }
        long start = System.nanoTime();
        long end = start + 3_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++) {
            ExportTraceServiceRequest.parseFrom(bodies.get(i % bodies.size()).bytes);
            spans += bodies.get(i % bodies.size()).items;
        }
        return sink >= 0 ? spans / ((System.nanoTime() - start) / 1e9) : 0;
    }

    private static double jacksonRate(List<String> bodies) throws Exception {
        List<byte[]> payloads = bodies.stream().map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
        long events = 0;
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd; i++) {
            MAPPER.readTree(payloads.get(i % payloads.size()));
        }
        long start = System.nanoTime();
        long end = start + 3_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++) {
            events += MAPPER.readTree(payloads.get(i % payloads.size())).get("batch").size();
        }
        return events / ((System.nanoTime() - start) / 1e9);
    }
}
