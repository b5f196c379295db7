package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.HttpApi.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scoped API keys end to end, on two Prism instances (each with its own Vert.x, as two processes would be) sharing one
 * PostgreSQL database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("API keys, scopes and the HTTP edge's checks")
class ApiKeysTest {

    private static final long TOKEN_CACHE_MILLIS = 1_000;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServicePostgres pg;
    private Vertx vertxA;
    private Vertx vertxB;
    private TestServer a;
    private TestServer b;

    @BeforeAll
    void start(@TempDir Path dataDir) throws Exception {
        pg = ServicePostgres.createDatabase();
        vertxA = Vertx.vertx();
        vertxB = Vertx.vertx();
        a = TestServer.start(vertxA, settings(dataDir.resolve("a")));
        b = TestServer.start(vertxB, settings(dataDir.resolve("b")));
    }

    private Map<String, String> settings(Path dataDir) {
        Map<String, String> s = TestServer.defaults(dataDir);
        s.put("pg.url", pg.url());
        s.put("auth.tokenCacheMillis", String.valueOf(TOKEN_CACHE_MILLIS));
        s.put("auth.maxFailuresPerMinute", "1000"); // the slow-down has its own test and server
        return s;
    }

    @AfterAll
    void stop() throws Exception {
        try {
            b.stop();
            a.stop();
        } finally {
            TestServer.await(vertxA.close());
            TestServer.await(vertxB.close());
            pg.close();
        }
    }

    record Answer(int status, JsonNode json, java.net.http.HttpHeaders headers) {
    }

    private Answer call(TestServer server, String method, String path, String key, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            r.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> res = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = res.body().isEmpty() ? JSON.nullNode() : JSON.readTree(res.body());
        } catch (java.io.IOException e) {
            json = JSON.getNodeFactory().textNode(res.body());
        }
        return new Answer(res.statusCode(), json, res.headers());
    }

    private JsonNode createKey(TestServer server, String name, String... scopes) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        for (String s : scopes) {
            body.withArray("scopes").add(s);
        }
        Answer created = call(server, "POST", "/api/projects/default/keys", TestServer.ADMIN_KEY, body.toString());
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        return created.json();
    }

    private static String batch(String token, String traceId) {
        return HttpApi.batch(token, List.of(IngestionContract.event("$ai_generation", traceId)));
    }

    private static final String THEME = """
            {"theme_id": "refunds-%s", "name": "Refund problems", "description": "Refunds that went wrong",
             "prompt": "Find refund problems. {{trace_text}} Answer JSON: {\\"theme_relevant\\": bool, \\"title\\": \\"\\", \\"summary\\": \\"\\"}"}""";

    @Test
    @DisplayName("a key is created with its secret shown once, listed on any instance without it, and bad requests are refused")
    void createAndList() throws Exception {
        JsonNode key = createKey(a, "grafana", "read");
        String secret = key.get("key").asText();
        assertThat(secret).startsWith("prism_key_").hasSizeGreaterThan(40);
        assertThat(key.get("display").asText()).startsWith(secret.substring(0, 14)).endsWith("…");
        assertThat(key.get("scopes")).hasSize(1);
        assertThat(key.get("revoked_at").isNull()).isTrue();

        Answer list = call(b, "GET", "/api/projects/default/keys", TestServer.ADMIN_KEY, null);
        assertThat(list.status()).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode k : list.json().get("results")) {
            assertThat(k.has("key")).as("a listed key never carries its secret").isFalse();
            if (k.get("id").asLong() == key.get("id").asLong()) {
                listed = k;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("name").asText()).isEqualTo("grafana");
        assertThat(list.json().toString()).doesNotContain(secret);

        assertThat(call(a, "POST", "/api/projects/default/keys", TestServer.ADMIN_KEY, "{\"name\": \"x\", \"scopes\": [\"root\"]}").json()
                .get("error").asText()).isEqualTo("invalid_scopes");
        assertThat(call(a, "POST", "/api/projects/default/keys", TestServer.ADMIN_KEY, "{\"name\": \"x\", \"scopes\": []}").status()).isEqualTo(400);
        assertThat(call(a, "POST", "/api/projects/default/keys", TestServer.ADMIN_KEY, "{\"name\": \" \", \"scopes\": [\"read\"]}").json()
                .get("error").asText()).isEqualTo("invalid_name");
        assertThat(call(a, "DELETE", "/api/projects/default/keys/999999", TestServer.ADMIN_KEY, null).status()).isEqualTo(404);
        assertThat(call(a, "GET", "/api/projects/nope/keys", TestServer.ADMIN_KEY, null).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("a read key reads themes and traces but cannot create, change or delete a theme, nor manage keys (403)")
    void readKeyCannotChangeTheme() throws Exception {
        String read = createKey(a, "dashboard", "read").get("key").asText();
        assertThat(call(a, "GET", "/api/projects/default/themes", read, null).status()).isEqualTo(200);
        assertThat(call(b, "GET", "/api/projects/default/traces", read, null).status()).isEqualTo(200);
        assertThat(call(a, "GET", "/api/projects/default/themes/error_analysis", read, null).status()).isEqualTo(200);

        Answer patch = call(a, "PATCH", "/api/projects/default/themes/error_analysis", read, "{\"enabled\": false}");
        assertThat(patch.status()).isEqualTo(403);
        assertThat(patch.json().get("error").asText()).isEqualTo("forbidden");
        assertThat(call(a, "POST", "/api/projects/default/themes", read, THEME.formatted("r")).status()).isEqualTo(403);
        assertThat(call(a, "DELETE", "/api/projects/default/themes/error_analysis", read, null).status()).isEqualTo(403);
        assertThat(call(a, "GET", "/api/projects/default/keys", read, null).status()).isEqualTo(403);
        assertThat(call(a, "POST", "/api/projects/default/keys", read, "{\"name\": \"escalate\", \"scopes\": [\"admin\"]}").status()).isEqualTo(403);
        // Nothing changed behind the 403s.
        assertThat(call(a, "GET", "/api/projects/default/themes/error_analysis", read, null).json().get("enabled").asBoolean()).isTrue();
        assertThat(call(a, "GET", "/api/projects/default/themes/refunds-r", read, null).status()).isEqualTo(404);

        String admin = createKey(a, "ops", "admin").get("key").asText();
        assertThat(call(b, "POST", "/api/projects/default/themes", admin, THEME.formatted("a")).status()).isEqualTo(201);
        assertThat(call(b, "GET", "/api/projects/default/keys", admin, null).status()).isEqualTo(200);
        assertThat(call(b, "DELETE", "/api/projects/default/themes/refunds-a", admin, null).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("an ingest key sends events in the body or the header, and nothing else: the API answers it 403")
    void ingestKeyOnlyIngests() throws Exception {
        String ingest = createKey(a, "sdk", "ingest").get("key").asText();
        Answer inBody = call(a, "POST", "/batch/", null, batch(ingest, "keys-ingest-1"));
        assertThat(inBody.status()).as(inBody.json().toString()).isEqualTo(200);
        assertThat(inBody.json().get("accepted").asInt()).isEqualTo(1);
        Answer inHeader = call(b, "POST", "/i/v0/e/", ingest, IngestionContract.event("$ai_generation", "keys-ingest-2").toString());
        assertThat(inHeader.status()).as(inHeader.json().toString()).isEqualTo(200);
        assertThat(inHeader.json().get("accepted").asInt()).isEqualTo(1);

        assertThat(call(a, "GET", "/api/projects/default/traces", ingest, null).status()).isEqualTo(403);
        assertThat(call(a, "GET", "/api/projects/default/themes", ingest, null).status()).isEqualTo(403);
        // A read key is no ingestion token.
        String read = createKey(a, "reader", "read").get("key").asText();
        assertThat(call(a, "POST", "/batch/", null, batch(read, "keys-ingest-3")).status()).isEqualTo(401);
        a.http.awaitApi("/api/projects/default/traces/keys-ingest-2", r -> r.status() == 200, Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("a key revoked on one instance gets 401 on the next request on another; an ingest key within auth.tokenCacheMillis")
    void revocationReachesOtherInstance() throws Exception {
        JsonNode read = createKey(a, "to-revoke", "read");
        String secret = read.get("key").asText();
        assertThat(call(b, "GET", "/api/projects/default/traces", secret, null).status()).isEqualTo(200);
        Answer revoked = call(a, "DELETE", "/api/projects/default/keys/" + read.get("id").asLong(), TestServer.ADMIN_KEY, null);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("revoked_at").isNull()).isFalse();
        Answer next = call(b, "GET", "/api/projects/default/traces", secret, null);
        assertThat(next.status()).isEqualTo(401);
        assertThat(call(a, "GET", "/api/projects/default/traces", secret, null).status()).isEqualTo(401);
        assertThat(call(a, "DELETE", "/api/projects/default/keys/" + read.get("id").asLong(), TestServer.ADMIN_KEY, null).status())
                .as("revoking twice is harmless").isEqualTo(200);

        // Ingestion credentials are cached per instance (every capture request needs one), for a bounded time.
        JsonNode ingest = createKey(a, "sdk-to-revoke", "ingest");
        String token = ingest.get("key").asText();
        assertThat(call(b, "POST", "/batch/", null, batch(token, "keys-revoke-1")).status()).isEqualTo(200);
        assertThat(call(a, "DELETE", "/api/projects/default/keys/" + ingest.get("id").asLong(), TestServer.ADMIN_KEY, null).status()).isEqualTo(200);
        assertThat(call(a, "POST", "/batch/", null, batch(token, "keys-revoke-2")).status()).as("the revoking instance at once").isEqualTo(401);
        long revokedAt = System.nanoTime();
        long deadline = revokedAt + Duration.ofSeconds(10).toNanos();
        int status;
        do {
            status = call(b, "POST", "/batch/", null, batch(token, "keys-revoke-3")).status();
        } while (status == 200 && System.nanoTime() < deadline);
        long tookMillis = (System.nanoTime() - revokedAt) / 1_000_000;
        assertThat(status).isEqualTo(401);
        assertThat(tookMillis).isLessThan(TOKEN_CACHE_MILLIS + 2_000);
    }

    @Test
    @DisplayName("a WebSocket opened with a key revoked later on another instance is closed with 4401 within seconds; an ingest key cannot open one")
    void revocationClosesWebSocket() throws Exception {
        JsonNode read = createKey(a, "live-client", "read");
        try (WsTestClient ws = WsTestClient.connect(vertxA, b.server.httpPort(), read.get("key").asText())) {
            assertThat(ws.next().get("type").asText()).isEqualTo("authenticated");
            assertThat(ws.request("{\"type\": \"subscribe\", \"project\": \"default\"}").get("type").asText()).isEqualTo("subscribed");
            long start = System.nanoTime();
            assertThat(call(a, "DELETE", "/api/projects/default/keys/" + read.get("id").asLong(), TestServer.ADMIN_KEY, null).status()).isEqualTo(200);
            assertThat(ws.awaitClose()).isEqualTo((short) 4401);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LiveHub.KEY_RECHECK_MILLIS + 3_000);
        }
        String ingest = createKey(a, "sdk-ws", "ingest").get("key").asText();
        try (WsTestClient ws = WsTestClient.connect(vertxA, b.server.httpPort(), ingest)) {
            JsonNode refused = ws.next();
            assertThat(refused.get("error").asText()).isEqualTo("unauthorized");
            assertThat(refused.get("detail").asText()).contains("needs read");
            assertThat(ws.awaitClose()).isEqualTo((short) 4401);
        }
    }

    @Test
    @DisplayName("a header token or API key is checked before the body is read: a wrong one gets 401 even for a gzip bomb or an oversized body")
    void headerTokenBeforeBody() throws Exception {
        byte[] bomb = HttpApi.gzip(new byte[30 * 1024 * 1024]); // inflates beyond http.bodyLimitBytes (20 MiB)
        assertThat(bomb.length).isLessThan(100_000);
        HttpApi.Response wrong = a.http.post("/batch/", bomb, "Content-Encoding", "gzip", "Authorization", "Bearer not-a-token");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("error").asText()).isEqualTo("invalid_token");
        HttpApi.Response right = a.http.post("/batch/", bomb, "Content-Encoding", "gzip", "Authorization", "Bearer " + TestServer.PROJECT_TOKEN);
        assertThat(right.status()).as("the same body is read and refused once the token is known").isEqualTo(413);

        assertThat(a.http.post("/batch/", "not json", "Authorization", "Bearer not-a-token").status()).isEqualTo(401);
        assertThat(a.http.post("/batch/", "not json", "Authorization", "Bearer " + TestServer.PROJECT_TOKEN).status()).isEqualTo(400);
        // The API too: a body over its 1 MiB limit is refused for size only once the key is known.
        String big = "{\"name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        assertThat(call(a, "POST", "/api/projects/default/themes", "not-a-key", big).status()).isEqualTo(401);
        assertThat(call(a, "POST", "/api/projects/default/themes", TestServer.ADMIN_KEY, big).status()).isEqualTo(413);
        byte[] plain = new byte[21 * 1024 * 1024]; // over http.bodyLimitBytes as sent: refused on its Content-Length
        assertThat(a.http.post("/batch/", plain, "Authorization", "Bearer not-a-token").status()).isEqualTo(401);
        assertThat(a.http.post("/batch/", plain, "Authorization", "Bearer " + TestServer.PROJECT_TOKEN).status()).isEqualTo(413);
        // The connection of a refused request is not reused with its unread body: the next request works.
        HttpApi.Response after = a.http.post("/batch/", batch(TestServer.PROJECT_TOKEN, "keys-header-1"));
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().get("accepted").asInt()).isEqualTo(1);
    }

    @Test
    @DisplayName("the dashboard is served with a CSP, nosniff and frame-ancestors 'none'; its page has no inline script or style")
    void securityHeaders() throws Exception {
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.server.httpPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(page.statusCode()).isEqualTo(200);
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'self'").contains("style-src 'self'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("<style").doesNotContain(" style=");
        Answer api = call(a, "GET", "/api/projects/default/traces", TestServer.ADMIN_KEY, null);
        assertThat(api.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }

    @Test
    @DisplayName("CORS is open on the capture routes and closed on /api")
    void corsOnlyOnCapture() throws Exception {
        Answer capturePreflight = call(a, "OPTIONS", "/batch/", null, null, "Origin", "https://app.example.com",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");
        assertThat(capturePreflight.headers().firstValue("Access-Control-Allow-Origin").orElse("")).isIn("*", "https://app.example.com");
        Answer capture = call(a, "POST", "/batch/", null, batch(TestServer.PROJECT_TOKEN, "keys-cors-1"), "Origin", "https://app.example.com");
        assertThat(capture.status()).isEqualTo(200);
        assertThat(capture.headers().firstValue("Access-Control-Allow-Origin").orElse("")).isIn("*", "https://app.example.com");

        Answer apiPreflight = call(a, "OPTIONS", "/api/projects/default/traces", null, null, "Origin", "https://evil.example.com",
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
        assertThat(apiPreflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        Answer api = call(a, "GET", "/api/projects/default/traces", TestServer.ADMIN_KEY, null, "Origin", "https://evil.example.com");
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
