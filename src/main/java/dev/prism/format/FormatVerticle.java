package dev.prism.format;

import dev.prism.bus.Addresses;
import dev.prism.bus.Failure;
import dev.prism.bus.TraceCompleted;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceFormatted;
import dev.prism.bus.TraceQuery;
import dev.prism.bus.TraceSummary;
import dev.prism.bus.TraceText;
import dev.prism.bus.TraceTextQuery;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders traces as text and caches the result by project, trace id, version and options: in Redis when configured
 * (shared by instances, 24 h TTL), in process otherwise. Completed versions are rendered once, as they complete, so
 * later stages and the API find them in the cache; pending traces are rendered fresh (their text still changes).
 * Rendering runs on worker threads: a trace can be megabytes.
 *
 * <p>Completed traces are rendered at most two per core at a time; the others wait, up to {@code format.maxQueuedBytes}
 * of traces. Beyond, a completion is not rendered here: its version stays undispatched in PostgreSQL and theme
 * dispatch's sweep queues its analyses, which fetch the text when they run. A burst of completions therefore costs a
 * bounded amount of memory, and the backlog lives in the database.
 *
 * <p>Consumes {@value Addresses#TRACE_COMPLETED} and {@value Addresses#FORMAT_TEXT}; sends
 * {@value Addresses#TRACE_SUMMARY} and {@value Addresses#TRACE_GET}; publishes {@value Addresses#TRACE_FORMATTED}.
 * Meters: {@code prism_format_cache_total{result=hit|miss}}, {@code prism_format_render_seconds},
 * {@code prism_format_deferred_total} (completions left to the dispatch sweep).
 */
public final class FormatVerticle extends VerticleBase {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FormatVerticle.class);

    private final PrismConfig.Format config;
    private final Metrics metrics;
    /** {@code llm.maxTraceChars}: the budget of the text published for analysis. */
    private final int analysisChars;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private TextCache cache;
    private Counter hits;
    private Counter misses;
    private Timer renders;
    private Counter deferred;
    private final int maxRendering = 2 * Math.max(1, Runtime.getRuntime().availableProcessors());
    private int rendering;
    private final java.util.ArrayDeque<Waiting> waiting = new java.util.ArrayDeque<>();
    private long waitingBytes;

    private record Waiting(TraceCompleted completed, long bytes) {
    }

    public FormatVerticle(PrismConfig.Format config, Metrics metrics, int analysisChars) {
        this.config = config;
        this.metrics = metrics;
        this.analysisChars = analysisChars;
    }

    @Override
    public Future<?> start() {
        String backend = config.redisUrl().isPresent() ? "redis" : "local";
        hits = Counter.builder("prism.format.cache").tag("result", "hit").tag("backend", backend).register(metrics.registry());
        misses = Counter.builder("prism.format.cache").tag("result", "miss").tag("backend", backend).register(metrics.registry());
        renders = Timer.builder("prism.format.render").register(metrics.registry());
        deferred = Counter.builder("prism.format.deferred").description("Completed traces not rendered on completion (over format.maxQueuedBytes); "
                + "the dispatch sweep picks them up").register(metrics.registry());
        Duration ttl = Duration.ofHours(config.cacheTtlHours());
        Future<Void> ready;
        if (config.redisUrl().isPresent()) {
            RedisTextCache redis = new RedisTextCache(vertx, config.redisUrl().get(), ttl);
            cache = redis;
            ready = redis.ping().recover(e -> Future.failedFuture(
                    new IllegalStateException("Redis at " + PrismConfig.REDIS_URL.env() + " does not answer: " + e.getMessage())));
        } else {
            cache = new LocalTextCache(config.localCacheChars(), ttl);
            ready = Future.succeededFuture();
        }
        return ready.onSuccess(v -> {
            consumers.add(vertx.eventBus().<TraceCompleted>consumer(Addresses.TRACE_COMPLETED, msg -> onCompleted(msg.body())));
            consumers.add(vertx.eventBus().<TraceTextQuery>consumer(Addresses.FORMAT_TEXT, msg ->
                    text(msg.body()).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e))));
        });
    }

    /**
     * Renders a completed version once, in full (what the API serves by default) and within the analysis budget (what
     * a prompt carries: an evenly spaced sample of lines under a header saying what share is shown). Both are cached, so
     * a task claimed later fetches its text without rendering again; the budgeted text is what is published, so no
     * later stage holds or sends more than the cap.
     */
    private void onCompleted(TraceCompleted c) {
        if (rendering < maxRendering) {
            renderCompleted(c);
            return;
        }
        long bytes = TraceBytes.estimate(c.trace());
        if (waitingBytes + bytes > config.maxQueuedBytes()) {
            deferred.increment();
            LOG.debug("Trace {} v{} left to the dispatch sweep: {} bytes of traces wait to be rendered", c.traceId(), c.version(), waitingBytes);
            return;
        }
        waiting.add(new Waiting(c, bytes));
        waitingBytes += bytes;
    }

    private void renderCompleted(TraceCompleted c) {
        rendering++;
        TraceFormatter.Options full = TraceFormatter.Options.defaults();
        TraceFormatter.Options analysis = new TraceFormatter.Options(false, analysisChars);
        vertx.executeBlocking(() -> renders.recordCallable(() -> {
                    String text = TraceFormatter.format(c.trace(), full);
                    return new String[]{text, TextBudget.apply(text, false, analysisChars)};
                }), false)
                .compose(texts -> cache.put(key(c.projectId(), c.traceId(), c.version(), c.completedAt(), full), texts[0])
                        .compose(v -> cache.put(key(c.projectId(), c.traceId(), c.version(), c.completedAt(), analysis), texts[1]))
                        .map(v -> texts[1]))
                .onSuccess(text -> vertx.eventBus().publish(Addresses.TRACE_FORMATTED,
                        new TraceFormatted(c.projectId(), c.traceId(), c.version(), c.trace(), text, c.versionEvents())))
                .onFailure(e -> LOG.warn("Trace {} v{} could not be rendered: {}", c.traceId(), c.version(), e.toString()))
                .onComplete(ar -> {
                    rendering--;
                    Waiting next = waiting.poll();
                    if (next != null) {
                        waitingBytes -= next.bytes();
                        renderCompleted(next.completed());
                    }
                });
    }

    private Future<TraceText> text(TraceTextQuery q) {
        if (q.maxLength() < 0) {
            return Future.failedFuture(new Failure(400, "invalid_max_length", "max_length must be 0 (unlimited) or more").exception());
        }
        TraceFormatter.Options options = new TraceFormatter.Options(q.lineNumbers(), q.maxLength());
        TraceQuery traceQuery = new TraceQuery(q.projectId(), q.traceId());
        return vertx.eventBus().<TraceSummary>request(Addresses.TRACE_SUMMARY, traceQuery).map(m -> m.body()).compose(summary -> {
            boolean cacheable = "completed".equals(summary.status());
            String key = cacheable ? key(q.projectId(), q.traceId(), summary.version(), summary.completedAt(), options) : null;
            Future<String> cached = cacheable ? cache.get(key) : Future.succeededFuture(null);
            return cached.compose(text -> {
                if (text != null) {
                    hits.increment();
                    return Future.succeededFuture(new TraceText(q.traceId(), summary.version(), text, true));
                }
                misses.increment();
                return vertx.eventBus().<TraceDetail>request(Addresses.TRACE_GET, traceQuery)
                        .compose(detail -> render(detail.body().trace(), options))
                        .compose(fresh -> (cacheable ? cache.put(key, fresh) : Future.<Void>succeededFuture())
                                .map(v -> new TraceText(q.traceId(), summary.version(), fresh, false)));
            });
        });
    }

    private Future<String> render(dev.prism.bus.AssembledTrace trace, TraceFormatter.Options options) {
        return vertx.executeBlocking(() -> renders.recordCallable(() -> TraceFormatter.format(trace, options)), false);
    }

    /**
     * Length-prefixed trace id, so no id can make two keys collide; the completion time makes a key unique to this
     * content even when a shared Redis outlives a database that is reset and fed the same traces again.
     */
    static String key(String projectId, String traceId, int version, Instant completedAt, TraceFormatter.Options o) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, completedAt);
        return projectId + '/' + traceId.length() + ':' + traceId + '/' + version + '/' + micros + '/'
                + (o.lineNumbers() ? 'n' : '-') + o.maxLength();
    }

    @Override
    public Future<?> stop() {
        consumers.forEach(MessageConsumer::unregister);
        return cache == null ? Future.succeededFuture() : cache.close();
    }
}
