package dev.prism.embed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSearch;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.Failure;
import dev.prism.bus.SentenceVectors;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryScan;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import dev.prism.store.OutageLog;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds relevant summaries. Each {@code theme_relevant} summary's text (its {@code embedText}: the canonical cause or
 * the masked title; title, newline, summary for one stored without it) joins a batch that
 * leaves when full ({@code embed.batchSize}) or {@code embed.batchWaitMillis} after its first text, whichever comes
 * first; texts already embedded with the same model come from a cache keyed by their SHA-256. Vectors are stored
 * (idempotently, so a replayed summary changes nothing), added to the theme's in-memory {@link VectorIndex}, then
 * published. At start the indexes are reloaded from the table, before any search is answered.
 *
 * <p>Nothing is lost silently: texts waiting for a batch are bounded by bytes ({@code embed.maxPendingBytes}); a text
 * beyond the bound, and every text of a batch that failed, is left to the sweep, which every {@code embed.sweepSeconds}
 * pages through relevant summaries (over {@value Addresses#SUMMARY_SCAN}, oldest first, from the start after each
 * start of the server, then from where it stopped or from before the oldest text it must retry) and embeds those the
 * indexes lack. Vectors beyond {@code embed.vectorHeapBytes} live in memory-mapped pages ({@link VectorMemory}).
 *
 * <p>A trace counts once per theme, by its latest analysed version: a later version's relevant summary replaces the
 * trace's vector; one that is not relevant removes it (index and table) and publishes {@value Addresses#EMBEDDING_REMOVED}.
 *
 * <p>Consumes {@value Addresses#SUMMARY_CREATED}, {@value Addresses#EMBED_SEARCH}, {@value Addresses#EMBED_SNAPSHOT} and
 * {@value Addresses#EMBED_SENTENCES} (sentence vectors for the relevance model, from the same model and cache);
 * sends {@value Addresses#SUMMARY_SCAN}; publishes {@value Addresses#EMBEDDING_CREATED} and {@value Addresses#EMBEDDING_REMOVED}. Meters:
 * {@code prism_embed_deferred_total} (texts left to the sweep: over the bound or a failed batch),
 * {@code prism_embed_swept_total} (texts the sweep found without a vector), {@code prism_embed_pending_bytes}. The local model runs on a worker pool of its own (one thread per core
 * by default), searches on worker threads; the event loop only batches and routes.
 */
public final class EmbedVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedVerticle.class);
    private final OutageLog embedLog = new OutageLog(LOG, "Embedding summaries");
    static final long STOP_DRAIN_MILLIS = 10_000;
    /** Summaries per sweep request. */
    static final int SWEEP_PAGE = 500;
    /**
     * How far before a text's publication time the sweep rewinds to find it again: its row's completion time is taken
     * by the database before the verticle stamps the event, and the two clocks may differ a little.
     */
    static final long REWIND_MILLIS = 60_000;
    /** Marks a row whose write failed (null means the write changed nothing). */
    private static final Instant NOT_STORED = Instant.MIN;
    /** Per-text bookkeeping beyond its characters, for the pending bound. */
    private static final int ITEM_OVERHEAD_BYTES = 256;

    /** Sentences computing for the relevance model at most; about a second of the local model's work on 2 cores. */
    static final int MAX_SENTENCES_IN_FLIGHT = 1_024;
    private int sentencesInFlight;
    private Counter sentencesRefused;
    private io.micrometer.core.instrument.Timer embedTime;
    private final EmbeddingStore store;
    private final PrismConfig.Embed config;
    private final Function<Vertx, Future<Embedder>> embedderFactory;
    private final Metrics metrics;
    private VectorMemory memory;
    private Counter deferred;
    private Counter swept;
    private AtomicLong pendingGauge;
    private final PrismConfig.Ingest ingest;
    private dev.prism.lifecycle.Pace pace;
    private Embedder embedder;
    private Cache<String, float[]> cache;
    /** project → theme → index; written on the event loop, read by searches on workers. */
    private final Map<String, Map<String, VectorIndex>> indexes = new ConcurrentHashMap<>();
    private final List<Item> pending = new ArrayList<>();
    /** Keys of the texts pending or in flight, so the sweep does not queue them twice. */
    private final Set<String> queued = new HashSet<>();
    private long pendingBytes;
    /** Where the next sweep starts: strictly after this (completion time, id) position. */
    private Instant sweepAfterTime = SummaryScan.START;
    private long sweepAfterId;
    private boolean sweeping;
    private long sweepTimer = -1;
    private final Set<Future<Void>> inFlight = new HashSet<>();
    private long batchTimer = -1;
    /**
     * project, theme, trace → the later version that counts for it without a vector (not relevant): a vector of an
     * earlier version still being embedded is removed as soon as it is stored. Entries age out: by then the batches
     * that were in flight have long finished.
     */
    private final Cache<String, Integer> superseded = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(java.time.Duration.ofMinutes(30)).build();
    private boolean loaded;
    private boolean stopping;

    /** A summary waiting for its vector. */
    private record Item(SummaryCreated summary, String text, String hash, long arrivedNanos) {
        long bytes() {
            return 2L * text.length() + ITEM_OVERHEAD_BYTES;
        }

        String key() {
            SummaryCreated s = summary;
            return s.projectId() + '\n' + s.themeId() + '\n' + s.traceId() + '\n' + s.traceVersion() + '\n' + hash;
        }
    }

    public EmbedVerticle(Pool pool, PrismConfig.Embed config, PrismConfig.Ingest ingest, Metrics metrics) {
        this(pool, config, vertx -> embedder(vertx, config), ingest, metrics);
    }

    /** Never yielding to ingestion (tests of this stage alone). */
    EmbedVerticle(Pool pool, PrismConfig.Embed config, Metrics metrics) {
        this(pool, config, vertx -> embedder(vertx, config), null, metrics);
    }

    /** With another embedder (tests count or fake its calls). */
    EmbedVerticle(Pool pool, PrismConfig.Embed config, Function<Vertx, Future<Embedder>> embedderFactory) {
        this(pool, config, embedderFactory, null, new Metrics());
    }

    EmbedVerticle(Pool pool, PrismConfig.Embed config, Function<Vertx, Future<Embedder>> embedderFactory, Metrics metrics) {
        this(pool, config, embedderFactory, null, metrics);
    }

    private EmbedVerticle(Pool pool, PrismConfig.Embed config, Function<Vertx, Future<Embedder>> embedderFactory, PrismConfig.Ingest ingest,
                          Metrics metrics) {
        this.store = new EmbeddingStore(pool);
        this.config = config;
        this.embedderFactory = embedderFactory;
        this.ingest = ingest;
        this.metrics = metrics;
    }

    /** The configured provider: the in-process model, or an OpenAI-compatible server. */
    public static Future<Embedder> embedder(Vertx vertx, PrismConfig.Embed config) {
        if ("openai".equals(config.provider())) {
            return Future.succeededFuture(new OpenAiEmbedder(vertx, config.baseUrl().orElse("https://api.openai.com/v1"), config.apiKey().orElse(null),
                    config.model().orElse("text-embedding-3-small"), config.batchSize(), config.timeoutSeconds() * 1000L, config.maxAttempts(), 500));
        }
        if (config.model().isPresent() && !config.model().get().equals(OnnxMiniLm.MODEL)) {
            LOG.warn("embed.model={} applies to the openai provider only; the local provider uses {}", config.model().get(), OnnxMiniLm.MODEL);
        }
        return LocalEmbedder.create(vertx, config.intraOpThreads(), config.workers());
    }

    @Override
    public Future<?> start() {
        pace = ingest == null ? dev.prism.lifecycle.Pace.never() : dev.prism.lifecycle.Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        // Weighed by bytes: a 3,072-dimension vector costs eight times a 384-dimension one.
        cache = Caffeine.newBuilder().maximumWeight(config.cacheBytes())
                .weigher((String key, float[] v) -> 64 + 2 * key.length() + 4 * v.length).build();
        memory = new VectorMemory(config.vectorHeapBytes(), null);
        deferred = Counter.builder("prism.embed.deferred").description("Texts left to the sweep: over the pending bound, or of a failed batch")
                .register(metrics.registry());
        swept = Counter.builder("prism.embed.swept").description("Relevant summaries the sweep found without a vector")
                .register(metrics.registry());
        embedTime = io.micrometer.core.instrument.Timer.builder("prism.embed")
                .description("Embedding batches of summaries (texts not in the vector cache), from handing them to the model to their vectors")
                .register(metrics.registry());
        sentencesRefused = Counter.builder("prism.embed.sentences.refused").description("Sentence requests refused because too many were computing")
                .register(metrics.registry());
        pendingGauge = metrics.level("prism.embed.pending.bytes", "Bytes of summary text waiting to be embedded");
        // Summaries arriving while the model loads and the indexes reload wait in the batch.
        vertx.eventBus().<SummaryCreated>consumer(Addresses.SUMMARY_CREATED, msg -> accept(msg.body()));
        long started = System.nanoTime();
        return embedderFactory.apply(vertx)
                .compose(e -> {
                    embedder = e;
                    return store.load(e.model(), this::index);
                })
                .onSuccess(n -> {
                    loaded = true;
                    vertx.eventBus().<EmbedSearch>consumer(Addresses.EMBED_SEARCH, this::search);
                    vertx.eventBus().<EmbedSnapshot>consumer(Addresses.EMBED_SNAPSHOT, this::snapshot);
                    vertx.eventBus().<SentenceVectors>consumer(Addresses.EMBED_SENTENCES, this::sentences);
                    LOG.info("Embeddings: {} ({} vectors reloaded in {} ms), batches of {} or every {} ms", embedder.model(), n,
                            (System.nanoTime() - started) / 1_000_000, config.batchSize(), config.batchWaitMillis());
                    schedule();
                    sweepTimer = vertx.setPeriodic(config.sweepSeconds() * 1_000L, id -> sweep());
                    sweep(); // what a crash or a stop left without a vector, at once
                })
                // stop() is not called after a failed start: release the model here.
                .onFailure(e -> {
                    memory.close();
                    if (embedder != null) {
                        embedder.close();
                    }
                });
    }

    private void index(EmbeddingStore.Stored s) {
        indexes.computeIfAbsent(s.projectId(), p -> new ConcurrentHashMap<>())
                .computeIfAbsent(s.themeId(), t -> new VectorIndex(s.vector().length, memory))
                .add(s.traceId(), s.traceVersion(), s.textHash(), s.vector());
    }

    private VectorIndex existingIndex(String projectId, String themeId) {
        Map<String, VectorIndex> themes = indexes.get(projectId);
        return themes == null ? null : themes.get(themeId);
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
                supersede(s); // the trace counts by this version now, and it has no vector: earlier ones must go
            }
            return true;
        }
        String hash = dev.prism.common.Hashing.sha256Hex(text);
        VectorIndex index = existingIndex(s.projectId(), s.themeId());
        if (index != null && index.holds(s.traceId(), s.traceVersion(), hash)) {
            return true; // a replay: stored and published already
        }
        Item item = new Item(s, text, hash, System.nanoTime());
        if (queued.contains(item.key())) {
            return true;
        }
        if (pendingBytes + item.bytes() > config.maxPendingBytes()) {
            defer(List.of(item));
            return false;
        }
        queued.add(item.key());
        pendingBytes += item.bytes();
        pendingGauge.addAndGet(item.bytes());
        pending.add(item);
        schedule();
        return true;
    }

    private static String traceKey(String projectId, String themeId, String traceId) {
        return projectId + '\n' + themeId + '\n' + traceId;
    }

    /**
     * A later version of the trace counts for the theme and has no vector: the earlier versions' vector leaves the index
     * and the table (a restart must not bring it back), and the clusters are told. A relevant later version needs none
     * of this: its vector replaces the earlier one in the index and in the clusters.
     */
    private void supersede(SummaryCreated s) {
        superseded.asMap().merge(traceKey(s.projectId(), s.themeId(), s.traceId()), s.traceVersion(), Math::max);
        // Earlier versions' texts still waiting would only be embedded to be removed.
        for (java.util.Iterator<Item> it = pending.iterator(); it.hasNext(); ) {
            Item item = it.next();
            SummaryCreated p = item.summary();
            if (p.traceVersion() < s.traceVersion() && p.traceId().equals(s.traceId()) && p.themeId().equals(s.themeId())
                    && p.projectId().equals(s.projectId())) {
                it.remove();
                queued.remove(item.key());
                pendingBytes -= item.bytes();
                pendingGauge.addAndGet(-item.bytes());
            }
        }
        VectorIndex index = existingIndex(s.projectId(), s.themeId());
        boolean removed = index != null && index.removeBefore(s.traceId(), s.traceVersion());
        removeStored(s.projectId(), s.themeId(), s.traceId(), s.traceVersion(), removed);
    }

    /** Deletes the trace's stored vectors before {@code version} and tells the clusters, when there was one. */
    private void removeStored(String projectId, String themeId, String traceId, int version, boolean removedFromIndex) {
        store.deleteBefore(projectId, themeId, traceId, version).onComplete(ar -> {
            if (ar.failed()) {
                // The index no longer has it; a restart would reload it until the trace's next version.
                LOG.warn("Could not delete the superseded vectors of trace {} (theme {}): {}", traceId, themeId, ar.cause().toString());
            }
            if (removedFromIndex || ar.succeeded() && ar.result() > 0) {
                vertx.eventBus().publish(Addresses.EMBEDDING_REMOVED, new dev.prism.bus.EmbeddingRemoved(projectId, themeId, traceId, version));
            }
        });
    }

    /** Leaves texts to the sweep: it will start again from before the oldest of them. */
    private void defer(List<Item> items) {
        deferred.increment(items.size());
        for (Item item : items) {
            Instant at = item.summary().createdAt() == null ? SummaryScan.START : item.summary().createdAt().minusMillis(REWIND_MILLIS);
            if (at.isBefore(sweepAfterTime)) {
                sweepAfterTime = at.isBefore(SummaryScan.START) ? SummaryScan.START : at;
                sweepAfterId = 0;
            }
        }
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
        sweepPage(Instant.now().minusSeconds(config.sweepSeconds()))
                .onComplete(ar -> {
                    sweeping = false;
                    if (ar.failed() && !stopping) {
                        LOG.debug("Embed sweep stopped: {}", ar.cause().toString());
                    }
                });
    }

    private Future<Void> sweepPage(Instant until) {
        // A page's texts fit when half the bound is free: the streaming path keeps its room.
        if (stopping || pendingBytes > config.maxPendingBytes() / 2) {
            return Future.succeededFuture();
        }
        SummaryScan scan = new SummaryScan(sweepAfterTime, sweepAfterId, until, SWEEP_PAGE);
        return vertx.eventBus().<SummaryScan.Page>request(Addresses.SUMMARY_SCAN, scan).compose(reply -> {
            List<SummaryScan.Entry> entries = reply.body().entries();
            for (SummaryScan.Entry e : entries) {
                SummaryCreated s = e.summary();
                // A deferral during this page rewound the position: keep it.
                boolean rewound = sweepAfterTime.isBefore(scan.afterTime())
                        || sweepAfterTime.equals(scan.afterTime()) && sweepAfterId < scan.afterId();
                int before = pending.size();
                if (!accept(s)) {
                    return Future.succeededFuture(); // the bound is reached: the next sweep goes on from here
                }
                if (pending.size() > before) {
                    swept.increment();
                }
                if (!rewound) {
                    sweepAfterTime = s.createdAt();
                    sweepAfterId = e.id();
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
            long waited = (System.nanoTime() - pending.get(0).arrivedNanos()) / 1_000_000;
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
            launch(takeBatch());
        }
        if (!pending.isEmpty() && inFlight.size() < embedder.parallelism()) {
            schedule();
        }
    }

    private void launch(List<Item> batch) {
        Promise<Void> done = Promise.promise();
        Future<Void> f = done.future();
        inFlight.add(f);
        process(batch).onComplete(ar -> {
            if (ar.failed()) {
                if (dev.prism.store.StoreErrors.unavailable(ar.cause())) {
                    embedLog.failed(ar.cause());
                } else {
                    LOG.warn("Could not embed {} summaries (first: trace {}); the sweep retries them: {}", batch.size(),
                            batch.get(0).summary().traceId(), ar.cause().toString());
                }
                defer(batch);
            } else {
                embedLog.succeeded();
            }
            batch.forEach(item -> queued.remove(item.key()));
            inFlight.remove(f);
            done.complete();
            if (!stopping) {
                schedule();
            }
        });
    }

    private List<Item> takeBatch() {
        int n = Math.min(config.batchSize(), pending.size());
        List<Item> batch = new ArrayList<>(pending.subList(0, n));
        pending.subList(0, n).clear();
        long bytes = batch.stream().mapToLong(Item::bytes).sum();
        pendingBytes -= bytes;
        pendingGauge.addAndGet(-bytes);
        return batch;
    }

    private String cacheKey(String hash) {
        return embedder.model() + ":" + hash;
    }

    /** Embeds what the cache lacks (each distinct text once), stores, indexes and publishes what was written. */
    private Future<Void> process(List<Item> batch) {
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        for (Item item : batch) {
            float[] cached = cache.getIfPresent(cacheKey(item.hash()));
            if (cached != null) {
                vectors.put(item.hash(), cached);
            } else {
                missing.putIfAbsent(item.hash(), item.text());
            }
        }
        long started = System.nanoTime();
        Future<Void> embedded = missing.isEmpty() ? Future.succeededFuture()
                : embedder.embed(new ArrayList<>(missing.values())).map(list -> {
                    embedTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    int i = 0;
                    for (String hash : missing.keySet()) {
                        float[] v = list.get(i++);
                        vectors.put(hash, v);
                        cache.put(cacheKey(hash), v);
                    }
                    return null;
                });
        String model = embedder.model();
        return embedded.compose(v -> {
            List<EmbeddingStore.Stored> rows = new ArrayList<>(batch.size());
            for (Item item : batch) {
                SummaryCreated s = item.summary();
                rows.add(new EmbeddingStore.Stored(s.projectId(), s.themeId(), s.traceId(), s.traceVersion(), s.promptVersion(), model, item.hash(),
                        vectors.get(item.hash()), null));
            }
            return storeRows(rows).map(written -> {
                List<Item> failed = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    Instant at = written.get(i);
                    if (at == NOT_STORED) {
                        failed.add(batch.get(i));
                        continue;
                    }
                    if (at == null) {
                        continue; // nothing changed: a replay, or an older prompt version arriving late
                    }
                    EmbeddingStore.Stored r = rows.get(i);
                    Integer counting = superseded.getIfPresent(traceKey(r.projectId(), r.themeId(), r.traceId()));
                    if (counting != null && r.traceVersion() < counting) {
                        // Superseded while it was being embedded: it never enters the index.
                        removeStored(r.projectId(), r.themeId(), r.traceId(), counting, false);
                        continue;
                    }
                    index(r);
                    vertx.eventBus().publish(Addresses.EMBEDDING_CREATED, new EmbeddingCreated(r.projectId(), r.themeId(), r.traceId(),
                            r.traceVersion(), r.promptVersion(), r.vector(), model, at));
                }
                if (!failed.isEmpty()) {
                    defer(failed); // the sweep tries them again
                }
                return null;
            });
        });
    }

    /**
     * One round trip for the batch; if it fails (the batch runs as one statement pipeline, so one bad row, e.g. of a
     * project deleted meanwhile, fails them all), row by row so the others are still stored.
     */
    private Future<List<Instant>> storeRows(List<EmbeddingStore.Stored> rows) {
        return store.store(rows).recover(e -> {
            if (rows.size() == 1 || dev.prism.store.StoreErrors.unavailable(e)) { // with the store away, each row would fail alike
                return Future.failedFuture(e);
            }
            List<Future<List<Instant>>> each = rows.stream().map(r -> store.store(List.of(r)).otherwise(err -> {
                LOG.warn("Could not store the embedding of trace {} (theme {}); the sweep retries it: {}", r.traceId(), r.themeId(), err.toString());
                return Collections.singletonList(NOT_STORED);
            })).toList();
            return Future.all(each).map(all -> each.stream().map(f -> f.result().get(0)).toList());
        });
    }

    private void search(Message<EmbedSearch> msg) {
        EmbedSearch q = msg.body();
        if (q.query() == null || q.query().isBlank()) {
            Failure.reply(msg, new Failure(400, "invalid_query", "q must not be blank").exception());
            return;
        }
        if (q.k() < 1 || q.k() > 1_000) {
            Failure.reply(msg, new Failure(400, "invalid_limit", "k must be from 1 to 1000").exception());
            return;
        }
        Map<String, VectorIndex> themes = indexes.getOrDefault(q.projectId(), Map.of());
        Map<String, VectorIndex> scope = q.themeId() == null ? Map.copyOf(themes)
                : themes.containsKey(q.themeId()) ? Map.of(q.themeId(), themes.get(q.themeId())) : Map.of();
        String model = embedder.model();
        if (scope.isEmpty()) {
            msg.reply(new EmbedSearch.Hits(model, List.of()));
            return;
        }
        String text = q.query().strip();
        String key = cacheKey(dev.prism.common.Hashing.sha256Hex(text));
        float[] cached = cache.getIfPresent(key);
        Future<float[]> query = cached != null ? Future.succeededFuture(cached)
                : embedder.embed(List.of(text)).map(list -> {
                    cache.put(key, list.get(0));
                    return list.get(0);
                });
        query.compose(vector -> vertx.executeBlocking(() -> {
                    List<EmbedSearch.Hit> hits = new ArrayList<>();
                    scope.forEach((theme, index) -> {
                        if (index.dimensions() == vector.length) {
                            for (VectorIndex.Neighbour n : index.nearest(vector, q.k())) {
                                hits.add(new EmbedSearch.Hit(theme, n.traceId(), n.traceVersion(), n.score()));
                            }
                        }
                    });
                    hits.sort(Comparator.comparingDouble(EmbedSearch.Hit::score).reversed());
                    return new EmbedSearch.Hits(model, List.copyOf(hits.subList(0, Math.min(q.k(), hits.size()))));
                }, false))
                .onSuccess(msg::reply)
                .onFailure(e -> Failure.reply(msg, e));
    }

    /**
     * Vectors of sentences for the relevance model: from the cache, the rest in one call to the embedder (its own worker
     * pool). Bounded: beyond {@value #MAX_SENTENCES_IN_FLIGHT} sentences computing, a request fails at once with 503 and
     * its caller falls back, so scoring never queues unbounded work in front of the summaries' embeddings.
     */
    private void sentences(Message<SentenceVectors> msg) {
        sentenceEmbedder().onFailure(e -> Failure.reply(msg, new Failure(503, "embed_failed", String.valueOf(e.getMessage())).exception()))
                .onSuccess(model -> sentences(msg, model));
    }

    /**
     * The local model for sentences: the summaries' embedder when it is the local one, else a local model of its own,
     * loaded on first use. The relevance model's weights were trained on the local model's vectors; another provider's
     * vectors would not fit them, and per-sentence calls to a paid API would cost more than the calls they save.
     */
    private Future<Embedder> sentenceEmbedder() {
        if (embedder.model().equals(OnnxMiniLm.MODEL)) {
            return Future.succeededFuture(embedder);
        }
        if (localForSentences == null) {
            localForSentences = LocalEmbedder.create(vertx, config.intraOpThreads(), config.workers());
        }
        return localForSentences;
    }

    private Future<Embedder> localForSentences;

    private void sentences(Message<SentenceVectors> msg, Embedder sentenceModel) {
        List<String> texts = msg.body().texts();
        String model = sentenceModel.model();
        List<float[]> out = new ArrayList<>(Collections.nCopies(texts.size(), null));
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            float[] cached = cache.getIfPresent(model + ":" + dev.prism.common.Hashing.sha256Hex(texts.get(i)));
            if (cached != null) {
                out.set(i, cached);
            } else if (!missing.contains(texts.get(i))) {
                missing.add(texts.get(i));
            }
        }
        if (missing.isEmpty()) {
            msg.reply(new SentenceVectors.Vectors(model, out));
            return;
        }
        if (sentencesInFlight + missing.size() > MAX_SENTENCES_IN_FLIGHT) {
            sentencesRefused.increment();
            Failure.reply(msg, new Failure(503, "embed_busy", sentencesInFlight + " sentences are being embedded already").exception());
            return;
        }
        sentencesInFlight += missing.size();
        sentenceModel.embed(missing)
                .onComplete(ar -> sentencesInFlight -= missing.size())
                .onSuccess(vectors -> {
                    Map<String, float[]> byText = new HashMap<>();
                    for (int i = 0; i < missing.size(); i++) {
                        byText.put(missing.get(i), vectors.get(i));
                        cache.put(model + ":" + dev.prism.common.Hashing.sha256Hex(missing.get(i)), vectors.get(i));
                    }
                    for (int i = 0; i < texts.size(); i++) {
                        if (out.get(i) == null) {
                            out.set(i, byText.get(texts.get(i)));
                        }
                    }
                    msg.reply(new SentenceVectors.Vectors(model, out));
                })
                .onFailure(e -> Failure.reply(msg, new Failure(503, "embed_failed", String.valueOf(e.getMessage())).exception()));
    }

    /**
     * A theme's vectors for a re-clustering, read from the table rather than this instance's index: instances sharing
     * the database each index only what they embedded since they started, and a run must see the whole theme.
     */
    private void snapshot(Message<EmbedSnapshot> msg) {
        EmbedSnapshot q = msg.body();
        store.theme(q.projectId(), q.themeId(), embedder.model()).onSuccess(rows -> {
            List<EmbedSnapshot.Item> items = rows.stream().map(r -> new EmbedSnapshot.Item(r.traceId(), r.traceVersion(), r.vector())).toList();
            msg.reply(new EmbedSnapshot.Vectors(q.projectId(), q.themeId(), embedder.model(), items.isEmpty() ? 0 : items.get(0).vector().length,
                    items));
        }).onFailure(e -> Failure.reply(msg, e));
    }

    /** Embeds and stores what is waiting (within a deadline), then closes the embedder. */
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
            memory.close();
            Future<Void> local = localForSentences == null ? Future.succeededFuture()
                    : localForSentences.otherwiseEmpty().compose(l -> l == null ? Future.succeededFuture() : l.close());
            return local.compose(v -> embedder == null ? Future.succeededFuture() : embedder.close());
        });
    }

    private Future<Void> drain(long deadline) {
        if (pending.isEmpty()) {
            return Future.succeededFuture();
        }
        if (System.nanoTime() > deadline) {
            LOG.warn("Stopping with {} summaries not embedded (first: trace {})", pending.size(), pending.get(0).summary().traceId());
            return Future.succeededFuture();
        }
        return process(takeBatch()).otherwiseEmpty().compose(v -> drain(deadline));
    }
}
