package dev.prism.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.SummaryCreated;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends stored summaries to a PostHog instance as {@code $ai_trace_summary} events through its capture API
 * ({@code POST /batch/}), so they sit next to the traces in PostHog's LLM analytics.
 *
 * <p>A durable outbox without a copy of the data: the {@code posthog_forwarding} row records how far (completion time,
 * id) summaries were delivered; each round reads the next page of up to {@value #BATCH} finished analyses after it,
 * sends them, and moves the position only once PostHog accepted them. A failed send is retried with exponential
 * backoff; an outage or a crash delays summaries but loses none, and memory holds one page whatever the backlog. A
 * page sent twice (a crash between the send and the move, or two instances) is deduplicated by PostHog through the
 * events' uuids. Forwarding starts at the summaries finished after it was first enabled. Event-loop confined.
 */
final class PostHogForwarder {

    private static final Logger LOG = LoggerFactory.getLogger(PostHogForwarder.class);
    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    static final int BATCH = 100;
    /** 1 s, 2 s, 4 s … between failed sends, a minute at most. */
    private static final dev.prism.common.Backoff RETRY = new dev.prism.common.Backoff(1_000, 60_000, 60_000);
    /** Summaries younger than this wait a round: a completion committing late must not fall behind the position. */
    static final int SETTLE_SECONDS = 5;

    private final Vertx vertx;
    private final Pool pool;
    private final WebClient client;
    private final URI batchUri;
    private final String apiKey;
    private final long timer;
    private boolean sending;
    private boolean closed;
    /** Failed sends in a row; the next waits as {@link #RETRY} says. */
    private int failures;
    private long nextAttemptAt;

    PostHogForwarder(Vertx vertx, Pool pool, String host, String apiKey) {
        this.vertx = vertx;
        this.pool = pool;
        this.client = WebClient.create(vertx);
        this.batchUri = URI.create((host.endsWith("/") ? host : host + "/") + "batch/");
        this.apiKey = apiKey;
        this.timer = vertx.setPeriodic(1_000, id -> flush());
    }

    /** Creates the position at the first start with forwarding on: what was analysed before is not sent. */
    Future<Void> start() {
        return pool.query("INSERT INTO posthog_forwarding (id, after_time, after_id) VALUES (1, now(), 0) ON CONFLICT (id) DO NOTHING")
                .execute().mapEmpty();
    }

    private static ObjectNode event(SummaryCreated s) {
        ObjectNode event = MAPPER.createObjectNode().put("event", "$ai_trace_summary").put("distinct_id", "prism:" + s.projectId())
                .put("timestamp", s.createdAt().toString()).put("uuid", uuid(s));
        ObjectNode properties = MAPPER.valueToTree(s.eventProperties());
        properties.put("$ai_project_id", s.projectId()).put("$lib", "prism");
        event.set("properties", properties);
        return event;
    }

    /** The same analysis always gets the same event id, so a batch re-sent after a timeout is deduplicated by PostHog. */
    private static String uuid(SummaryCreated s) {
        String key = s.projectId() + "/" + s.themeId() + "/" + s.traceId() + "/" + s.traceVersion() + "/" + s.promptVersion();
        return java.util.UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private record Page(List<ObjectNode> events, Instant lastTime, long lastId, Instant afterTime, long afterId) {
    }

    private Future<Page> next() {
        return pool.query("SELECT after_time, after_id FROM posthog_forwarding WHERE id = 1").execute().compose(pos -> {
            if (pos.size() == 0) {
                return Future.succeededFuture(null);
            }
            Row p = pos.iterator().next();
            Instant afterTime = p.getOffsetDateTime("after_time").toInstant();
            long afterId = p.getLong("after_id");
            return pool.preparedQuery("""
                            SELECT project_id, theme_id, trace_id, trace_version, prompt_version, theme_relevant, title, summary, severity,
                                   model, coalesce(input_tokens, 0), coalesce(output_tokens, 0), coalesce(cost_usd, 0), coalesce(latency_ms, 0),
                                   completed_at, id
                              FROM analyses WHERE status = 'done' AND (completed_at, id) > ($1, $2::bigint)
                               AND completed_at < now() - make_interval(secs => $3)
                             ORDER BY completed_at, id LIMIT $4""")
                    .execute(Tuple.of(afterTime.atOffset(ZoneOffset.UTC), afterId, SETTLE_SECONDS, BATCH))
                    .map(rows -> {
                        List<ObjectNode> events = new ArrayList<>(rows.size());
                        Instant lastTime = null;
                        long lastId = 0;
                        for (Row r : rows) {
                            lastTime = r.getOffsetDateTime(14).toInstant();
                            lastId = r.getLong(15);
                            events.add(event(new SummaryCreated(r.getString(0), r.getString(1), r.getString(2), r.getInteger(3), r.getInteger(4),
                                    Boolean.TRUE.equals(r.getBoolean(5)), r.getString(6), r.getString(7), r.getString(8), r.getString(9),
                                    r.getLong(10), r.getLong(11), r.getDouble(12), r.getLong(13), lastTime)));
                        }
                        return events.isEmpty() ? null : new Page(events, lastTime, lastId, afterTime, afterId);
                    });
        });
    }

    private void flush() {
        if (sending || closed || System.currentTimeMillis() < nextAttemptAt) {
            return;
        }
        sending = true;
        next().compose(page -> {
            if (page == null) {
                return Future.succeededFuture(false);
            }
            ObjectNode body = MAPPER.createObjectNode().put("api_key", apiKey);
            ArrayNode events = body.putArray("batch");
            page.events().forEach(events::add);
            return send(body)
                    .recover(e -> {
                        // The key is in the body only: the message names the host and what went wrong.
                        LOG.warn("Forwarding {} summaries to {} failed ({}); retrying", page.events().size(), batchUri.getHost(), e.getMessage());
                        return Future.failedFuture(e);
                    })
                    // Moves only from where this page started: another instance that moved it meanwhile wins.
                    .compose(v -> pool.preparedQuery("""
                                    UPDATE posthog_forwarding SET after_time = $1, after_id = $2, updated_at = now()
                                     WHERE id = 1 AND (after_time, after_id) = ($3, $4)""")
                            .execute(Tuple.of(page.lastTime().atOffset(ZoneOffset.UTC), page.lastId(),
                                    page.afterTime().atOffset(ZoneOffset.UTC), page.afterId())))
                    .map(v -> page.events().size() == BATCH);
        }).onComplete(ar -> {
            sending = false;
            if (ar.succeeded()) {
                failures = 0;
                nextAttemptAt = 0;
                if (ar.result()) {
                    flush(); // a full page: more are waiting
                }
                return;
            }
            failures++;
            nextAttemptAt = System.currentTimeMillis() + RETRY.delayMillis(failures, -1, java.util.concurrent.ThreadLocalRandom.current());
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
        closed = true;
        vertx.cancelTimer(timer);
        client.close();
    }
}
