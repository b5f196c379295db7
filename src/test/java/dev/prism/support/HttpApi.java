package dev.prism.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** A plain HTTP client for end-to-end tests: what a PostHog SDK or an integration would send. */
public final class HttpApi {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    HttpApi(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public record Response(int status, JsonNode json, java.net.http.HttpHeaders headers) {
    }

    public Response post(String path, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public Response post(String path, String body, String... headers) throws IOException, InterruptedException {
        return post(path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Any method with a JSON body, as the admin. */
    public Response admin(String method, String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, HttpRequest.BodyPublishers.ofString(body == null ? "" : body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build());
    }

    public Response get(String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return send(b.build());
    }

    /** GET as the admin. */
    public Response api(String path) throws IOException, InterruptedException {
        return get(path, TestServer.ADMIN_KEY);
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = r.body() == null || r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            json = JSON.getNodeFactory().textNode(r.body());
        }
        return new Response(r.statusCode(), json, r.headers());
    }

    /** {@code {"api_key": token, "batch": events}} */
    public static String batch(String token, List<JsonNode> events) {
        ObjectNode body = JSON.createObjectNode().put("api_key", token);
        ArrayNode batch = body.putArray("batch");
        events.forEach(batch::add);
        return body.toString();
    }

    public static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /** Polls a GET until the answer satisfies {@code done}, for asynchronous completion. */
    public Response awaitApi(String path, Predicate<Response> done, Duration timeout) {
        AtomicReference<Response> last = new AtomicReference<>();
        try {
            return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).pollDelay(Duration.ZERO)
                    .until(() -> {
                        Response r = api(path);
                        last.set(r);
                        return r;
                    }, done);
        } catch (ConditionTimeoutException e) {
            Response r = last.get();
            throw new AssertionError("Timed out waiting on " + path + "; last answer "
                    + (r == null ? "none" : r.status() + " " + r.json()), e);
        }
    }
}
