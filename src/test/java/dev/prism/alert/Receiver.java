package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP server standing in for an alert receiver: records every request (path, bearer token, JSON body, the
 * headers and the body as received, which a signature is checked over) and
 * answers with the scripted statuses first (each may carry a {@code Retry-After}, {@link #HANG} answers nothing), 200
 * after them.
 */
public final class Receiver {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param headers the request's headers, names in lower case; @param raw the body's bytes as UTF-8 text */
    public record Received(String path, String authorization, JsonNode body, java.util.Map<String, String> headers, String raw) {

        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    public record Answer(int status, String retryAfter) {
    }

    /** A scripted "status" for a request that is read and never answered. */
    public static final int HANG = 0;

    private final Vertx vertx;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private HttpServer server;

    public Receiver(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<Receiver> listen(int port) {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            JsonNode body;
            try {
                body = JSON.readTree(b.getBytes());
            } catch (java.io.IOException e) {
                body = JSON.getNodeFactory().textNode(b.toString());
            }
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
            received.add(new Received(req.path(), req.getHeader("Authorization"), body, java.util.Map.copyOf(headers), b.toString()));
            Answer a = script.poll();
            if (a != null && a.status() == HANG) {
                return; // accepted and never answered: the sender's timeout (or its death) ends it
            }
            var resp = req.response().setStatusCode(a == null ? 200 : a.status());
            if (a != null && a.retryAfter() != null) {
                resp.putHeader("Retry-After", a.retryAfter());
            }
            resp.end(a == null ? "ok" : "scripted " + a.status());
        })).listen(port, "127.0.0.1").map(s -> {
            server = s;
            return this;
        });
    }

    public Receiver answer(int status, String retryAfter) {
        script.add(new Answer(status, retryAfter));
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
