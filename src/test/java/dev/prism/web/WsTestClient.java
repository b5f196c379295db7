package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** A WebSocket client of {@code /ws} for tests: collects what the server sends and how it closed. */
final class WsTestClient implements AutoCloseable {

    private final WebSocketClient client;
    final ClientWebSocket ws;
    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();

    private WsTestClient(WebSocketClient client) {
        this.client = client;
        this.ws = client.webSocket();
        // Handlers before connecting, so nothing the server sends first is missed.
        ws.textMessageHandler(text -> {
            try {
                messages.add(HttpApi.JSON.readTree(text));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    }

    static WsTestClient connect(Vertx vertx, int port, String bearer) throws Exception {
        return connect(vertx, port, bearer, new WebSocketClientOptions());
    }

    static WsTestClient connect(Vertx vertx, int port, String bearer, WebSocketClientOptions options) throws Exception {
        WsTestClient c = new WsTestClient(vertx.createWebSocketClient(options));
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
        if (bearer != null) {
            connect.addHeader("Authorization", "Bearer " + bearer);
        }
        TestServer.await(c.ws.connect(connect));
        return c;
    }

    /** Connects with the admin key in the header and waits for {@code authenticated}. */
    static WsTestClient admin(Vertx vertx, int port) throws Exception {
        WsTestClient c = connect(vertx, port, TestServer.ADMIN_KEY);
        assertThat(c.next().get("type").asText()).isEqualTo("authenticated");
        return c;
    }

    void send(String json) throws Exception {
        TestServer.await(ws.writeTextMessage(json));
    }

    /** Sends a request and returns the next message, its reply. */
    JsonNode request(String json) throws Exception {
        send(json);
        return next();
    }

    JsonNode next() throws InterruptedException {
        return next(Duration.ofSeconds(20));
    }

    JsonNode next(Duration wait) throws InterruptedException {
        JsonNode m = messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            fail("no message within " + wait);
        }
        return m;
    }

    /** Messages up to and including the first one {@code last} accepts. */
    List<JsonNode> until(java.util.function.Predicate<JsonNode> last) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode m = next();
            out.add(m);
            if (last.test(m)) {
                return out;
            }
        }
    }

    /** Whatever arrived and was not read yet. */
    List<JsonNode> pending() {
        List<JsonNode> out = new ArrayList<>();
        messages.drainTo(out);
        return out;
    }

    /** The close code the server sent. */
    short awaitClose() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() throws Exception {
        if (!closed.isDone()) {
            TestServer.await(ws.close());
        }
        TestServer.await(client.close());
    }
}
