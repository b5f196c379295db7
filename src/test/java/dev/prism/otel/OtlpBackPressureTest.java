package dev.prism.otel;

import dev.prism.bus.Addresses;
import dev.prism.bus.CaptureRequest;
import dev.prism.bus.Codecs;
import dev.prism.bus.Failure;
import dev.prism.bus.IngestTokenLookup;
import dev.prism.config.ConfigSource;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import dev.prism.web.HttpServerVerticle;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When capture answers that the store cannot keep up, the exporter hears 503 with Retry-After (which OTLP exporters
 * retry on), and a 429 from the token check keeps its Retry-After. Capture and the token check are stand-ins on the bus.
 */
@ExtendWith(VertxExtension.class)
class OtlpBackPressureTest {

    private static final String BODY = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7",
             "name":"chat","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}]}]}]}""";

    @Test
    @DisplayName("capture overloaded → 503 with Retry-After; too many token failures → 429 with Retry-After")
    void overloaded(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        AtomicReference<Failure> tokenAnswer = new AtomicReference<>();
        vertx.eventBus().<IngestTokenLookup>consumer(Addresses.PROJECT_RESOLVE_TOKEN, m -> {
            if (tokenAnswer.get() != null) {
                Failure.reply(m, tokenAnswer.get().exception());
            } else {
                m.reply("default");
            }
        });
        vertx.eventBus().<CaptureRequest>consumer(Addresses.INGEST_CAPTURE, m -> Failure.reply(m,
                new Failure(503, "overloaded", "The store is behind; retry shortly").exception()));
        PrismConfig config = PrismConfig.from(new ConfigSource(Map.of(), Map.of(),
                Map.of("prism.http.port", "0", "prism.http.host", "127.0.0.1")));
        Metrics metrics = new Metrics();
        HttpServerVerticle http = new HttpServerVerticle(config.http(), null, metrics);
        vertx.deployVerticle(new OtlpVerticle(config.http().otlpBodyLimitBytes(), metrics)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.deployVerticle(http).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.actualPort() + "/v1/traces"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer token")
                .POST(HttpRequest.BodyPublishers.ofString(BODY, StandardCharsets.UTF_8)).build();
        HttpResponse<String> busy = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).isPresent();
        assertThat(busy.body()).contains("\"code\":14").contains("overloaded");

        tokenAnswer.set(new Failure(429, "too_many_failures", "Too many failed attempts; retry in 17 s"));
        HttpResponse<String> limited = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("17");
    }
}
