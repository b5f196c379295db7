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
