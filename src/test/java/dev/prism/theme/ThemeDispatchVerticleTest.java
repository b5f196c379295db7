package dev.prism.theme;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisRequest;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.Codecs;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.TraceFormatted;
import dev.prism.bus.TraceScored;
import dev.prism.format.TraceFormatter;
import dev.prism.support.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Streaming dispatch between a stand-in for relevance scoring (what it publishes) and one for analysis (what it hears). */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The theme dispatch verticle")
class ThemeDispatchVerticleTest {

    private ThemeTestDatabase db;
    private final List<AnalysisRequest> requested = new CopyOnWriteArrayList<>();
    private MessageConsumer<AnalysisRequest> analysis;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        db = ThemeTestDatabase.start(vertx);
        db.theme("p", "{\"theme_id\": \"everything\", \"name\": \"Everything\", \"prompt\": \"{{theme_name}} in {{trace_id}}: {{trace_text}} Answer in JSON with theme_relevant, title and summary.\"}");
        db.theme("p", "{\"theme_id\": \"long_traces\", \"name\": \"Long traces\","
                + " \"theme_filters\": [{\"key\": \"trace.event_count\", \"operator\": \"gte\", \"value\": 1000, \"type\": \"trace\"}]}");
        db.theme("p", "{\"theme_id\": \"off\", \"name\": \"Off\", \"enabled\": false}");
        db.theme("p", "{\"theme_id\": \"none_sampled\", \"name\": \"None sampled\", \"sample_rate\": 0}");
        analysis = vertx.eventBus().consumer(Addresses.ANALYSIS_REQUESTED, m -> requested.add(m.body()));
        await(analysis.completion());
        await(vertx.deployVerticle(new ThemeDispatchVerticle(db.pool())));
    }

    @AfterAll
    void stop() throws Exception {
        db.close();
    }

    private static TraceFormatted formatted(String projectId, int version) {
        AssembledTrace trace = Fixtures.named("s10").assemble();
        return new TraceFormatted(projectId, trace.traceId(), version, trace, TraceFormatter.format(trace, TraceFormatter.Options.defaults()));
    }

    /** Publishes a scored trace version as relevance scoring does, and waits for analysis to hear about it. */
    private AnalysisRequest dispatched(Vertx vertx, TraceFormatted t) {
        vertx.eventBus().publish(Addresses.TRACE_SCORED, new TraceScored(t, Map.of()));
        return await().atMost(Duration.ofSeconds(30)).until(() -> requested.stream()
                .filter(r -> r.traceId().equals(t.traceId()) && r.traceVersion() == t.version()).findFirst().orElse(null), r -> r != null);
    }

    private static List<String> themes(AnalysisRequest r) {
        return r.themes().stream().map(AnalysisRequest.ThemeSelection::themeId).toList();
    }

    @Test
    @DisplayName("hands a trace to analysis with the enabled themes whose filters and sampling select it, prompts rendered")
    void selects(Vertx vertx) {
        TraceFormatted t = formatted("p", 1);
        AnalysisRequest r = dispatched(vertx, t);
        assertThat(themes(r)).containsExactly("everything");
        AnalysisRequest.ThemeSelection s = r.themes().get(0);
        assertThat(s.prompt()).contains("Everything in " + t.traceId()).contains(t.text().substring(0, 40));
        assertThat(s.promptVersion()).isEqualTo(1);
        assertThat(r.projectId()).isEqualTo("p");
        assertThat(r.text()).isEqualTo(t.text());
    }

    @Test
    @DisplayName("reads a project's themes again as soon as the theme feature says they changed")
    void readsChangedThemes(Vertx vertx) throws Exception {
        db.theme("q", "{\"theme_id\": \"first\", \"name\": \"First\"}");
        long loaded = System.currentTimeMillis();
        assertThat(themes(dispatched(vertx, formatted("q", 11)))).containsExactly("first");
        db.theme("q", "{\"theme_id\": \"late\", \"name\": \"Late\"}");
        AnalysisRequest cached = dispatched(vertx, formatted("q", 12));
        if (System.currentTimeMillis() - loaded < DispatchPlanCache.TTL_MILLIS) {
            assertThat(themes(cached)).as("within the plan's TTL, without a change notice").doesNotContain("late");
        }
        vertx.eventBus().publish(Addresses.THEME_CHANGED, new ThemeCommand.Changed("q"));
        assertThat(themes(dispatched(vertx, formatted("q", 13)))).containsExactly("first", "late");
    }
}
