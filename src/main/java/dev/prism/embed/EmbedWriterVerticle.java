package dev.prism.embed;

import dev.prism.bus.Addresses;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryScan;
import dev.prism.config.PrismConfig;
import dev.prism.lifecycle.Pace;
import dev.prism.metrics.Metrics;
import dev.prism.store.OutageLog;
import dev.prism.store.StoreErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds relevant summaries: each {@code theme_relevant} summary's text joins a batch that leaves when full
 * ({@code embed.batchSize}) or {@code embed.batchWaitMillis} after its first text, and is written by a
 * {@link VectorWriter}. Texts beyond {@code embed.maxPendingBytes}, and every text of a batch that failed, are left to
 * the sweep, which every {@code embed.sweepSeconds} pages through relevant summaries (over {@value Addresses#SUMMARY_SCAN})
 * and queues those the indexes lack. Owns the model of {@link SharedEmbeddings}: loads it and reloads the indexes at
 * start, and closes both at stop after embedding what is waiting.
 *
 * <p>Consumes {@value Addresses#SUMMARY_CREATED}; sends {@value Addresses#SUMMARY_SCAN}. Event loop only: the model runs
 * on its own worker pool.
 */
public final class EmbedWriterVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedWriterVerticle.class);
    static final long STOP_DRAIN_MILLIS = 10_000;
    /** Summaries per sweep request. */
    static final int SWEEP_PAGE = 500;

    private final OutageLog embedLog = new OutageLog(LOG, "Embedding summaries");
    private final EmbeddingStore store;
    private final PrismConfig.Embed config;
    private final Function<Vertx, Future<Embedder>> embedderFactory;
    private final PrismConfig.Ingest ingest;
    private final Metrics metrics;
    private final SharedEmbeddings shared;
    private final SweepCursor cursor = new SweepCursor();
    private final Set<Future<Void>> inFlight = new HashSet<>();
    private Pace pace;
    private Embedder embedder;
    private VectorWriter writer;
    private PendingTexts pending;
    private Counter deferred;
    private Counter swept;
    private boolean sweeping;
    private long sweepTimer = -1;
    private long batchTimer = -1;
    private boolean loaded;
    private boolean stopping;

    /** @param ingest whose busy share the model yields to */
    public EmbedWriterVerticle(Pool pool, PrismConfig.Embed config, PrismConfig.Ingest ingest, Metrics metrics, SharedEmbeddings shared) {
        this(pool, config, vertx -> Embedder.configured(vertx, config), ingest, metrics, shared);
    }

    /** With another embedder, never yielding to ingestion (tests of this stage alone). */
    EmbedWriterVerticle(Pool pool, PrismConfig.Embed config, Function<Vertx, Future<Embedder>> embedderFactory, Metrics metrics,
                        SharedEmbeddings shared) {
        this(pool, config, embedderFactory, null, metrics, shared);
    }

    private EmbedWriterVerticle(Pool pool, PrismConfig.Embed config, Function<Vertx, Future<Embedder>> embedderFactory, PrismConfig.Ingest ingest,
                                Metrics metrics, SharedEmbeddings shared) {
        this.store = new EmbeddingStore(pool);
        this.config = config;
        this.embedderFactory = embedderFactory;
        this.ingest = ingest;
        this.metrics = metrics;
        this.shared = shared;
    }

    @Override
    public Future<?> start() {
        pace = ingest == null ? Pace.never() : Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        deferred = Counter.builder("prism.embed.deferred").description("Texts left to the sweep: over the pending bound, or of a failed batch")
                .register(metrics.registry());
        swept = Counter.builder("prism.embed.swept").description("Relevant summaries the sweep found without a vector")
                .register(metrics.registry());
        Timer embedTime = Timer.builder("prism.embed")
                .description("Embedding batches of summaries (texts not in the vector cache), from handing them to the model to their vectors")
                .register(metrics.registry());
        pending = new PendingTexts(config.maxPendingBytes(), metrics.level("prism.embed.pending.bytes", "Bytes of summary text waiting to be embedded"));
        writer = new VectorWriter(vertx, store, shared, embedTime);
        // Summaries arriving while the model loads and the indexes reload wait in the batch.
        vertx.eventBus().<SummaryCreated>consumer(Addresses.SUMMARY_CREATED, msg -> accept(msg.body()));
        long started = System.nanoTime();
        return embedderFactory.apply(vertx)
                .compose(e -> {
                    embedder = e;
                    return store.load(e.model(), s -> shared.index(s.projectId(), s.themeId(), s.traceId(), s.traceVersion(), s.textHash(), s.vector()));
                })
                .onSuccess(n -> {
                    loaded = true;
                    shared.ready(embedder);
                    LOG.info("Embeddings: {} ({} vectors reloaded in {} ms), batches of {} or every {} ms", embedder.model(), n,
                            (System.nanoTime() - started) / 1_000_000, config.batchSize(), config.batchWaitMillis());
                    schedule();
                    sweepTimer = vertx.setPeriodic(config.sweepSeconds() * 1_000L, id -> sweep());
                    sweep(); // what a crash or a stop left without a vector, at once
                })
                // stop() is not called after a failed start: release the model here.
                .onFailure(e -> {
                    shared.close();
                    if (embedder != null) {
                        embedder.close();
                    }
                });
    }

    /** The summary's canonical text to embed; for one stored before there was one, its title and summary as before. */
    static String text(SummaryCreated s) {
        if (s.embedText() != null && !s.embedText().isBlank()) {
            return s.embedText().strip();
        }
        String title = s.title() == null ? "" : s.title().strip();
        String summary = s.summary() == null ? "" : s.summary().strip();
        return title + "\n" + summary;
    }

    /** @return false when the text did not fit the pending bound (it is left to the sweep) */
    private boolean accept(SummaryCreated s) {
        if (stopping) {
            return true;
        }
        String text = text(s);
        if (!s.themeRelevant() || text.isBlank()) {
            if (s.traceVersion() > 1) {
                // The trace counts by this version now, and it has no vector: earlier ones must go, waiting or stored.
                pending.dropEarlier(s);
                writer.supersede(s);
            }
            return true;
        }
        String hash = dev.prism.common.Hashing.sha256Hex(text);
        VectorIndex index = shared.index(s.projectId(), s.themeId());
        if (index != null && index.holds(s.traceId(), s.traceVersion(), hash)) {
            return true; // a replay: stored and published already
        }
        PendingTexts.Item item = new PendingTexts.Item(s, text, hash, System.nanoTime());
        switch (pending.offer(item)) {
            case OVER_BOUND -> {
                defer(List.of(item));
                return false;
            }
            case QUEUED -> schedule();
            case ALREADY_QUEUED -> {
            }
        }
        return true;
    }

    /** Leaves texts to the sweep: it will start again from before the oldest of them. */
    private void defer(List<PendingTexts.Item> items) {
        deferred.increment(items.size());
        items.forEach(item -> cursor.rewind(item.summary()));
    }

    /**
     * One sweep: pages of relevant summaries older than one sweep interval (younger ones are the streaming path's),
     * each not in an index queued like a streamed one, until the scan ends or the pending bound is reached.
     */
    private void sweep() {
        if (sweeping || stopping || !loaded) {
            return;
        }
        sweeping = true;
        sweepPage(Instant.now().minusSeconds(config.sweepSeconds())).onComplete(ar -> {
            sweeping = false;
            if (ar.failed() && !stopping) {
                LOG.debug("Embed sweep stopped: {}", ar.cause().toString());
            }
        });
    }

    private Future<Void> sweepPage(Instant until) {
        // A page's texts fit when half the bound is free: the streaming path keeps its room.
        if (stopping || pending.bytes() > config.maxPendingBytes() / 2) {
            return Future.succeededFuture();
        }
        SummaryScan scan = cursor.next(until, SWEEP_PAGE);
        return vertx.eventBus().<SummaryScan.Page>request(Addresses.SUMMARY_SCAN, scan).compose(reply -> {
            List<SummaryScan.Entry> entries = reply.body().entries();
            for (SummaryScan.Entry e : entries) {
                boolean rewound = cursor.rewoundBefore(scan); // a deferral during this page moved the position back: keep it
                int before = pending.size();
                if (!accept(e.summary())) {
                    return Future.succeededFuture(); // the bound is reached: the next sweep goes on from here
                }
                if (pending.size() > before) {
                    swept.increment();
                }
                if (!rewound) {
                    cursor.advance(e);
                }
            }
            return entries.size() < SWEEP_PAGE ? Future.succeededFuture() : sweepPage(until);
        });
    }

    /** Sends a full batch now, or arms the timer of the oldest waiting text. */
    private void schedule() {
        if (!loaded || pending.isEmpty()) {
            return;
        }
        if (pending.size() >= config.batchSize()) {
            flush(false);
            return;
        }
        if (batchTimer < 0) {
            long waited = (System.nanoTime() - pending.first().arrivedNanos()) / 1_000_000;
            batchTimer = vertx.setTimer(Math.max(1, config.batchWaitMillis() - waited), id -> {
                batchTimer = -1;
                flush(true);
            });
        }
    }

    /**
     * Starts batches while the embedder has room: full ones, and with {@code due} one partial batch whose wait is over.
     * Texts beyond the embedder's parallelism keep waiting here; each finishing batch calls {@link #schedule()} again.
     */
    private void flush(boolean due) {
        if (batchTimer >= 0) {
            vertx.cancelTimer(batchTimer);
            batchTimer = -1;
        }
        while (!pending.isEmpty() && inFlight.size() < embedder.parallelism() && (due || pending.size() >= config.batchSize())) {
            if (!pace.mayStart()) {
                // Ingestion is busy: the model would take the cores it needs. One batch per ingest.yieldMillis meanwhile.
                batchTimer = vertx.setTimer(pace.retryMillis(), id -> {
                    batchTimer = -1;
                    flush(true);
                });
                return;
            }
            due = false;
            launch(pending.take(config.batchSize()));
        }
        if (!pending.isEmpty() && inFlight.size() < embedder.parallelism()) {
            schedule();
        }
    }

    private void launch(List<PendingTexts.Item> batch) {
        Promise<Void> done = Promise.promise();
        Future<Void> f = done.future();
        inFlight.add(f);
        write(batch).onComplete(ar -> {
            if (ar.failed()) {
                if (StoreErrors.unavailable(ar.cause())) {
                    embedLog.failed(ar.cause());
                } else {
                    LOG.warn("Could not embed {} summaries (first: trace {}); the sweep retries them: {}", batch.size(),
                            batch.get(0).summary().traceId(), ar.cause().toString());
                }
                defer(batch);
            } else {
                embedLog.succeeded();
            }
            pending.finished(batch);
            inFlight.remove(f);
            done.complete();
            if (!stopping) {
                schedule();
            }
        });
    }

    /** Writes the batch; the rows that could not be stored are left to the sweep. */
    private Future<Void> write(List<PendingTexts.Item> batch) {
        return writer.write(batch, embedder).map(failed -> {
            if (!failed.isEmpty()) {
                defer(failed); // the sweep tries them again
            }
            return null;
        });
    }

    /** Embeds and stores what is waiting (within a deadline), then closes the model and the indexes' memory. */
    @Override
    public Future<?> stop() {
        if (batchTimer >= 0) {
            vertx.cancelTimer(batchTimer);
        }
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        stopping = true;
        pace.close();
        Future<Void> drained = Future.succeededFuture();
        if (loaded) {
            // Batch after batch until the deadline, never all at once: the embedder's pool finishes what it was given
            // before it closes, so a long backlog handed over in one go would hold the stop for minutes.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_DRAIN_MILLIS);
            // No overall timeout: the model must not be closed under a batch still computing (a native crash). The
            // deadline is checked between batches, and one batch is bounded (batchSize texts, or the provider's timeout).
            drained = Future.join(new ArrayList<>(inFlight)).<Void>mapEmpty().otherwiseEmpty().compose(v -> drain(deadline));
        }
        return drained.eventually(() -> {
            shared.close();
            return embedder == null ? Future.succeededFuture() : embedder.close();
        });
    }

    private Future<Void> drain(long deadline) {
        if (pending.isEmpty()) {
            return Future.succeededFuture();
        }
        if (System.nanoTime() > deadline) {
            LOG.warn("Stopping with {} summaries not embedded (first: trace {})", pending.size(), pending.first().summary().traceId());
            return Future.succeededFuture();
        }
        return write(pending.take(config.batchSize())).otherwiseEmpty().compose(v -> drain(deadline));
    }
}
