package dev.prism.relevance;

import dev.prism.bus.Addresses;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.Codecs;
import dev.prism.bus.Failure;
import dev.prism.bus.RelevanceQuery;
import dev.prism.bus.SentenceVectors;
import dev.prism.bus.TraceFormatted;
import dev.prism.bus.TraceScored;
import dev.prism.embed.OnnxMiniLm;
import dev.prism.format.TraceFormatter;
import dev.prism.support.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Relevance scoring on the bus, with sentence vectors from a stand-in for the embed feature running the real model. */
@ExtendWith(VertxExtension.class)
@DisplayName("The relevance verticle")
class RelevanceVerticleTest {

    private final AtomicBoolean embedFails = new AtomicBoolean();
    private MessageConsumer<SentenceVectors> embed;
    private String deployment;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        // What EmbedVectorsVerticle answers: the local model's normalised vectors, or a 503 when it is busy.
        embed = vertx.eventBus().consumer(Addresses.EMBED_SENTENCES, msg -> {
            if (embedFails.get()) {
                Failure.reply(msg, new Failure(503, "embed_busy", "busy").exception());
                return;
            }
            vertx.executeBlocking(() -> LocalScorer.shared().embed(msg.body().texts()), false)
                    .onSuccess(v -> msg.reply(new SentenceVectors.Vectors(OnnxMiniLm.MODEL, v)));
        });
        deployment = await(vertx.deployVerticle(new RelevanceVerticle(null)));
    }

    @AfterEach
    void stop(Vertx vertx) throws Exception {
        await(vertx.undeploy(deployment));
        await(embed.unregister());
    }

    private static TraceFormatted formatted(String fixture) {
        AssembledTrace trace = Fixtures.named(fixture).assemble();
        return new TraceFormatted("p", trace.traceId(), 1, trace, TraceFormatter.format(trace, TraceFormatter.Options.defaults()));
    }

    private static TraceScored next(Vertx vertx, TraceFormatted t) throws Exception {
        CompletableFuture<TraceScored> scored = new CompletableFuture<>();
        MessageConsumer<TraceScored> c = vertx.eventBus().consumer(Addresses.TRACE_SCORED, m -> {
            if (m.body().formatted().traceId().equals(t.traceId())) {
                scored.complete(m.body());
            }
        });
        await(c.completion());
        vertx.eventBus().publish(Addresses.TRACE_FORMATTED, t);
        try {
            return scored.get(30, TimeUnit.SECONDS);
        } finally {
            await(c.unregister());
        }
    }

    @Test
    @DisplayName("scores each formatted trace for the four user-language themes and publishes it for dispatch")
    void scoresAndPublishes(Vertx vertx) throws Exception {
        TraceScored calendar = next(vertx, formatted("s10"));
        java.util.List<String> scored = new java.util.ArrayList<>(RelevanceModel.THEMES);
        scored.add(RelevanceModel.PERFORMANCE);
        assertThat(calendar.relevance()).containsOnlyKeys(scored);
        assertThat(calendar.relevance().get(RelevanceModel.PERFORMANCE)).as("no loop in a calendar request").isZero();
        assertThat(calendar.relevance().get("feature_requests")).isGreaterThan(calendar.relevance().get("success_patterns"));
        assertThat(calendar.relevance().get("feature_requests"))
                .isGreaterThanOrEqualTo(RelevanceModel.load().weights().prefilter().get("feature_requests"));
    }

    @Test
    @DisplayName("publishes a trace without scores when the embedding model cannot answer, so dispatch still sees it")
    void fallsBackWithoutScores(Vertx vertx) throws Exception {
        embedFails.set(true);
        TraceScored t = next(vertx, formatted("s10"));
        assertThat(t.relevance()).isEmpty();
        assertThat(t.formatted().text()).isNotBlank();
    }

    @Test
    @DisplayName("a burst beyond the scoring slots and the waiting room is left to the dispatch sweep, not published unscored "
            + "(which would pass every pre-filter); the traces it held are scored and published")
    void burstBeyondWaitingIsLeftToTheSweep(Vertx vertx) throws Exception {
        // The embedding model holds every request: the first MAX_IN_FLIGHT traces take the slots, one waits, one is over.
        List<io.vertx.core.eventbus.Message<SentenceVectors>> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        await(embed.unregister());
        embed = vertx.eventBus().consumer(Addresses.EMBED_SENTENCES, held::add);
        await(embed.completion());
        String bounded = await(vertx.deployVerticle(new RelevanceVerticle(null, 0, 1)));
        await(vertx.undeploy(deployment));
        deployment = bounded;
        List<String> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        MessageConsumer<TraceScored> c = vertx.eventBus().consumer(Addresses.TRACE_SCORED, m -> published.add(m.body().formatted().traceId()));
        await(c.completion());
        try {
            TraceFormatted base = formatted("s10");
            int n = RelevanceVerticle.MAX_IN_FLIGHT + 2;
            for (int i = 0; i < n; i++) {
                vertx.eventBus().publish(Addresses.TRACE_FORMATTED, new TraceFormatted("p", "burst-" + i, 1, base.trace(), base.text()));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !held.isEmpty());
            org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(1)).atMost(java.time.Duration.ofSeconds(2)).until(published::isEmpty);
            // The model answers: every request held so far and any the waiting trace makes.
            embedFails.set(false);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                for (io.vertx.core.eventbus.Message<SentenceVectors> m : held) {
                    held.remove(m);
                    vertx.executeBlocking(() -> LocalScorer.shared().embed(m.body().texts()), false)
                            .onSuccess(v -> m.reply(new SentenceVectors.Vectors(OnnxMiniLm.MODEL, v)));
                }
                return published.size() >= n - 1;
            });
            org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(1)).atMost(java.time.Duration.ofSeconds(2))
                    .until(() -> published.size() == n - 1);
            assertThat(published).as("the slots' and the waiting trace, scored").hasSize(n - 1)
                    .doesNotContain("burst-" + (n - 1)).doesNotHaveDuplicates();
        } finally {
            await(c.unregister());
        }
    }

    @Test
    @DisplayName("answers the offline analyzer: a built-in theme's verdict with its evidence, a custom theme zero-shot from its text")
    void answersVerdicts(Vertx vertx) throws Exception {
        TraceFormatted t = formatted("s10");
        RelevanceQuery q = new RelevanceQuery("p", t.traceId(), 1, t.trace(), t.text(), List.of(
                new RelevanceQuery.ThemeText("feature_requests", "Feature requests", "", null, true),
                new RelevanceQuery.ThemeText("calendar", "Calendar sync", "Users who want their plans in their calendar app.", null, false),
                new RelevanceQuery.ThemeText("refunds", "Refunds", "Customers asking for their money back after a double charge.", null, false)));
        List<RelevanceQuery.Verdict> verdicts = await(vertx.eventBus().<RelevanceQuery.Verdicts>request(Addresses.RELEVANCE_SCORE, q)).body().verdicts();
        assertThat(verdicts).extracting(RelevanceQuery.Verdict::themeId).containsExactly("feature_requests", "calendar", "refunds");
        assertThat(verdicts.get(0).relevant()).isTrue();
        assertThat(verdicts.get(0).evidence()).containsIgnoringCase("calendar");
        assertThat(verdicts.get(1).relevant()).isTrue();
        assertThat(verdicts.get(2).relevant()).isFalse();
    }

    @Test
    @DisplayName("answers a relevant UX trace with the kind of friction as its label, other themes with none")
    void answersFrictionType(Vertx vertx) throws Exception {
        TraceFormatted t = formatted("s14");
        RelevanceQuery q = new RelevanceQuery("p", t.traceId(), 1, t.trace(), t.text(), List.of(
                new RelevanceQuery.ThemeText("ux_issues", "UX friction", "", null, true),
                new RelevanceQuery.ThemeText("feature_requests", "Feature requests", "", null, true)));
        List<RelevanceQuery.Verdict> verdicts = await(vertx.eventBus().<RelevanceQuery.Verdicts>request(Addresses.RELEVANCE_SCORE, q)).body().verdicts();
        RelevanceQuery.Verdict ux = verdicts.stream().filter(v -> v.themeId().equals("ux_issues")).findFirst().orElseThrow();
        System.out.println("s14 friction: " + ux.label() + " (evidence: " + ux.evidence() + ")");
        assertThat(ux.relevant()).isTrue();
        Friction.Types types = Friction.load();
        List<String> titles = new java.util.ArrayList<>(types.types().stream().map(Friction.Type::title).toList());
        titles.add(types.other());
        assertThat(ux.label()).isIn(titles);
        assertThat(verdicts.stream().filter(v -> v.themeId().equals("feature_requests")).findFirst().orElseThrow().label()).isNull();
    }
}
