package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.ApiAccess;
import dev.prism.bus.Failure;
import dev.prism.config.PrismConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket client: authentication, its requests, its subscriptions, and the way updates reach it without the
 * server buffering without bound.
 *
 * <p>Updates are written straight to the connection while it takes them. Once its write queue is full they wait in a
 * {@link CoalescingBuffer} (newer states replace older ones, the oldest summaries go beyond the bound) until the
 * connection drains. While anything waits, or a request is being answered, the client's requests are not read: that
 * keeps its replies in order and their number bounded. Everything runs on the connection's event loop.
 */
final class LiveConnection {

    /** Close code for a client that did not authenticate, or not in time (4000–4999 are the application's). */
    static final short CLOSE_UNAUTHORIZED = 4401;
    /** Close code when the key could not be checked because a dependency is down: retry later (RFC 6455 1013). */
    static final short CLOSE_TRY_AGAIN_LATER = 1013;
    static final short CLOSE_INTERNAL_ERROR = 1011;
    static final short CLOSE_GOING_AWAY = 1001;
    static final short CLOSE_TOO_BIG = 1009;
    /** Projects plus theme names one client may subscribe to. */
    static final int MAX_SUBSCRIPTION_ENTRIES = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(LiveConnection.class);

    private final Vertx vertx;
    private final ServerWebSocket ws;
    private final PrismConfig.WebSocket config;
    private final LiveStats stats;
    private final Runnable onClose;
    private final Subscriptions subscriptions = new Subscriptions(MAX_SUBSCRIPTION_ENTRIES);
    private final CoalescingBuffer buffer;

    private String apiKey;
    private boolean authenticated;
    /** We closed it, or are closing it: nothing more is sent or read. */
    private boolean closing;
    /** The connection is gone and forgotten. */
    private boolean closed;
    /** A request is being answered (a bus round trip): the next waits. */
    private boolean handling;
    private boolean readingPaused;
    private long authTimer = -1;

    LiveConnection(Vertx vertx, ServerWebSocket ws, PrismConfig.WebSocket config, LiveStats stats, Runnable onClose) {
        this.vertx = vertx;
        this.ws = ws;
        this.config = config;
        this.stats = stats;
        this.onClose = onClose;
        this.buffer = new CoalescingBuffer(config.maxBufferedMessages(), config.maxBufferedChars());
    }

    /** @param bearer the upgrade request's API key, or null: the client must then send an auth message in time */
    void start(String bearer) {
        stats.clients.incrementAndGet();
        ws.textMessageHandler(this::onText);
        ws.binaryMessageHandler(b -> onText(null));
        ws.drainHandler(v -> flush());
        ws.closeHandler(v -> onClosed());
        ws.exceptionHandler(this::onException);
        if (bearer != null) {
            answer(authenticate(bearer, null));
        } else {
            authTimer = vertx.setTimer(config.authTimeoutMillis(), id -> {
                authTimer = -1;
                if (!authenticated && !handling) {
                    close(CLOSE_UNAUTHORIZED, "unauthorized", "No auth message within " + config.authTimeoutMillis()
                            + " ms: send {\"type\": \"auth\", \"token\": \"<api key>\"} first, or an Authorization: Bearer header");
                }
            });
        }
    }

    /**
     * Vert.x reports a message over the server's limit here, drops what it gathered and carries on reading the rest of
     * it as if it were new messages; closing is the only clean answer. Other failures are the connection's own end.
     */
    private void onException(Throwable e) {
        if (e instanceof IllegalStateException && e.getMessage() != null && e.getMessage().contains("max message size")) {
            close(CLOSE_TOO_BIG, "message_too_large", "Messages to the server are at most " + HttpServerVerticle.MAX_WS_REQUEST_BYTES + " bytes");
        } else {
            LOG.debug("WebSocket {} failed", ws.remoteAddress(), e);
        }
    }

    /** Sends an update if the client subscribed to its project and theme. */
    void offer(LiveProtocol.Update update) {
        if (wants(update.project, update.theme)) {
            send(CoalescingBuffer.Entry.event(update.coalesceKey, update.text()));
        }
    }

    boolean wants(String project, String theme) {
        return authenticated && !closing && !closed && subscriptions.matches(project, theme);
    }

    /** The key this open, authenticated connection was let in with; null otherwise. */
    String authenticatedKey() {
        return authenticated && !closing && !closed ? apiKey : null;
    }

    void keyRevoked() {
        close(CLOSE_UNAUTHORIZED, "unauthorized", "The API key of this connection is no longer accepted (revoked)");
    }

    Future<Void> shutdown() {
        closing = true;
        return closed ? Future.succeededFuture() : ws.close(CLOSE_GOING_AWAY, "server stopping").recover(e -> Future.succeededFuture());
    }

    private void onText(String text) {
        if (closing || closed) {
            return;
        }
        LiveProtocol.Request request = text == null
                ? new LiveProtocol.Invalid(null, "invalid_message", "Send JSON in text messages; binary messages are not read")
                : LiveProtocol.parse(text);
        if (!authenticated) {
            if (request instanceof LiveProtocol.Auth auth) {
                cancelAuthTimer();
                answer(authenticate(auth.token(), auth.id()));
            } else {
                close(CLOSE_UNAUTHORIZED, "unauthorized", "Authenticate first: send {\"type\": \"auth\", \"token\": \"<api key>\"} "
                        + "as the first message, or an Authorization: Bearer header with the upgrade");
            }
            return;
        }
        if (request instanceof LiveProtocol.Subscribe s) {
            answer(subscribe(s));
        } else if (request instanceof LiveProtocol.Unsubscribe u) {
            boolean ok = subscriptions.unsubscribe(u.project(), u.themes());
            reply(ok ? LiveProtocol.subscription("unsubscribed", subscriptions.view(u.project()), u.id()) : tooMany(u.id()));
        } else if (request instanceof LiveProtocol.Ping p) {
            reply(LiveProtocol.pong(p.id()));
        } else if (request instanceof LiveProtocol.Auth a) {
            reply(LiveProtocol.error("already_authenticated", "This connection is already authenticated", a.id()));
        } else if (request instanceof LiveProtocol.Invalid i) {
            reply(LiveProtocol.error(i.error(), i.detail(), i.id()));
        }
    }

    /** Reads no further request until this one is answered, so replies come in request order. */
    private void answer(Future<Void> work) {
        handling = true;
        updateReading();
        work.onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("WebSocket request failed", ar.cause());
            }
            handling = false;
            updateReading();
        });
    }

    private Future<Void> authenticate(String token, JsonNode id) {
        // No project: this checks the key itself; each subscription checks it against its project.
        return vertx.eventBus().request(Addresses.PROJECT_AUTHORIZE, new ApiAccess(token, null)).transform(ar -> {
            if (closing || closed) {
                return Future.succeededFuture();
            }
            if (ar.succeeded()) {
                apiKey = token;
                authenticated = true;
                reply(LiveProtocol.authenticated(id));
                return Future.succeededFuture();
            }
            Failure f = Failure.from(ar.cause());
            if (f.status() == 401 || f.status() == 403) {
                close(CLOSE_UNAUTHORIZED, "unauthorized", f.detail());
            } else if (f.status() == 503) {
                close(CLOSE_TRY_AGAIN_LATER, "unavailable", "The API key cannot be checked now; reconnect later");
            } else {
                close(CLOSE_INTERNAL_ERROR, "internal_error", "The API key cannot be checked; see the server log");
            }
            return Future.succeededFuture();
        });
    }

    private Future<Void> subscribe(LiveProtocol.Subscribe s) {
        return vertx.eventBus().request(Addresses.PROJECT_AUTHORIZE, new ApiAccess(apiKey, s.project())).transform(ar -> {
            if (closing || closed) {
                return Future.succeededFuture();
            }
            if (ar.failed()) {
                Failure f = Failure.from(ar.cause());
                reply(LiveProtocol.error(f.error(), f.detail(), s.id()));
            } else if (!subscriptions.subscribe(s.project(), s.themes())) {
                reply(tooMany(s.id()));
            } else {
                reply(LiveProtocol.subscription("subscribed", subscriptions.view(s.project()), s.id()));
            }
            return Future.succeededFuture();
        });
    }

    private static String tooMany(JsonNode id) {
        return LiveProtocol.error("too_many_subscriptions", "One connection holds at most " + MAX_SUBSCRIPTION_ENTRIES
                + " projects and theme names; subscribe to whole projects or open another connection", id);
    }

    private void reply(String text) {
        send(CoalescingBuffer.Entry.control(text));
    }

    private void send(CoalescingBuffer.Entry entry) {
        if (closing || closed) {
            return;
        }
        if (buffer.isEmpty() && !writeQueueFull()) {
            write(entry.text());
            return;
        }
        int before = buffer.size();
        CoalescingBuffer.Offer offer = buffer.offer(entry);
        stats.buffered.addAndGet(buffer.size() - before);
        stats.clientBuffer.record(buffer.size());
        if (offer.coalesced()) {
            stats.coalesced.increment();
        }
        if (offer.dropped() > 0) {
            stats.dropped.increment(offer.dropped());
        }
        updateReading();
    }

    /** The connection can take more: send what waited, in order, then say how much was lost. */
    private void flush() {
        while (!closing && !closed && !buffer.isEmpty() && !writeQueueFull()) {
            write(buffer.poll().text());
            stats.buffered.decrementAndGet();
        }
        if (!closing && !closed && buffer.isEmpty()) {
            long dropped = buffer.takeDropped();
            if (dropped > 0) {
                write(LiveProtocol.dropped(dropped));
            }
            updateReading();
        }
    }

    private boolean writeQueueFull() {
        try {
            return ws.writeQueueFull();
        } catch (IllegalStateException closing) {
            return true; // closed under us: hold the message until the close handler clears everything
        }
    }

    private void write(String text) {
        try {
            ws.writeTextMessage(text);
            stats.sent.increment();
        } catch (IllegalStateException closing) {
            LOG.debug("WebSocket closed while writing");
        }
    }

    private void updateReading() {
        boolean pause = !closed && (handling || !buffer.isEmpty());
        if (pause == readingPaused) {
            return;
        }
        readingPaused = pause;
        try {
            if (pause) {
                ws.pause();
            } else {
                ws.resume();
            }
        } catch (IllegalStateException closing) {
            LOG.debug("WebSocket closed while pausing or resuming");
        }
    }

    /** Tells the client why, then closes. */
    private void close(short code, String error, String detail) {
        if (closing || closed) {
            return;
        }
        write(LiveProtocol.error(error, detail, null));
        closing = true;
        ws.close(code, error);
    }

    private void cancelAuthTimer() {
        if (authTimer >= 0) {
            vertx.cancelTimer(authTimer);
            authTimer = -1;
        }
    }

    private void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        cancelAuthTimer();
        stats.buffered.addAndGet(-buffer.clear());
        stats.clients.decrementAndGet();
        onClose.run();
    }
}
