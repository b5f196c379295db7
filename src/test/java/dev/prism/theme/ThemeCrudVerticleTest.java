package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.Codecs;
import dev.prism.bus.Failure;
import dev.prism.bus.FailureCode;
import dev.prism.bus.ScheduledThemes;
import dev.prism.bus.ThemeCommand;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Theme configuration on the bus, one address per verb, with a listener standing in for dispatch. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The theme CRUD verticle")
class ThemeCrudVerticleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ThemeTestDatabase db;
    private final List<String> changed = new CopyOnWriteArrayList<>();
    private MessageConsumer<ThemeCommand.Changed> dispatch;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        db = ThemeTestDatabase.start(vertx);
        dispatch = vertx.eventBus().consumer(Addresses.THEME_CHANGED, m -> changed.add(m.body().projectId()));
        await(dispatch.completion());
        await(vertx.deployVerticle(new ThemeCrudVerticle(db.pool(), db.pool())));
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

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    @DisplayName("brings every project's built-in themes in step at start, listed before custom ones")
    void syncsBuiltIns(Vertx vertx) throws Exception {
        List<AnalysisTheme> themes = ask(vertx, Addresses.THEME_LIST, new ThemeCommand.List("q")).themes();
        assertThat(themes).extracting(AnalysisTheme::themeId)
                .containsExactlyInAnyOrderElementsOf(BuiltInThemes.ALL.stream().map(BuiltInThemes.Definition::themeId).toList());
        assertThat(themes).allMatch(AnalysisTheme::builtIn).allMatch(AnalysisTheme::enabled);
    }

    @Test
    @DisplayName("creates, reads, patches and deletes a custom theme, telling dispatch after each change")
    void lifecycle(Vertx vertx) throws Exception {
        changed.clear();
        AnalysisTheme created = ask(vertx, Addresses.THEME_CREATE, new ThemeCommand.Create("p",
                json("{\"theme_id\": \"refunds\", \"name\": \"Refunds\", \"prompt\": \"Refunds? {{trace_text}} Answer in JSON with theme_relevant, title and summary.\"}")));
        assertThat(created.promptVersion()).isEqualTo(1);
        assertThat(ask(vertx, Addresses.THEME_GET, new ThemeCommand.Get("p", "refunds")).name()).isEqualTo("Refunds");

        AnalysisTheme patched = ask(vertx, Addresses.THEME_PATCH, new ThemeCommand.Patch("p", "refunds",
                json("{\"prompt\": \"Money back? {{trace_text}} Answer in JSON with theme_relevant, title and summary.\"}")));
        assertThat(patched.promptVersion()).as("a new prompt is a new version").isEqualTo(2);
        assertThat(patched.name()).as("a patch keeps what it does not name").isEqualTo("Refunds");

        AnalysisTheme replaced = ask(vertx, Addresses.THEME_REPLACE, new ThemeCommand.Replace("p", "refunds",
                json("{\"name\": \"Refund requests\", \"prompt\": \"Money back? {{trace_text}} Answer in JSON with theme_relevant, title and summary.\"}")));
        assertThat(replaced.name()).isEqualTo("Refund requests");
        assertThat(replaced.promptVersion()).isEqualTo(2);

        assertThat(ask(vertx, Addresses.THEME_DELETE, new ThemeCommand.Delete("p", "refunds")).themeId()).isEqualTo("refunds");
        assertThat(refusal(vertx, Addresses.THEME_GET, new ThemeCommand.Get("p", "refunds")).code()).isEqualTo(FailureCode.THEME_NOT_FOUND);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(changed).containsExactly("p", "p", "p", "p"));
    }

    @Test
    @DisplayName("fails with a code and a detail naming the problem: a taken id, an invalid body, a built-in theme changed")
    void refuses(Vertx vertx) throws Exception {
        ask(vertx, Addresses.THEME_CREATE, new ThemeCommand.Create("p", json("{\"theme_id\": \"dupe\", \"name\": \"Dupe\"}")));
        Failure taken = refusal(vertx, Addresses.THEME_CREATE, new ThemeCommand.Create("p", json("{\"theme_id\": \"dupe\", \"name\": \"Dupe\"}")));
        assertThat(taken.code()).isEqualTo(FailureCode.THEME_EXISTS);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.detail()).contains("'dupe' already exists");

        Failure invalid = refusal(vertx, Addresses.THEME_CREATE, new ThemeCommand.Create("p", json("{\"theme_id\": \"x\", \"sample_rate\": 2}")));
        assertThat(invalid.code()).isEqualTo(FailureCode.INVALID_THEME);
        assertThat(invalid.detail()).contains("name: required").contains("sample_rate");

        String builtIn = BuiltInThemes.ALL.get(0).themeId();
        Failure readOnly = refusal(vertx, Addresses.THEME_PATCH, new ThemeCommand.Patch("p", builtIn, json("{\"name\": \"Mine\"}")));
        assertThat(readOnly.code()).isEqualTo(FailureCode.BUILT_IN_THEME);
        assertThat(refusal(vertx, Addresses.THEME_DELETE, new ThemeCommand.Delete("p", builtIn)).code()).isEqualTo(FailureCode.BUILT_IN_THEME);
        assertThat(ask(vertx, Addresses.THEME_PATCH, new ThemeCommand.Patch("p", builtIn, json("{\"enabled\": false}"))).enabled())
                .as("a built-in theme may be switched off").isFalse();
        ask(vertx, Addresses.THEME_PATCH, new ThemeCommand.Patch("p", builtIn, json("{\"enabled\": true}")));
    }

    @Test
    @DisplayName("reads and replaces the project's base filters, refusing invalid ones with every problem named")
    void baseFilters(Vertx vertx) throws Exception {
        JsonNode filters = json("[{\"key\": \"$ai_model\", \"value\": \"gpt-4o\", \"operator\": \"exact\", \"type\": \"event\"}]");
        assertThat(ask(vertx, Addresses.THEME_SET_BASE_FILTERS, new ThemeCommand.SetBaseFilters("q", filters)).filters()).isEqualTo(filters);
        assertThat(ask(vertx, Addresses.THEME_BASE_FILTERS, new ThemeCommand.ReadBaseFilters("q")).filters()).isEqualTo(filters);

        Failure invalid = refusal(vertx, Addresses.THEME_SET_BASE_FILTERS, new ThemeCommand.SetBaseFilters("q",
                json("[{\"key\": \"$ai_model\", \"operator\": \"sounds_like\", \"type\": \"event\"}]")));
        assertThat(invalid.code()).isEqualTo(FailureCode.INVALID_FILTERS);
        assertThat(invalid.detail()).contains("base_filters");
        assertThat(ask(vertx, Addresses.THEME_BASE_FILTERS, new ThemeCommand.ReadBaseFilters("q")).filters()).as("unchanged").isEqualTo(filters);

        assertThat(ask(vertx, Addresses.THEME_SET_BASE_FILTERS, new ThemeCommand.SetBaseFilters("q",
                com.fasterxml.jackson.databind.node.NullNode.getInstance())).filters()).as("null clears them").isEmpty();
    }

    @Test
    @DisplayName("answers the run scheduler with the enabled themes whose schedule is not manual")
    void scheduled(Vertx vertx) throws Exception {
        ask(vertx, Addresses.THEME_CREATE, new ThemeCommand.Create("q",
                json("{\"theme_id\": \"nightly\", \"name\": \"Nightly\", \"schedule\": {\"type\": \"daily\", \"hour\": 3}}")));
        List<ScheduledThemes.Entry> entries = await(vertx.eventBus().<ScheduledThemes.Result>request(Addresses.THEME_SCHEDULED,
                new ScheduledThemes.Query()).map(m -> m.body().themes()));
        assertThat(entries).extracting(ScheduledThemes.Entry::themeId).contains("nightly");
        assertThat(entries).allMatch(e -> !e.schedule().path("type").asText().equals("manual"));
    }

    @Test
    @DisplayName("a request of another verb's type sent to an address fails as an internal error instead of going unanswered")
    void wrongType(Vertx vertx) throws Exception {
        Future<?> wrong = vertx.eventBus().request(Addresses.THEME_GET, new ThemeCommand.List("p"));
        try {
            await(wrong);
            throw new AssertionError("answered");
        } catch (ExecutionException e) {
            assertThat(Failure.from(e.getCause()).code()).isEqualTo(FailureCode.INTERNAL_ERROR);
        }
    }
}
