package dev.prism.theme;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.Addresses;
import dev.prism.bus.Codecs;
import dev.prism.bus.Failure;
import dev.prism.bus.FailureCode;
import dev.prism.bus.RunTasks;
import dev.prism.bus.ThemeCommand;
import dev.prism.pricing.Pricing;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Previews, run selections and prompts on the bus, over traces and themes written straight into the database. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The theme preview verticle")
class ThemePreviewVerticleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TRACE_CHARS = 20_000;

    private ThemeTestDatabase db;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        db = ThemeTestDatabase.start(vertx);
        // Four recent traces (t4 the newest), one a month old, one in another project.
        for (int i = 1; i <= 4; i++) {
            db.trace("p", "t" + i, 1, 600 - i * 60, 1_000L * i, true);
        }
        db.trace("p", "old", 1, 30 * 24 * 3600, 5_000, true);
        db.trace("q", "other", 1, 60, 5_000, true);
        db.theme("p", "{\"theme_id\": \"all\", \"name\": \"All\", \"description\": \"Everything\","
                + " \"prompt\": \"Theme {{theme_name}} on {{trace_id}}: {{trace_text}} Answer in JSON with theme_relevant, title and summary.\", \"llm\": {\"model\": \"gpt-4o-mini\"}}");
        await(vertx.deployVerticle(new ThemePreviewVerticle(db.pool(), db.pool(), MAX_TRACE_CHARS, Pricing.DEFAULTS)));
    }

    @AfterAll
    void stop() throws Exception {
        db.close();
    }

    private static <T> T ask(Vertx vertx, String address, ThemeCommand<T> command) throws Exception {
        return await(vertx.eventBus().<T>request(address, command).map(m -> m.body()));
    }

    private static Failure refusal(Vertx vertx, String address, ThemeCommand<?> command) throws Exception {
        try {
            await(vertx.eventBus().request(address, command));
        } catch (ExecutionException e) {
            return Failure.from(e.getCause());
        }
        throw new AssertionError("the request succeeded");
    }

    @Test
    @DisplayName("previews a draft over its date range: traces in range, those its filters keep, calls, tokens and cost")
    void previews(Vertx vertx) throws Exception {
        ThemeCommand.Preview all = ask(vertx, Addresses.THEME_PREVIEW, new ThemeCommand.PreviewDraft("p", JSON.readTree(
                "{\"name\": \"Draft\", \"date_range\": {\"date_from\": \"-1d\"}}")));
        assertThat(all.tracesInRange()).as("the old trace and the other project's are out of range").isEqualTo(4);
        assertThat(all.matchingThemeFilters()).isEqualTo(4);
        assertThat(all.estimatedLlmCalls()).isEqualTo(4);
        assertThat(all.estimatedInputTokens()).isPositive();
        assertThat(all.estimatedCostUsd()).isPositive();
        assertThat(all.model()).isEqualTo(Pricing.DEFAULT_MODEL);

        ThemeCommand.Preview none = ask(vertx, Addresses.THEME_PREVIEW, new ThemeCommand.PreviewDraft("p", JSON.readTree(
                "{\"name\": \"Draft\", \"theme_filters\": [{\"key\": \"trace.event_count\", \"operator\": \"gte\", \"value\": 4, \"type\": \"trace\"}]}")));
        assertThat(none.tracesInRange()).isEqualTo(4);
        assertThat(none.matchingThemeFilters()).as("every trace has 3 events").isZero();
        assertThat(none.estimatedLlmCalls()).isZero();
        assertThat(none.savingsShare()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("refuses a draft with a model it has no price for, or invalid filters, naming the field")
    void refusesInvalidDrafts(Vertx vertx) throws Exception {
        Failure model = refusal(vertx, Addresses.THEME_PREVIEW, new ThemeCommand.PreviewDraft("p", JSON.readTree("{\"model\": \"no-such-model\"}")));
        assertThat(model.code()).isEqualTo(FailureCode.INVALID_THEME);
        assertThat(model.detail()).contains("model: no price known for 'no-such-model'");
        Failure filters = refusal(vertx, Addresses.THEME_PREVIEW, new ThemeCommand.PreviewDraft("p", JSON.readTree(
                "{\"theme_filters\": [{\"key\": \"x\", \"operator\": \"sounds_like\", \"type\": \"event\"}]}")));
        assertThat(filters.code()).isEqualTo(FailureCode.INVALID_THEME);
        assertThat(filters.detail()).contains("theme_filters");
    }

    @Test
    @DisplayName("selects a run's traces with the stored theme, most recent first, up to the limit")
    void selects(Vertx vertx) throws Exception {
        ThemeCommand.Selection all = ask(vertx, Addresses.THEME_SELECT, new ThemeCommand.SelectForRun("p", "all", "-1d", null, 0));
        assertThat(all.themeId()).isEqualTo("all");
        assertThat(all.promptVersion()).isEqualTo(1);
        assertThat(all.tracesInRange()).isEqualTo(4);
        assertThat(all.sampled()).extracting(RunTasks.TraceRef::traceId).containsExactly("t4", "t3", "t2", "t1");

        ThemeCommand.Selection two = ask(vertx, Addresses.THEME_SELECT, new ThemeCommand.SelectForRun("p", "all", "-60d", null, 2));
        assertThat(two.tracesInRange()).isEqualTo(5);
        assertThat(two.matched()).isEqualTo(5);
        assertThat(two.sampled()).extracting(RunTasks.TraceRef::traceId).containsExactly("t4", "t3");
    }

    @Test
    @DisplayName("refuses a run of an unknown theme, or over a window that is not a date")
    void refusesRuns(Vertx vertx) throws Exception {
        assertThat(refusal(vertx, Addresses.THEME_SELECT, new ThemeCommand.SelectForRun("p", "nope", null, null, 0)).code())
                .isEqualTo(FailureCode.THEME_NOT_FOUND);
        Failure date = refusal(vertx, Addresses.THEME_SELECT, new ThemeCommand.SelectForRun("p", "all", "last tuesday", null, 0));
        assertThat(date.code()).isEqualTo(FailureCode.INVALID_DATE_RANGE);
        assertThat(date.detail()).startsWith("date_from:");
    }

    @Test
    @DisplayName("renders a theme's current prompt for one trace, with the theme's own model")
    void rendersPrompts(Vertx vertx) throws Exception {
        ThemeCommand.RenderedPrompt r = ask(vertx, Addresses.THEME_RENDER_PROMPT,
                new ThemeCommand.RenderPrompt("p", "all", "t1", "checkout", "[user] where is my refund?"));
        assertThat(r.prompt()).contains("Theme All on t1").contains("[user] where is my refund?");
        assertThat(r.promptVersion()).isEqualTo(1);
        assertThat(r.model()).isEqualTo("gpt-4o-mini");
        assertThat(r.provider()).isNull();
    }
}
