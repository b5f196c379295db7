package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code POST /v1/traces} on a real server: both encodings, gzip, partial success, 400 / 401 / 413 / 415, and parity with {@code /batch/}. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtlpServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int OTLP_LIMIT = 64 * 1024;
    private static final String JSON_TYPE = "application/json";
    private static final String PROTOBUF_TYPE = "application/x-protobuf";

    private TestServer server;
    private int port;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("http.otlpBodyLimitBytes", String.valueOf(OTLP_LIMIT));
        server = TestServer.start(vertx, settings);
        port = server.server.httpPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    record Answer(int status, byte[] body, java.net.http.HttpHeaders headers) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private Answer post(String path, byte[] body, String contentType, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", contentType);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(r.statusCode(), r.body(), r.headers());
    }

    private Answer export(String path, byte[] body, String contentType, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = "Bearer " + TestServer.PROJECT_TOKEN;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return post(path, body, contentType, all);
    }

    private static String newTraceId() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** The fixture's OTLP payload with every span moved to {@code traceId}. */
    private static JsonNode otlp(Fixture fixture, String traceId) {
        JsonNode otlp = fixture.json().get("otlp").deepCopy();
        for (JsonNode span : otlp.findValues("spans")) {
            span.forEach(s -> ((ObjectNode) s).put("traceId", traceId));
        }
        return otlp;
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
        }, s -> s != null).replace(traceId, "TRACE");
    }

    private void assertSameTextAsBatch(Fixture fixture, String otlpTraceId) throws Exception {
        String batchTraceId = newTraceId();
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode e : fixture.events()) {
            ObjectNode copy = e.deepCopy();
            ((ObjectNode) copy.get("properties")).put("$ai_trace_id", batchTraceId);
            events.add(copy);
        }
        assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events)).status()).isEqualTo(200);
        String expected = FixtureParityTest.withoutUser(text(batchTraceId));
        String actual = text(otlpTraceId);
        assertThat(FixtureParityTest.withoutUser(actual)).isEqualTo(expected);
        assertThat(actual).contains(fixture.json().path("expect").path("must_contain").path(0).asText());
    }

    @Test
    @DisplayName("s15 and s17 as OTLP JSON render the same text as their PostHog events through /batch/")
    void jsonFixtures() throws Exception {
        for (String name : List.of("s15", "s17")) {
            Fixture fixture = Fixtures.named(name);
            String traceId = newTraceId();
            Answer a = export("/v1/traces", JSON.writeValueAsBytes(otlp(fixture, traceId)), JSON_TYPE);
            assertThat(a.status()).as(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(a.headers().firstValue("Content-Type")).hasValue(JSON_TYPE);
            assertThat(a.json().has("partialSuccess")).isFalse();
            assertSameTextAsBatch(fixture, traceId);
        }
    }

    @Test
    @DisplayName("s16 and s18 as gzipped OTLP protobuf on PostHog's route render the same text as through /batch/")
    void protobufFixtures() throws Exception {
        for (String name : List.of("s16", "s18")) {
            Fixture fixture = Fixtures.named(name);
            String traceId = newTraceId();
            byte[] body = OtlpProto.fromJson(otlp(fixture, traceId)).toByteArray();
            Answer a = export("/i/v0/ai/otel/v1/traces", HttpApi.gzip(body), PROTOBUF_TYPE, "Content-Encoding", "gzip");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.headers().firstValue("Content-Type")).hasValue(PROTOBUF_TYPE);
            assertThat(ExportTraceServiceResponse.parseFrom(a.body()).hasPartialSuccess()).isFalse();
            assertSameTextAsBatch(fixture, traceId);
        }
    }

    @Test
    @DisplayName("Vercel AI SDK spans, as JSON and as gzipped protobuf: the trace renders the prompt, the tool call and the answer; tokens are the provider calls' only")
    void vercelAiSdk() throws Exception {
        for (boolean protobuf : new boolean[] {false, true}) {
            String traceId = newTraceId();
            JsonNode otlp = VercelAiTest.payload(traceId);
            Answer a = protobuf
                    ? export("/i/v0/ai/otel/v1/traces", HttpApi.gzip(OtlpProto.fromJson(otlp).toByteArray()), PROTOBUF_TYPE, "Content-Encoding", "gzip")
                    : export("/v1/traces", JSON.writeValueAsBytes(otlp), JSON_TYPE);
            assertThat(a.status()).isEqualTo(200);
            String text = text(traceId);
            assertThat(text).as(text).contains("What is the weather in Paris right now?").contains("weather")
                    .contains("tempC").contains("It is 18 degrees and sunny in Paris.").contains("user-4242");
            JsonNode aggregates = server.http.api("/api/projects/default/traces/" + traceId).json().path("aggregates");
            assertThat(aggregates.path("input_tokens").asLong()).isEqualTo(150); // 90 + 60, not the wrapper's 150 again
            assertThat(aggregates.path("output_tokens").asLong()).isEqualTo(32);
        }
    }

    @Test
    @DisplayName("spans without a trace id or with bad hex are reported as a partial success; the valid ones are stored")
    void partialSuccessJson() throws Exception {
        String traceId = newTraceId();
        String body = """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
                 "scopeSpans":[{"spans":[
                  {"traceId":"%s","spanId":"1111111111111111","name":"chat","startTimeUnixNano":"1000000000","endTimeUnixNano":"2000000000",
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                                 {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}]},
                  {"spanId":"2222222222222222","name":"no trace","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]},
                  {"traceId":"zz-not-hex","spanId":"3333333333333333","name":"bad hex","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}
                 ]}]}]}""".formatted(traceId);
        Answer a = export("/v1/traces", body.getBytes(StandardCharsets.UTF_8), JSON_TYPE);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("partialSuccess").path("rejectedSpans").asLong()).isEqualTo(2);
        assertThat(a.json().path("partialSuccess").path("errorMessage").asText()).contains("no trace id").contains("zz-not-hex");
        assertThat(text(traceId)).contains("gpt-4o");
    }

    @Test
    @DisplayName("a protobuf span with a 5-byte trace id is reported in the protobuf partial success")
    void partialSuccessProtobuf() throws Exception {
        Span good = Span.newBuilder().setTraceId(OtlpProto.bytes(newTraceId())).setSpanId(OtlpProto.bytes("4444444444444444"))
                .setName("chat").addAttributes(KeyValue.newBuilder().setKey("gen_ai.operation.name")
                        .setValue(AnyValue.newBuilder().setStringValue("chat"))).build();
        Span bad = good.toBuilder().setTraceId(OtlpProto.bytes("0102030405")).build();
        byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(good).addSpans(bad))).build().toByteArray();
        Answer a = export("/v1/traces", body, PROTOBUF_TYPE);
        assertThat(a.status()).isEqualTo(200);
        ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(a.body());
        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(response.getPartialSuccess().getErrorMessage()).contains("0102030405");
    }

    @Test
    @DisplayName("undecodable bodies get 400 with a google.rpc.Status in the request's encoding")
    void undecodable() throws Exception {
        Answer json = export("/v1/traces", "{not json".getBytes(StandardCharsets.UTF_8), JSON_TYPE);
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.json().path("code").asInt()).isEqualTo(3);
        assertThat(json.json().path("message").asText()).contains("JSON");

        Answer proto = export("/v1/traces", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02}, PROTOBUF_TYPE);
        assertThat(proto.status()).isEqualTo(400);
        // google.rpc.Status: field 1 (code) = 3
        assertThat(proto.body()[0]).isEqualTo((byte) 0x08);
        assertThat(proto.body()[1]).isEqualTo((byte) 3);

        Answer gzip = export("/v1/traces", "not gzip".getBytes(StandardCharsets.UTF_8), JSON_TYPE, "Content-Encoding", "gzip");
        assertThat(gzip.status()).isEqualTo(400);
    }

    @Test
    @DisplayName("bodies over the OTLP limit get 413, compressed or once inflated")
    void tooLarge() throws Exception {
        byte[] big = new byte[OTLP_LIMIT + 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        assertThat(export("/v1/traces", big, JSON_TYPE).status()).isEqualTo(413);
        byte[] bomb = HttpApi.gzip(big);
        assertThat(bomb.length).isLessThan(OTLP_LIMIT);
        Answer a = export("/v1/traces", bomb, JSON_TYPE, "Content-Encoding", "gzip");
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.json().path("code").asInt()).isEqualTo(8);
    }

    @Test
    @DisplayName("no token is 401, a wrong one too; an unknown content type is 415")
    void credentialsAndTypes() throws Exception {
        byte[] empty = "{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThat(post("/v1/traces", empty, JSON_TYPE).status()).isEqualTo(401);
        assertThat(post("/v1/traces", empty, JSON_TYPE, "Authorization", "Bearer wrong-token-000000000000000").status()).isEqualTo(401);
        assertThat(post("/v1/traces?api_key=" + TestServer.PROJECT_TOKEN, empty, JSON_TYPE).status()).isEqualTo(200);
        // @posthog/ai/otel's exporter posts to the endpoint itself, without /v1/traces
        assertThat(export("/i/v0/ai/otel", empty, JSON_TYPE).status()).isEqualTo(200);
        assertThat(export("/v1/traces", empty, "text/plain").status()).isEqualTo(415);
    }
}
