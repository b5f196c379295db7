package dev.prism.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.SummaryCreated;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends stored summaries to a PostHog instance as {@code $ai_trace_summary} events through its capture API
 * ({@code POST /batch/}), so they sit next to the traces in PostHog's LLM analytics. Batches of up to
 * {@value #BATCH} leave every second; a failed batch is retried with exponential backoff. The queue is bounded in
 * memory: the summaries themselves are safe in PostgreSQL, so beyond {@value #MAX_QUEUED} waiting events the oldest are
 * dropped (and counted in the log) rather than letting an unreachable PostHog exhaust memory. Event-loop confined.
 */
final class PostHogForwarder {

    private static final Logger LOG = LoggerFactory.getLogger(PostHogForwarder.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final int BATCH = 100;
    static final int MAX_QUEUED = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    private final Vertx vertx;
    private final WebClient client;
    private final URI batchUri;
    private final String apiKey;
    private final Deque<ObjectNode> queue = new ArrayDeque<>();
    private long timer;
    private boolean sending;
    private long backoffMillis;
    private long nextAttemptAt;
    private long dropped;

    PostHogForwarder(Vertx vertx, String host, String apiKey) {
        this.vertx = vertx;
        this.client = WebClient.create(vertx);
        this.batchUri = URI.create((host.endsWith("/") ? host : host + "/") + "batch/");
        this.apiKey = apiKey;
        this.timer = vertx.setPeriodic(1_000, id -> flush());
    }

    void add(SummaryCreated s) {
        ObjectNode event = MAPPER.createObjectNode().put("event", "$ai_trace_summary").put("distinct_id", "prism:" + s.projectId())
                .put("timestamp", s.createdAt().toString()).put("uuid", uuid(s));
        ObjectNode properties = MAPPER.valueToTree(s.eventProperties());
        properties.put("$ai_project_id", s.projectId()).put("$lib", "prism");
        event.set("properties", properties);
        queue.addLast(event);
        while (queue.size() > MAX_QUEUED) {
            queue.removeFirst();
            dropped++;
        }
        if (queue.size() >= BATCH) {
            flush();
        }
    }

    /** The same analysis always gets the same event id, so a batch re-sent after a timeout is deduplicated by PostHog. */
    private static String uuid(SummaryCreated s) {
        String key = s.projectId() + "/" + s.themeId() + "/" + s.traceId() + "/" + s.traceVersion() + "/" + s.promptVersion();
        return java.util.UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private void flush() {
        if (sending || queue.isEmpty() || System.currentTimeMillis() < nextAttemptAt) {
            return;
        }
        if (dropped > 0) {
            LOG.warn("PostHog forwarding fell behind: {} summaries were not forwarded (they remain in Prism)", dropped);
            dropped = 0;
        }
        List<ObjectNode> batch = new ArrayList<>();
        while (batch.size() < BATCH && !queue.isEmpty()) {
            batch.add(queue.removeFirst());
        }
        ObjectNode body = MAPPER.createObjectNode().put("api_key", apiKey);
        ArrayNode events = body.putArray("batch");
        batch.forEach(events::add);
        sending = true;
        send(body).onComplete(ar -> {
            sending = false;
            if (ar.succeeded()) {
                backoffMillis = 0;
                nextAttemptAt = 0;
                if (queue.size() >= BATCH) {
                    flush();
                }
                return;
            }
            for (int i = batch.size() - 1; i >= 0; i--) {
                queue.addFirst(batch.get(i));
            }
            backoffMillis = backoffMillis == 0 ? 1_000 : Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            nextAttemptAt = System.currentTimeMillis() + backoffMillis;
            // The key is in the body only: the message names the host and what went wrong.
            LOG.warn("Forwarding {} summaries to {} failed ({}); retrying in {} ms", batch.size(), batchUri.getHost(),
                    ar.cause().getMessage(), backoffMillis);
        });
    }

    private Future<Void> send(ObjectNode body) {
        boolean tls = "https".equals(batchUri.getScheme());
        int port = batchUri.getPort() > 0 ? batchUri.getPort() : tls ? 443 : 80;
        return client.post(port, batchUri.getHost(), batchUri.getRawPath()).ssl(tls).putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body.toString()))
                .timeout(10, TimeUnit.SECONDS)
                .compose(r -> r.statusCode() / 100 == 2 ? Future.<Void>succeededFuture()
                        : Future.failedFuture("HTTP " + r.statusCode()));
    }

    void close() {
        vertx.cancelTimer(timer);
        client.close();
    }
}
