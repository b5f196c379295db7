package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.TraceFormatted;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.PROJECT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET …/traces/{id}/text} and the text cache, run once with the in-process cache and once with Redis. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TraceTextContract {

    TestServer server;
    int port;
    final Map<String, String> formatted = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newHttpClient();

    abstract Map<String, String> cacheSettings();

    @BeforeAll
    void start(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.putAll(cacheSettings());
        server = TestServer.start(vertx, settings);
        port = server.server.httpPort();
        vertx.eventBus().<TraceFormatted>consumer(Addresses.TRACE_FORMATTED, m -> formatted.put(m.body().traceId(), m.body().text()));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    record Text(int status, String body, String cache, String version) {
    }

    Text text(String traceId, String query) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/projects/default/traces/" + traceId + "/text" + query))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        return new Text(r.statusCode(), r.body(), r.headers().firstValue("X-Prism-Cache").orElse(null),
                r.headers().firstValue("X-Prism-Trace-Version").orElse(null));
    }

    double renders() throws Exception {
        String scrape = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^prism_format_render_seconds_count\\S* (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    Fixture ingestAndComplete(String name) throws Exception {
        Fixture f = Fixtures.named(name);
        server.http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, f.events()));
        server.http.awaitApi("/api/projects/default/traces/" + f.traceId(),
                r -> r.status() == 200 && r.json().get("status").asText().equals("completed"), Duration.ofSeconds(30));
        return f;
    }

    @Test
    @DisplayName("a completed trace is rendered once as it completes; the API then serves that text from the cache")
    void cachedAfterCompletion() throws Exception {
        Fixture f = ingestAndComplete("s02");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(formatted).containsKey(f.traceId()));
        double rendersBefore = renders();
        Text first = text(f.traceId(), "");
        Text second = text(f.traceId(), "");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.cache()).isEqualTo("hit");
        assertThat(second.cache()).isEqualTo("hit");
        assertThat(first.body()).isEqualTo(formatted.get(f.traceId())).isEqualTo(second.body());
        assertThat(first.version()).isEqualTo("1");
        f.json().get("expect").get("must_contain").forEach(s -> assertThat(first.body()).contains(s.asText()));
        assertThat(renders()).as("a cached trace is not rendered again").isEqualTo(rendersBefore);
    }

    @Test
    @DisplayName("other options are rendered once, then cached; line numbers and max_length apply")
    void optionsAreCachedSeparately() throws Exception {
        Fixture f = ingestAndComplete("s19");
        double before = renders();
        Text numbered = text(f.traceId(), "?line_numbers=true&max_length=2000");
        assertThat(numbered.status()).isEqualTo(200);
        assertThat(numbered.cache()).isEqualTo("miss");
        assertThat(numbered.body().length()).isLessThanOrEqualTo(2000);
        // Line numbers are those of the full text; the sampling header is the only unnumbered line.
        assertThat(numbered.body().lines().filter(l -> !l.isBlank() && !l.startsWith("[showing ")).toList()).allMatch(l -> l.matches("^L\\d+:.*"));
        assertThat(renders()).isEqualTo(before + 1);
        Text again = text(f.traceId(), "?line_numbers=true&max_length=2000");
        assertThat(again.cache()).isEqualTo("hit");
        assertThat(again.body()).isEqualTo(numbered.body());
        assertThat(renders()).isEqualTo(before + 1);
    }

    @Test
    @DisplayName("a pending trace is rendered fresh each time, since its text can still change")
    void pendingNotCached() throws Exception {
        String traceId = "t-pending-" + UUID.randomUUID();
        var e = IngestionContract.event("$ai_generation", traceId);
        server.http.post("/batch/", HttpApi.batch(PROJECT_TOKEN, List.of((JsonNode) e)));
        Text a = text(traceId, "");
        Text b = text(traceId, "");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.cache()).isEqualTo("miss");
        assertThat(b.cache()).isEqualTo("miss");
    }

    @Test
    @DisplayName("unknown traces are 404 and bad options 400, as JSON errors")
    void errors() throws Exception {
        assertThat(text("no-such-trace", "").status()).isEqualTo(404);
        assertThat(text("no-such-trace", "?max_length=-1").status()).isEqualTo(400);
        assertThat(text("no-such-trace", "?line_numbers=maybe").status()).isEqualTo(400);
        assertThat(text("no-such-trace", "?max_length=ten").status()).isEqualTo(400);
    }
}
