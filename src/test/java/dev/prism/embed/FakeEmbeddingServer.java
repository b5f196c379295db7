package dev.prism.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small OpenAI-compatible embeddings server: {@code POST /v1/embeddings} with {@code {"model", "input": [...]}} answers
 * {@code {"data": [{"index", "embedding"}], "model", "usage"}} in reverse order (clients must use "index"). Vectors are
 * 8 unnormalised letter-count dimensions, so texts sharing letters are near. Scripted failures are served first.
 */
final class FakeEmbeddingServer extends VerticleBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scripted answer: an HTTP status with optional Retry-After, or silence (no answer at all). */
    record Script(int status, String retryAfter, boolean silent) {
        static Script status(int status) {
            return new Script(status, null, false);
        }

        static Script limited(String retryAfter) {
            return new Script(429, retryAfter, false);
        }

        static Script silence() {
            return new Script(0, null, true);
        }
    }

    /** One request received: input count, model, Authorization header, arrival time. */
    record Received(int inputs, String model, String authorization, long atNanos) {
    }

    final List<Received> log = new CopyOnWriteArrayList<>();
    final Queue<Script> script = new ConcurrentLinkedQueue<>();
    private HttpServer server;

    int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> handle(req, body.toString())))
                .listen(0, "127.0.0.1").onSuccess(s -> server = s);
    }

    private void handle(HttpServerRequest req, String body) {
        if (req.method() != HttpMethod.POST || !req.path().equals("/v1/embeddings")) {
            req.response().setStatusCode(404).end("{\"error\": {\"message\": \"no route " + req.path() + "\"}}");
            return;
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            req.response().setStatusCode(400).end("{\"error\": {\"message\": \"invalid JSON\"}}");
            return;
        }
        JsonNode input = json.path("input");
        log.add(new Received(input.size(), json.path("model").asText(), req.getHeader("Authorization"), System.nanoTime()));
        Script s = script.poll();
        if (s != null) {
            if (s.silent()) {
                return; // never answers: the client's deadline must end the call
            }
            var response = req.response().setStatusCode(s.status()).putHeader("Content-Type", "application/json");
            if (s.retryAfter() != null) {
                response.putHeader("Retry-After", s.retryAfter());
            }
            response.end("{\"error\": {\"message\": \"scripted failure " + s.status() + "\", \"type\": \"server_error\"}}");
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("object", "list").put("model", json.path("model").asText());
        ArrayNode data = answer.putArray("data");
        for (int i = input.size() - 1; i >= 0; i--) {
            ArrayNode vector = JSON.createArrayNode();
            for (float x : letters(input.get(i).asText())) {
                vector.add(x);
            }
            data.add(JSON.createObjectNode().put("object", "embedding").put("index", i).set("embedding", vector));
        }
        answer.putObject("usage").put("prompt_tokens", 10).put("total_tokens", 10);
        req.response().putHeader("Content-Type", "application/json").end(answer.toString());
    }

    /** Counts of the letters a–h (plus one, never zero): the "model" of this server. */
    static float[] letters(String text) {
        float[] v = new float[8];
        for (int i = 0; i < 8; i++) {
            v[i] = 1;
        }
        for (char c : text.toLowerCase().toCharArray()) {
            if (c >= 'a' && c <= 'h') {
                v[c - 'a'] += 1;
            }
        }
        return v;
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
