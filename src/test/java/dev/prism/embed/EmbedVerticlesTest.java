package dev.prism.embed;

import dev.prism.bus.Addresses;
import dev.prism.bus.Codecs;
import dev.prism.bus.EmbedSearch;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.EmbeddingCreated;
import dev.prism.bus.Failure;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryScan;
import dev.prism.common.VectorMath;
import dev.prism.config.PrismConfig;
import dev.prism.metrics.Metrics;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The embedding stage as the server deploys it (writer, search, vectors), with the real local model and the machine's PostgreSQL. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The embedding verticles: writer, search and vectors together")
class EmbedVerticlesTest {

    private static final String PROJECT = "p";

    private ServicePostgres postgres;
    private Database database;
    private Embedder model;
    private final List<EmbeddingCreated> published = new CopyOnWriteArrayList<>();
    private MessageConsumer<EmbeddingCreated> listener;
    private String theme;

    /** The shared local model, counting what it is asked; closing it leaves the model to the next test. */
    private static class Counting implements Embedder {
        final Embedder inner;
        final List<Integer> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger texts = new AtomicInteger();

        Counting(Embedder inner) {
            this.inner = inner;
        }

        @Override
        public String model() {
            return inner.model();
        }

        @Override
        public Future<List<float[]>> embed(List<String> t) {
            calls.add(t.size());
            texts.addAndGet(t.size());
            return inner.embed(t);
        }

        @Override
        public int parallelism() {
            return inner.parallelism();
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    }

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        postgres = ServicePostgres.createDatabase();
        database = await(Database.start(vertx, new PrismConfig.Store(Optional.of(postgres.url()), Path.of("unused"), 4)));
        await(database.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h'), ('q', 'q', 'h2')").execute());
        model = await(LocalEmbedder.create(vertx, 1, 2));
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(model.close());
        await(database.close(vertx));
        postgres.close();
    }

    @BeforeEach
    void listen(Vertx vertx) {
        published.clear();
        theme = "theme-" + UUID.randomUUID().toString().substring(0, 8);
        listener = vertx.eventBus().consumer(Addresses.EMBEDDING_CREATED, m -> published.add(m.body()));
    }

    @AfterEach
    void unlisten() throws Exception {
        await(listener.unregister());
    }

    private static PrismConfig.Embed config(int batchSize, long waitMillis) {
        return new PrismConfig.Embed("local", Optional.empty(), Optional.empty(), Optional.empty(), batchSize, waitMillis, 1, 2, 30, 5, 1_000_000L, 1L << 24, 60, 1L << 28);
    }

    private String deploy(Vertx vertx, Counting counting, int batchSize, long waitMillis) throws Exception {
        return deploy(vertx, config(batchSize, waitMillis), v -> Future.succeededFuture(counting), new Metrics());
    }

    /** The three verticles over one {@link SharedEmbeddings}, as the server deploys them; @return their ids, writer last. */
    private String deploy(Vertx vertx, PrismConfig.Embed config, Function<Vertx, Future<Embedder>> embedder, Metrics metrics) throws Exception {
        SharedEmbeddings shared = new SharedEmbeddings(config);
        String writer = await(vertx.deployVerticle(new EmbedWriterVerticle(database.pool(), config, embedder, metrics, shared)));
        String search = await(vertx.deployVerticle(new EmbedSearchVerticle(shared)));
        String vectors = await(vertx.deployVerticle(new EmbedVectorsVerticle(database.pool(), config, metrics, shared)));
        return vectors + "," + search + "," + writer;
    }

    /** In the server's order: the writer, which closes the model, last. */
    private static void undeploy(Vertx vertx, String ids) throws Exception {
        for (String id : ids.split(",")) {
            await(vertx.undeploy(id));
        }
    }

    private static SummaryCreated summary(String project, String theme, String trace, int version, boolean relevant, String title, String text) {
        return new SummaryCreated(project, theme, trace, version, 1, relevant, title, text, "medium", "offline", 0, 0, 0, 1, Instant.now());
    }

    private SummaryCreated summary(String trace, String title, String text) {
        return summary(PROJECT, theme, trace, 1, true, title, text);
    }

    private static void publish(Vertx vertx, SummaryCreated... summaries) {
        for (SummaryCreated s : summaries) {
            vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s);
        }
    }

    private static void waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within " + millis + " ms");
            }
            Thread.sleep(20);
        }
    }

    private List<EmbeddingCreated> publishedHere() {
        return published.stream().filter(e -> e.themeId().equals(theme)).toList();
    }

    private List<Row> rows(String themeId) throws Exception {
        List<Row> out = new ArrayList<>();
        await(database.pool().preparedQuery("SELECT * FROM embeddings WHERE theme_id = $1 ORDER BY trace_id, trace_version")
                .execute(Tuple.of(themeId))).forEach(out::add);
        return out;
    }

    private static EmbedSearch.Hits search(Vertx vertx, String project, String theme, String query, int k) throws Exception {
        return await(vertx.eventBus().<EmbedSearch.Hits>request(Addresses.EMBED_SEARCH, new EmbedSearch(project, theme, query, k))).body();
    }

    private static EmbedSnapshot.Vectors snapshot(Vertx vertx, String project, String theme) throws Exception {
        return await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot(project, theme))).body();
    }

    @Test
    @DisplayName("embeds, stores under the theme's namespace and publishes only the relevant summaries")
    void onlyRelevant(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 8, 100);
        try {
            publish(vertx,
                    summary("t1", "Payment API timed out", "The charge call timed out after 30 s."),
                    summary(PROJECT, theme, "t2", 1, false, "Nothing wrong", "The trace went fine."),
                    summary("t3", "Rate limited by the provider", "HTTP 429 from the model provider, retried twice."),
                    summary(PROJECT, theme, "t4", 1, false, "Not relevant", "No errors."),
                    summary("t5", "Tool call failed", "The search tool returned a 500 error."));
            waitFor(() -> publishedHere().size() >= 3, 10_000);
            Thread.sleep(300);
            assertThat(publishedHere()).extracting(EmbeddingCreated::traceId).containsExactlyInAnyOrder("t1", "t3", "t5");
            assertThat(publishedHere()).allSatisfy(e -> {
                assertThat(e.vector()).hasSize(384);
                assertThat(e.model()).isEqualTo("all-minilm-l6-v2-q");
                assertThat(e.namespace()).isEqualTo("llm_traces_summary_" + theme);
                assertThat(e.createdAt()).isNotNull();
            });
            assertThat(counting.texts.get()).isEqualTo(3);
            List<Row> rows = rows(theme);
            assertThat(rows).extracting(r -> r.getString("trace_id")).containsExactly("t1", "t3", "t5");
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.getString("namespace")).isEqualTo("llm_traces_summary_" + theme);
                assertThat(r.getArrayOfFloats("vector")).hasSize(384);
                assertThat(r.getString("text_hash")).hasSize(64);
                assertThat(r.getString("project_id")).isEqualTo(PROJECT);
            });
            assertThat(rows.get(0).getString("text_hash")).isEqualTo(dev.prism.common.Hashing.sha256Hex("Payment API timed out\nThe charge call timed out after 30 s."));
            float[] stored = toFloats(rows.get(0).getArrayOfFloats("vector"));
            float[] expected = await(model.embed(List.of("Payment API timed out\nThe charge call timed out after 30 s."))).get(0);
            assertThat(VectorMath.dot(stored, expected)).isGreaterThan(0.9999);
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("a summary's embedText, not its title and summary, is embedded: one cause in two wordings is one text and one vector")
    void embedsTheCanonicalText(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 8, 50);
        try {
            Instant now = Instant.now();
            publish(vertx,
                    new SummaryCreated(PROJECT, theme, "e1", 1, 1, true, "Provider rate limit (429)", "gpt-4o got HTTP 429 (RateLimitError)",
                            "high", "offline", 0, 0, 0, 1, now, "Provider rate limit (<n>)"),
                    new SummaryCreated(PROJECT, theme, "e2", 1, 1, true, "Provider rate limit (429)", "gemini-2.0-flash said RESOURCE_EXHAUSTED",
                            "medium", "offline", 0, 0, 0, 1, now, "Provider rate limit (<n>)"));
            waitFor(() -> publishedHere().size() == 2, 10_000);
            assertThat(counting.texts.get()).isEqualTo(1);
            assertThat(publishedHere().get(0).vector()).isEqualTo(publishedHere().get(1).vector());
            assertThat(rows(theme)).extracting(r -> r.getString("text_hash")).containsOnly(dev.prism.common.Hashing.sha256Hex("Provider rate limit (<n>)"));
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("a batch leaves as soon as it is full, and a partial one once its wait is over")
    void batching(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 4, 1_500);
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                publish(vertx, summary("full-" + i, "Error " + i, "Distinct failure number " + i));
            }
            waitFor(() -> publishedHere().size() == 4, 10_000);
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_200);
            assertThat(counting.calls).containsExactly(4);

            long partialAt = System.nanoTime();
            publish(vertx, summary("partial", "Lonely error", "Only one summary in this batch"));
            Thread.sleep(700);
            assertThat(publishedHere()).hasSize(4);
            waitFor(() -> publishedHere().size() == 5, 10_000);
            assertThat((System.nanoTime() - partialAt) / 1_000_000).isBetween(1_400L, 4_000L);
            assertThat(counting.calls).containsExactly(4, 1);
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("identical texts are embedded once, and a replayed summary changes and publishes nothing")
    void cacheAndReplay(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 16, 50);
        try {
            publish(vertx, summary("a", "Provider rate limit (HTTP 429)", "3 failing steps"), summary("b", "Provider rate limit (HTTP 429)", "3 failing steps"));
            waitFor(() -> publishedHere().size() == 2, 10_000);
            assertThat(counting.texts.get()).isEqualTo(1);
            publish(vertx, summary("c", "Provider rate limit (HTTP 429)", "3 failing steps"));
            waitFor(() -> publishedHere().size() == 3, 10_000);
            assertThat(counting.texts.get()).isEqualTo(1);
            assertThat(publishedHere().get(0).vector()).isEqualTo(publishedHere().get(2).vector());

            publish(vertx, summary("a", "Provider rate limit (HTTP 429)", "3 failing steps"));
            publish(vertx, summary("b", "Provider rate limit (HTTP 429)", "3 failing steps"));
            Thread.sleep(500);
            assertThat(publishedHere()).hasSize(3);
            assertThat(counting.texts.get()).isEqualTo(1);
            assertThat(rows(theme)).hasSize(3);
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("a later trace version replaces the earlier one in the index; both stay stored; a late older version is ignored")
    void versions(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 16, 50);
        try {
            publish(vertx, summary("v", "Slow answer", "The trace took 40 s"));
            waitFor(() -> publishedHere().size() == 1, 10_000);
            publish(vertx, summary(PROJECT, theme, "v", 2, true, "Slow answer and a timeout", "The trace took 90 s and timed out"));
            waitFor(() -> publishedHere().size() == 2, 10_000);
            publish(vertx, summary(PROJECT, theme, "v", 1, true, "Something else", "Stale text for version 1"));
            Thread.sleep(400);

            EmbedSnapshot.Vectors snap = snapshot(vertx, PROJECT, theme);
            assertThat(snap.items()).singleElement().satisfies(item -> {
                assertThat(item.traceId()).isEqualTo("v");
                assertThat(item.traceVersion()).isEqualTo(2);
            });
            assertThat(rows(theme)).extracting(r -> r.getInteger("trace_version")).containsExactly(1, 2);
            assertThat(rows(theme).get(0).getString("text_hash")).isEqualTo(dev.prism.common.Hashing.sha256Hex("Slow answer\nThe trace took 40 s"));
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("search embeds the query with the same model and returns the nearest summary first, per theme or across themes")
    void search(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 16, 50);
        String other = theme + "-ux";
        try {
            // Project q holds only this test's summaries, so a search across its themes sees exactly these five.
            publish(vertx,
                    summary("q", theme, "pay", 1, true, "Payment provider timeout", "Charging the card failed because the payment API did not answer within 30 seconds."),
                    summary("q", theme, "quota", 1, true, "Model rate limit", "The LLM provider answered HTTP 429 too many requests; the call was retried."),
                    summary("q", theme, "parse", 1, true, "Invalid JSON from the model", "The model's reply could not be parsed as JSON, so the tool call was skipped."),
                    summary("q", other, "dark", 1, true, "Dark mode request", "The user asked for a dark theme in the dashboard settings."),
                    summary("q", other, "lang", 1, true, "Language confusion", "The user wrote in German but the assistant answered in English."),
                    summary(PROJECT, theme, "pay-elsewhere", 1, true, "Payment provider timeout", "Charging the card failed."));
            waitFor(() -> published.size() == 6, 10_000);

            EmbedSearch.Hits hits = search(vertx, "q", theme, "the card payment timed out", 2);
            assertThat(hits.model()).isEqualTo("all-minilm-l6-v2-q");
            assertThat(hits.hits()).hasSize(2);
            assertThat(hits.hits().get(0)).satisfies(h -> {
                assertThat(h.traceId()).isEqualTo("pay");
                assertThat(h.themeId()).isEqualTo(theme);
                assertThat(h.traceVersion()).isEqualTo(1);
                assertThat(h.score()).isGreaterThan(hits.hits().get(1).score());
            });

            EmbedSearch.Hits across = search(vertx, "q", null, "please add a night mode with dark colours", 10);
            assertThat(across.hits()).hasSize(5);
            assertThat(across.hits().get(0).traceId()).isEqualTo("dark");
            assertThat(across.hits().get(0).themeId()).isEqualTo(other);
            assertThat(across.hits()).extracting(EmbedSearch.Hit::traceId).doesNotContain("pay-elsewhere");
            assertThat(across.hits()).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
            assertThat(search(vertx, "q", null, "please add a night mode with dark colours", 3).hits()).hasSize(3);

            assertThat(search(vertx, PROJECT, "no-such-theme", "anything", 5).hits()).isEmpty();
            assertThat(searchFailure(vertx, new EmbedSearch(PROJECT, theme, "  ", 5))).isEqualTo(new Failure(400, "invalid_query", "q must not be blank"));
            assertThat(searchFailure(vertx, new EmbedSearch(PROJECT, theme, "x", 0)).status()).isEqualTo(400);
        } finally {
            undeploy(vertx, id);
        }
    }

    private static Failure searchFailure(Vertx vertx, EmbedSearch q) {
        try {
            await(vertx.eventBus().request(Addresses.EMBED_SEARCH, q));
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return Failure.from(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("after a restart the index is reloaded from the table: snapshot, search and replays behave as before")
    void restart(Vertx vertx) throws Exception {
        Counting first = new Counting(model);
        String id = deploy(vertx, first, 16, 50);
        publish(vertx,
                summary("r1", "Payment provider timeout", "The payment API did not answer within 30 seconds."),
                summary("r2", "Dark mode request", "The user asked for a dark theme."),
                summary("r3", "Wrong language", "The assistant answered in English to a German question."));
        waitFor(() -> publishedHere().size() == 3, 10_000);
        EmbedSnapshot.Vectors before = snapshot(vertx, PROJECT, theme);
        undeploy(vertx, id);

        Counting second = new Counting(model);
        id = deploy(vertx, second, 16, 50);
        try {
            EmbedSnapshot.Vectors after = snapshot(vertx, PROJECT, theme);
            assertThat(after.dimensions()).isEqualTo(384);
            assertThat(after.model()).isEqualTo("all-minilm-l6-v2-q");
            assertThat(after.items()).extracting(EmbedSnapshot.Item::traceId).containsExactlyInAnyOrder("r1", "r2", "r3");
            for (EmbedSnapshot.Item item : after.items()) {
                EmbedSnapshot.Item old = before.items().stream().filter(i -> i.traceId().equals(item.traceId())).findFirst().orElseThrow();
                assertThat(item.vector()).containsExactly(old.vector());
            }
            assertThat(search(vertx, PROJECT, theme, "dark colours for the UI", 1).hits()).extracting(EmbedSearch.Hit::traceId).containsExactly("r2");

            int texts = second.texts.get(); // the query above
            publish(vertx, summary("r1", "Payment provider timeout", "The payment API did not answer within 30 seconds."));
            Thread.sleep(400);
            assertThat(publishedHere()).hasSize(3);
            assertThat(second.texts.get()).isEqualTo(texts);
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("a row that cannot be stored (its project is gone) does not cost the rest of its batch")
    void badRowInBatch(Vertx vertx) throws Exception {
        String id = deploy(vertx, new Counting(model), 8, 100);
        try {
            publish(vertx, summary("ok-1", "Error one", "first"), summary("ghost", theme, "lost", 1, true, "Error", "of a deleted project"),
                    summary("ok-2", "Error two", "second"));
            waitFor(() -> publishedHere().size() == 2, 10_000);
            Thread.sleep(300);
            assertThat(publishedHere()).extracting(EmbeddingCreated::traceId).containsExactlyInAnyOrder("ok-1", "ok-2");
            assertThat(rows(theme)).extracting(r -> r.getString("trace_id")).containsExactly("ok-1", "ok-2");
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("stopping embeds and stores the summaries still waiting for their batch")
    void drainOnStop(Vertx vertx) throws Exception {
        String id = deploy(vertx, new Counting(model), 64, 60_000);
        publish(vertx, summary("s1", "Error one", "first"), summary("s2", "Error two", "second"));
        Thread.sleep(200);
        assertThat(rows(theme)).isEmpty();
        undeploy(vertx, id);
        assertThat(rows(theme)).extracting(r -> r.getString("trace_id")).containsExactly("s1", "s2");
    }

    /** Serves {@link SummaryScan} from a list, as the analysis feature does from its table. */
    private static MessageConsumer<SummaryScan> fakeScan(Vertx vertx, List<SummaryScan.Entry> rows, AtomicInteger scans) {
        return vertx.eventBus().<SummaryScan>consumer(Addresses.SUMMARY_SCAN, m -> {
            SummaryScan q = m.body();
            scans.incrementAndGet();
            List<SummaryScan.Entry> page = rows.stream()
                    .filter(e -> e.summary().createdAt().isAfter(q.afterTime())
                            || e.summary().createdAt().equals(q.afterTime()) && e.id() > q.afterId())
                    .filter(e -> e.summary().createdAt().isBefore(q.until()))
                    .sorted(java.util.Comparator.comparing((SummaryScan.Entry e) -> e.summary().createdAt()).thenComparingLong(SummaryScan.Entry::id))
                    .limit(q.limit()).toList();
            m.reply(new SummaryScan.Page(page));
        });
    }

    private static PrismConfig.Embed sweeping(int batchSize, long maxPendingBytes) {
        return new PrismConfig.Embed("local", Optional.empty(), Optional.empty(), Optional.empty(), batchSize, 50, 1, 2, 30, 5, 1_000_000L,
                maxPendingBytes, 1, 1L << 28);
    }

    @Test
    @DisplayName("a batch the embedder fails is not dropped: the sweep finds its summaries without a vector and embeds them")
    void failedBatchIsSwept(Vertx vertx) throws Exception {
        AtomicInteger failures = new AtomicInteger(1);
        Counting counting = new Counting(model) {
            @Override
            public Future<List<float[]>> embed(List<String> t) {
                return failures.getAndDecrement() > 0 ? Future.failedFuture(new IllegalStateException("provider down")) : super.embed(t);
            }
        };
        Instant old = Instant.now().minusSeconds(30);
        List<SummaryScan.Entry> table = new CopyOnWriteArrayList<>();
        AtomicInteger scans = new AtomicInteger();
        MessageConsumer<SummaryScan> scan = fakeScan(vertx, table, scans);
        Metrics metrics = new Metrics();
        String id = deploy(vertx, sweeping(8, 1L << 20), v -> Future.succeededFuture(counting), metrics);
        try {
            List<SummaryCreated> summaries = List.of(
                    summary(PROJECT, theme, "f1", 1, true, "Payment API timed out", "The charge call timed out."),
                    summary(PROJECT, theme, "f2", 1, true, "Rate limited", "HTTP 429 from the provider."),
                    new SummaryCreated(PROJECT, theme, "f3", 1, 1, true, "Tool failed", "The search tool returned 500.", "medium", "offline",
                            0, 0, 0, 1, old.plusMillis(3)));
            for (int i = 0; i < summaries.size(); i++) {
                SummaryCreated s = summaries.get(i);
                table.add(new SummaryScan.Entry(new SummaryCreated(s.projectId(), s.themeId(), s.traceId(), s.traceVersion(), s.promptVersion(),
                        true, s.title(), s.summary(), s.severity(), s.model(), 0, 0, 0, 1, old.plusMillis(i)), i + 1));
            }
            publish(vertx, summaries.toArray(SummaryCreated[]::new));
            waitFor(() -> publishedHere().size() >= 3, 20_000);
            assertThat(publishedHere()).extracting(EmbeddingCreated::traceId).containsExactlyInAnyOrder("f1", "f2", "f3");
            assertThat(rows(theme)).extracting(r -> r.getString("trace_id")).containsExactly("f1", "f2", "f3");
            assertThat(metrics.registry().counter("prism.embed.deferred").count()).isEqualTo(3);
            assertThat(metrics.registry().counter("prism.embed.swept").count()).isEqualTo(3);
            // Once stored, later sweeps find nothing more to embed.
            int calls = counting.calls.size();
            int seen = scans.get();
            waitFor(() -> scans.get() >= seen + 2, 10_000);
            assertThat(counting.calls).hasSize(calls);
        } finally {
            undeploy(vertx, id);
            await(scan.unregister());
        }
    }

    @Test
    @DisplayName("texts beyond the pending byte bound are left to the sweep, which embeds them as room frees")
    void pendingBoundDefersToSweep(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        List<SummaryScan.Entry> table = new CopyOnWriteArrayList<>();
        MessageConsumer<SummaryScan> scan = fakeScan(vertx, table, new AtomicInteger());
        Metrics metrics = new Metrics();
        // 65,536 bytes hold one 20,000-character text (two bytes a character) at a time.
        String id = deploy(vertx, sweeping(8, 65_536), v -> Future.succeededFuture(counting), metrics);
        try {
            Instant old = Instant.now().minusSeconds(30);
            List<SummaryCreated> summaries = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SummaryCreated s = new SummaryCreated(PROJECT, theme, "b" + i, 1, 1, true, "Long failure " + i, ("word" + i + " ").repeat(3_000),
                        "medium", "offline", 0, 0, 0, 1, old.plusMillis(i));
                summaries.add(s);
                table.add(new SummaryScan.Entry(s, i + 1));
            }
            publish(vertx, summaries.toArray(SummaryCreated[]::new));
            waitFor(() -> publishedHere().size() >= 4, 30_000);
            assertThat(rows(theme)).extracting(r -> r.getString("trace_id")).containsExactly("b0", "b1", "b2", "b3");
            assertThat(metrics.registry().counter("prism.embed.deferred").count()).isGreaterThanOrEqualTo(3);
            assertThat(metrics.registry().counter("prism.embed.swept").count()).isGreaterThanOrEqualTo(3);
        } finally {
            undeploy(vertx, id);
            await(scan.unregister());
        }
    }

    @Test
    @DisplayName("with the openai provider, batches go to the configured server in requests of at most the batch size")
    void openAiProvider(Vertx vertx) throws Exception {
        FakeEmbeddingServer fake = new FakeEmbeddingServer();
        String fakeId = await(vertx.deployVerticle(fake));
        PrismConfig.Embed config = new PrismConfig.Embed("openai", Optional.of("http://127.0.0.1:" + fake.port()), Optional.of("sk-test"),
                Optional.of("fake-embed"), 3, 100, 1, 1, 5, 3, 1_000_000L, 1L << 24, 60, 1L << 28);
        String id = deploy(vertx, config, v -> Embedder.configured(v, config), new Metrics());
        try {
            for (int i = 0; i < 7; i++) {
                publish(vertx, summary("o" + i, "Error " + "abc".repeat(i), "summary " + i));
            }
            waitFor(() -> publishedHere().size() == 7, 10_000);
            assertThat(fake.log).extracting(FakeEmbeddingServer.Received::inputs).allSatisfy(n -> assertThat(n).isBetween(1, 3))
                    .satisfies(sizes -> assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(7));
            assertThat(fake.log).extracting(FakeEmbeddingServer.Received::model).containsOnly("fake-embed");
            assertThat(publishedHere()).allSatisfy(e -> {
                assertThat(e.model()).isEqualTo("fake-embed");
                assertThat(e.vector()).hasSize(8);
            });
            assertThat(rows(theme)).hasSize(7).allSatisfy(r -> assertThat(r.getString("model")).isEqualTo("fake-embed"));
        } finally {
            undeploy(vertx, id);
            await(vertx.undeploy(fakeId));
        }
    }

    private static float[] toFloats(Float[] boxed) {
        float[] out = new float[boxed.length];
        for (int i = 0; i < boxed.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    @Test
    @DisplayName("serves sentence vectors for the relevance model from the same model and cache, and refuses at once beyond its bound")
    void sentenceVectors(Vertx vertx) throws Exception {
        Counting counting = new Counting(model);
        String id = deploy(vertx, counting, 8, 100);
        try {
            List<String> texts = List.of("Can you export this to Excel?", "Thanks, that works.", "Can you export this to Excel?");
            dev.prism.bus.SentenceVectors.Vectors v = await(vertx.eventBus().<dev.prism.bus.SentenceVectors.Vectors>request(Addresses.EMBED_SENTENCES,
                    new dev.prism.bus.SentenceVectors(texts))).body();
            assertThat(v.model()).isEqualTo(OnnxMiniLm.MODEL);
            assertThat(v.vectors()).hasSize(3).allSatisfy(x -> assertThat(VectorMath.dot(x, x)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3)));
            assertThat(v.vectors().get(0)).isEqualTo(v.vectors().get(2));
            assertThat(counting.texts.get()).as("each distinct text embedded once").isEqualTo(2);
            await(vertx.eventBus().request(Addresses.EMBED_SENTENCES, new dev.prism.bus.SentenceVectors(texts)));
            assertThat(counting.texts.get()).as("the second time from the cache").isEqualTo(2);

            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i <= EmbedVectorsVerticle.MAX_SENTENCES_IN_FLIGHT; i++) {
                tooMany.add("sentence number " + i);
            }
            Throwable refused = vertx.eventBus().request(Addresses.EMBED_SENTENCES, new dev.prism.bus.SentenceVectors(tooMany))
                    .toCompletionStage().toCompletableFuture().handle((ok, e) -> e).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(refused).isInstanceOf(io.vertx.core.eventbus.ReplyException.class);
            assertThat(((io.vertx.core.eventbus.ReplyException) refused).failureCode()).isEqualTo(503);
            assertThat(refused.getMessage()).startsWith("embed_busy");
            assertThat(counting.texts.get()).as("nothing embedded for a refused request").isEqualTo(2);
        } finally {
            undeploy(vertx, id);
        }
    }

    @Test
    @DisplayName("with another provider for summaries, sentences for the relevance model still come from the local model it was trained on")
    void sentencesStayLocal(Vertx vertx) throws Exception {
        Embedder other = new Embedder() {
            @Override
            public String model() {
                return "text-embedding-3-small";
            }

            @Override
            public Future<List<float[]>> embed(List<String> texts) {
                return Future.failedFuture(new IllegalStateException("sentences must not reach the summaries' provider"));
            }

            @Override
            public int parallelism() {
                return 1;
            }

            @Override
            public Future<Void> close() {
                return Future.succeededFuture();
            }
        };
        String id = deploy(vertx, config(8, 100), v -> Future.succeededFuture(other), new Metrics());
        try {
            dev.prism.bus.SentenceVectors.Vectors v = await(vertx.eventBus().<dev.prism.bus.SentenceVectors.Vectors>request(Addresses.EMBED_SENTENCES,
                    new dev.prism.bus.SentenceVectors(List.of("Can I get this as a spreadsheet?")))).body();
            assertThat(v.model()).isEqualTo(OnnxMiniLm.MODEL);
            assertThat(v.vectors().get(0)).hasSize(OnnxMiniLm.DIMENSIONS);
        } finally {
            undeploy(vertx, id);
        }
    }
}
