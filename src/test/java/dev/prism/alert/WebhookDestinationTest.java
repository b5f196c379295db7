package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Signed webhook destination against a receiver that verifies signatures and rejects replays")
class WebhookDestinationTest {

    private static final String SECRET = "whsec_0123456789abcdef";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private GuardedHttp http;

    @AfterEach
    void close() throws Exception {
        if (http != null) {
            await(http.close());
        }
        for (HttpServer s : servers) {
            await(s.close());
        }
    }

    /**
     * What a receiver does (the README's recipe): recompute HMAC-SHA256 over "timestamp.body" with the shared secret,
     * compare in constant time, and refuse timestamps more than five minutes away from its own clock.
     */
    static boolean verify(String secret, String timestamp, String signature, String body, Instant now) throws Exception {
        if (timestamp == null || signature == null || Math.abs(now.getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8));
    }

    private record Received(String timestamp, String signature, String contentType, String body) {
    }

    private int receiver(Vertx vertx, BiConsumer<HttpServerRequest, String> handler) throws Exception {
        HttpServer server = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> handler.accept(req, b.toString())))
                .listen(0, "127.0.0.1"));
        servers.add(server);
        return server.actualPort();
    }

    private WebhookDestination destination(Vertx vertx, Clock clock) {
        http = new GuardedHttp(vertx, AddressPolicy.parse("127.0.0.1/32"), GuardedHttp.HostResolver.system(vertx), 2_000, "Prism-Alerts/test");
        return new WebhookDestination(http, clock);
    }

    private static JsonObject config(int port) {
        return new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:" + port + "/prism?token=abc").put("secret", SECRET);
    }

    @Test
    @DisplayName("the receiver gets the notice as snake_case JSON with a signature it verifies, and accepts it")
    void signedAndVerified(Vertx vertx) throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        int port = receiver(vertx, (req, body) -> {
            received.add(new Received(req.getHeader("X-Prism-Timestamp"), req.getHeader("X-Prism-Signature"), req.getHeader("Content-Type"), body));
            try {
                boolean ok = verify(SECRET, req.getHeader("X-Prism-Timestamp"), req.getHeader("X-Prism-Signature"), body, Instant.now());
                req.response().setStatusCode(ok ? 204 : 401).end();
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
            }
        });
        WebhookDestination webhook = destination(vertx, Clock.systemUTC());
        SendOutcome outcome = await(webhook.send(Notices.growth("c-7", 10, 30, "rule-1/c-7/2026-12-05"), config(port)));
        assertThat(outcome).isEqualTo(SendOutcome.delivered(204, null));
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(r.signature()).matches("sha256=[0-9a-f]{64}");
            assertThat(Long.parseLong(r.timestamp())).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
            JsonNode json = MAPPER.readTree(r.body());
            assertThat(json).isEqualTo(MAPPER.readTree("""
                    {"kind": "growth", "project_id": "p1", "rule_id": "rule-1", "rule_name": "Errors growing",
                     "theme_id": "error_analysis", "theme_name": "Error analysis", "cluster_id": "c-7",
                     "cluster_name": "Payment timeout <!channel> *now*", "lifecycle": "growing", "size": 30, "previous_size": 10,
                     "growth_percent": 200.0, "severity": "high",
                     "summaries": ["Payment API timed out after 30 s", "See <http://evil.example|click here> & [x](http://evil.example) @here",
                                   "Checkout retried twice\\nthen gave up"],
                     "cluster_url": "https://prism.example/#/projects/p1/themes/error_analysis/clusters/c-7",
                     "trace_url": "https://prism.example/#/projects/p1/traces/t-42",
                     "fired_at": "2026-12-05T13:00:00Z", "dedupe_key": "rule-1/c-7/2026-12-05",
                     "share_percent": null, "previous_share_percent": null}"""));
            // A different secret, or a changed body, does not verify.
            assertThat(verify("another-secret-0123", r.timestamp(), r.signature(), r.body(), Instant.now())).isFalse();
            assertThat(verify(SECRET, r.timestamp(), r.signature(), r.body().replace("30", "31"), Instant.now())).isFalse();
        });
    }

    @Test
    @DisplayName("a replayed request (timestamp older than five minutes) fails verification; the receiver's 401 is not retried")
    void replayRejected(Vertx vertx) throws Exception {
        List<String> verdicts = new CopyOnWriteArrayList<>();
        int port = receiver(vertx, (req, body) -> {
            try {
                boolean ok = verify(SECRET, req.getHeader("X-Prism-Timestamp"), req.getHeader("X-Prism-Signature"), body, Instant.now());
                verdicts.add(ok ? "accepted" : "rejected");
                req.response().setStatusCode(ok ? 200 : 401).end("stale or forged");
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
            }
        });
        Clock sixMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(6)), ZoneOffset.UTC);
        SendOutcome outcome = await(destination(vertx, sixMinutesAgo).send(Notices.growth("c-7", 10, 30, "k"), config(port)));
        assertThat(verdicts).containsExactly("rejected");
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.statusCode()).isEqualTo(401);
        assertThat(outcome.retryable()).isFalse();
        assertThat(outcome.detail()).isEqualTo("webhook answered HTTP 401: stale or forged");
    }

    @Test
    @DisplayName("5xx and 429 are retryable with Retry-After, 4xx are not, a receiver that does not answer is a retryable timeout")
    void statuses(Vertx vertx) throws Exception {
        int port = receiver(vertx, (req, body) -> {
            switch (req.path()) {
                case "/busy" -> req.response().setStatusCode(429).putHeader("Retry-After", "30").end("slow down");
                case "/down" -> req.response().setStatusCode(503).putHeader("Retry-After", "2").end();
                case "/gone" -> req.response().setStatusCode(410).putHeader("Retry-After", "2").end("gone");
                case "/hang" -> {
                }
                default -> req.response().setStatusCode(500).end("boom");
            }
        });
        WebhookDestination webhook = destination(vertx, Clock.systemUTC());
        AlertNotice n = Notices.growth("c", 1, 3, "k");
        SendOutcome busy = await(webhook.send(n, config(port).put("url", "http://127.0.0.1:" + port + "/busy")));
        assertThat(busy).isEqualTo(SendOutcome.failed(429, true, Duration.ofSeconds(30), "webhook answered HTTP 429: slow down"));
        assertThat(await(webhook.send(n, config(port).put("url", "http://127.0.0.1:" + port + "/down"))))
                .isEqualTo(SendOutcome.failed(503, true, Duration.ofSeconds(2), "webhook answered HTTP 503"));
        assertThat(await(webhook.send(n, config(port).put("url", "http://127.0.0.1:" + port + "/gone"))))
                .isEqualTo(SendOutcome.failed(410, false, null, "webhook answered HTTP 410: gone"));
        assertThat(await(webhook.send(n, config(port).put("url", "http://127.0.0.1:" + port + "/x"))).retryable()).isTrue();
        SendOutcome hang = await(webhook.send(n, config(port).put("url", "http://127.0.0.1:" + port + "/hang")));
        assertThat(hang).isEqualTo(SendOutcome.failed(null, true, null, "webhook: no answer within 2000 ms"));
    }

    @Test
    @DisplayName("validation names the field: a missing URL, a loopback URL by default, a short secret")
    void validation(Vertx vertx) {
        http = new GuardedHttp(vertx, AddressPolicy.publicOnly(), GuardedHttp.HostResolver.system(vertx), 1_000, "t");
        WebhookDestination webhook = new WebhookDestination(http, Clock.systemUTC());
        assertThat(webhook.validate(new JsonObject().put("secret", SECRET))).isEqualTo("url: required");
        assertThat(webhook.validate(new JsonObject().put("url", "http://127.0.0.1/x").put("secret", SECRET)))
                .isEqualTo("url: destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
        assertThat(webhook.validate(new JsonObject().put("url", "https://example.com/x").put("secret", "short"))).startsWith("secret: required");
        assertThat(webhook.validate(new JsonObject().put("url", "https://example.com/x").put("secret", SECRET))).isNull();
        assertThat(webhook.targets(new JsonObject().put("url", "https://example.com/x"))).extracting(Object::toString).containsExactly("https://example.com/x");
    }
}
