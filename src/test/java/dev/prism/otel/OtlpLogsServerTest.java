package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /v1/logs} on a real server: GenAI message records joined to their span whether they come before or after
 * it, evaluation results as metric annotations of the trace, records that find no span dropped and counted, both
 * encodings, gzip, partial success.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtlpLogsServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long JOIN_MILLIS = 1_500;
    private static final long RECORD_WAIT_MILLIS = 2_500;
    private static final String JSON_TYPE = "application/json";
    private static final String PROTOBUF_TYPE = "application/x-protobuf";

    private TestServer server;
    private int port;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("http.otlpLogJoinMillis", String.valueOf(JOIN_MILLIS));
        settings.put("http.otlpLogRecordWaitMillis", String.valueOf(RECORD_WAIT_MILLIS));
        server = TestServer.start(vertx, settings);
        port = server.server.httpPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private HttpRequest request(String path, byte[] body, String contentType, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", contentType)
                .header("Authorization", "Bearer " + TestServer.PROJECT_TOKEN);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    private HttpResponse<byte[]> post(String path, byte[] body, String contentType, String... headers) throws Exception {
        return client.send(request(path, body, contentType, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String hex(int bytes) {
        byte[] id = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** A chat span with model and tokens but no content: what GenAI instrumentations send when content goes to logs. */
    private static byte[] bareChatSpan(String traceId, String spanId) {
        Span span = Span.newBuilder().setTraceId(OtlpProto.bytes(traceId)).setSpanId(OtlpProto.bytes(spanId)).setName("chat gpt-4o")
                .setStartTimeUnixNano(1_765_000_000_000_000_000L).setEndTimeUnixNano(1_765_000_001_000_000_000L)
                .addAttributes(kv("gen_ai.operation.name", "chat")).addAttributes(kv("gen_ai.request.model", "gpt-4o"))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens").setValue(AnyValue.newBuilder().setIntValue(31)))
                .build();
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder().addAttributes(kv("service.name", "support-bot")))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build().toByteArray();
    }

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private String text(String traceId) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpApi.Response r = server.http.api("/api/projects/default/traces/" + traceId);
            if (r.status() != 200 || !"completed".equals(r.json().path("status").asText())) {
                return null;
            }
            HttpResponse<String> t = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/api/projects/default/traces/" + traceId + "/text"))
                    .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
            return t.statusCode() == 200 ? t.body() : null;
        }, s -> s != null);
    }

    private double metric(String name) throws Exception {
        String scrape = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void assertJoined(String text) {
        assertThat(text).as(text).contains("You help with refunds.").contains("Where is my refund for order 1182?")
                .contains("Refund 1182 was issued yesterday.").contains("relevance = 0.25").contains("label: \"not_relevant\"")
                .contains("The answer names no date.");
    }

    @Test
    @DisplayName("records first (JSON on /v1/logs), span later (protobuf): the generation shows the messages; the evaluation annotates the trace")
    void recordsBeforeSpan() throws Exception {
        String traceId = hex(16);
        String spanId = hex(8);
        HttpResponse<byte[]> logs = post("/v1/logs", JSON.writeValueAsBytes(OtlpLogsTest.request(traceId, spanId)), JSON_TYPE);
        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.headers().firstValue("Content-Type")).hasValue(JSON_TYPE);
        JsonNode answer = JSON.readTree(logs.body());
        assertThat(answer.path("partialSuccess").path("rejectedLogRecords").asLong()).isEqualTo(1); // the record without ids
        assertThat(answer.path("partialSuccess").path("errorMessage").asText()).contains("no valid trace id");

        assertThat(post("/v1/traces", bareChatSpan(traceId, spanId), PROTOBUF_TYPE).statusCode()).isEqualTo(200);
        assertJoined(text(traceId));
    }

    @Test
    @DisplayName("span first (held while its records may come), records later (gzipped protobuf on PostHog's route): joined all the same")
    void spanBeforeRecords() throws Exception {
        String traceId = hex(16);
        String spanId = hex(8);
        double heldBefore = metric("prism_otel_join_held");
        CompletableFuture<HttpResponse<byte[]>> span = client.sendAsync(
                request("/i/v0/ai/otel/v1/traces", bareChatSpan(traceId, spanId), PROTOBUF_TYPE), HttpResponse.BodyHandlers.ofByteArray());
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("prism_otel_join_held") > heldBefore);

        byte[] logs = HttpApi.gzip(OtlpProto.logsFromJson(OtlpLogsTest.request(traceId, spanId)).toByteArray());
        HttpResponse<byte[]> answer = post("/i/v0/ai/otel/v1/logs", logs, PROTOBUF_TYPE, "Content-Encoding", "gzip");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue(PROTOBUF_TYPE);
        assertThat(ExportLogsServiceResponse.parseFrom(answer.body()).getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);

        assertThat(span.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertJoined(text(traceId));
    }

    @Test
    @DisplayName("the prompt's records before the span, the choice after it (two exports, as a batching log processor sends them): joined all the same")
    void recordsAroundSpan() throws Exception {
        String traceId = hex(16);
        String spanId = hex(8);
        JsonNode all = OtlpLogsTest.request(traceId, spanId);
        com.fasterxml.jackson.databind.node.ArrayNode records = (com.fasterxml.jackson.databind.node.ArrayNode)
                all.path("resourceLogs").get(0).path("scopeLogs").get(0).path("logRecords");
        JsonNode before = all.deepCopy();
        JsonNode after = all.deepCopy();
        com.fasterxml.jackson.databind.node.ArrayNode beforeRecords = (com.fasterxml.jackson.databind.node.ArrayNode)
                before.path("resourceLogs").get(0).path("scopeLogs").get(0).path("logRecords");
        com.fasterxml.jackson.databind.node.ArrayNode afterRecords = (com.fasterxml.jackson.databind.node.ArrayNode)
                after.path("resourceLogs").get(0).path("scopeLogs").get(0).path("logRecords");
        beforeRecords.removeAll();
        afterRecords.removeAll();
        // The system and user messages first; the choice and the evaluation (the model answered, then it was judged) after.
        beforeRecords.add(records.get(0)).add(records.get(1));
        afterRecords.add(records.get(2)).add(records.get(3));
        assertThat(post("/v1/logs", JSON.writeValueAsBytes(before), JSON_TYPE).statusCode()).isEqualTo(200);

        double heldBefore = metric("prism_otel_join_held");
        CompletableFuture<HttpResponse<byte[]>> span = client.sendAsync(
                request("/v1/traces", bareChatSpan(traceId, spanId), PROTOBUF_TYPE), HttpResponse.BodyHandlers.ofByteArray());
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("prism_otel_join_held") > heldBefore);
        assertThat(post("/v1/logs", JSON.writeValueAsBytes(after), JSON_TYPE).statusCode()).isEqualTo(200);

        assertThat(span.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertJoined(text(traceId));
    }

    @Test
    @DisplayName("a message record whose span never comes is dropped after its wait and counted as unjoined")
    void unjoined() throws Exception {
        double before = metric("prism_otel_logs_total{result=\"unjoined\"}");
        String body = """
                {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"%s","spanId":"%s","eventName":"gen_ai.user.message",
                 "body":{"kvlistValue":{"values":[{"key":"content","value":{"stringValue":"anyone there?"}}]}}}]}]}]}"""
                .formatted(hex(16), hex(8));
        HttpResponse<byte[]> answer = post("/v1/logs/", body.getBytes(StandardCharsets.UTF_8), JSON_TYPE);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("prism_otel_logs_total{result=\"unjoined\"}") >= before + 1);
    }

    @Test
    @DisplayName("logs routes: no token 401, unknown type 415, undecodable 400 as google.rpc.Status")
    void errors() throws Exception {
        HttpResponse<byte[]> noToken = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/logs"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", JSON_TYPE).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(post("/v1/logs", "{}".getBytes(StandardCharsets.UTF_8), "text/plain").statusCode()).isEqualTo(415);
        HttpResponse<byte[]> bad = post("/v1/logs", "{nope".getBytes(StandardCharsets.UTF_8), JSON_TYPE);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("code").asInt()).isEqualTo(3);
        assertThat(post("/v1/logs", new byte[] {(byte) 0xff, 0x01}, PROTOBUF_TYPE).statusCode()).isEqualTo(400);
    }
}
