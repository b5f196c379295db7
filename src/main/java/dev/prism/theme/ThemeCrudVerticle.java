package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.Failure;
import dev.prism.bus.FailureCode;
import dev.prism.bus.ScheduledThemes;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.Verbs;
import dev.prism.theme.ThemeDraft.Mode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Theme configuration per project: custom themes with versioned prompts, the built-in themes (brought in step with
 * this version of Prism at start, see {@link BuiltInThemeWriter}), the project's base filters and property suggestions.
 *
 * <p>Consumes {@value Addresses#THEME_LIST}, {@value Addresses#THEME_GET}, {@value Addresses#THEME_CREATE},
 * {@value Addresses#THEME_REPLACE}, {@value Addresses#THEME_PATCH}, {@value Addresses#THEME_DELETE},
 * {@value Addresses#THEME_BASE_FILTERS}, {@value Addresses#THEME_SET_BASE_FILTERS}, {@value Addresses#THEME_PROPERTIES}
 * and {@value Addresses#THEME_SCHEDULED}; publishes {@value Addresses#THEME_CHANGED} after every change. Event loop only.
 */
public final class ThemeCrudVerticle extends VerticleBase {

    private final ThemeRepository repository;
    private Verbs verbs;
    private MessageConsumer<ScheduledThemes.Query> scheduled;

    /** @param apiPool for statements behind REST requests (property suggestions): they carry a statement timeout */
    public ThemeCrudVerticle(Pool pool, Pool apiPool) {
        this.repository = new ThemeRepository(pool, apiPool);
    }

    @Override
    public Future<?> start() {
        return BuiltInThemeWriter.all(repository).compose(v -> {
            verbs = new Verbs(vertx)
                    .on(Addresses.THEME_LIST, (ThemeCommand.List l) -> repository.list(l.projectId()).map(ThemeCommand.Themes::new))
                    .on(Addresses.THEME_GET, (ThemeCommand.Get g) -> repository.existing(g.projectId(), g.themeId()))
                    .on(Addresses.THEME_CREATE, (ThemeCommand.Create c) -> changed(c, write(c.projectId(), null, Mode.CREATE, c.body())))
                    .on(Addresses.THEME_REPLACE, (ThemeCommand.Replace r) -> changed(r, write(r.projectId(), r.themeId(), Mode.REPLACE, r.body())))
                    .on(Addresses.THEME_PATCH, (ThemeCommand.Patch p) -> changed(p, write(p.projectId(), p.themeId(), Mode.PATCH, p.body())))
                    .on(Addresses.THEME_DELETE, (ThemeCommand.Delete d) -> changed(d, delete(d)))
                    .on(Addresses.THEME_BASE_FILTERS, (ThemeCommand.ReadBaseFilters r) ->
                            repository.projectBaseFilters(r.projectId()).map(ThemeCommand.BaseFilters::new))
                    .on(Addresses.THEME_SET_BASE_FILTERS, (ThemeCommand.SetBaseFilters s) -> changed(s, setBaseFilters(s)))
                    .on(Addresses.THEME_PROPERTIES, (ThemeCommand.SuggestProperties s) ->
                            repository.propertyNames(s.projectId(), s.prefix() == null ? "" : s.prefix(), 50).map(ThemeCommand.Properties::new));
            scheduled = vertx.eventBus().consumer(Addresses.THEME_SCHEDULED, msg -> repository.scheduled()
                    .onSuccess(list -> msg.reply(new ScheduledThemes.Result(list))).onFailure(e -> Failure.reply(msg, e)));
            return Future.all(verbs.ready(), scheduled.completion());
        });
    }

    /** Dispatch reads the project's themes again for its next trace (a change through another instance waits for its cache). */
    private <T> Future<T> changed(ThemeCommand<T> command, Future<T> done) {
        return done.onSuccess(x -> vertx.eventBus().publish(Addresses.THEME_CHANGED, new ThemeCommand.Changed(command.projectId())));
    }

    private Future<AnalysisTheme> write(String projectId, String themeId, Mode mode, JsonNode body) {
        return repository.pool().withTransaction(conn -> {
            Future<Optional<AnalysisTheme>> current;
            if (mode == Mode.CREATE) {
                String source = body != null && body.hasNonNull("clone_from") ? body.get("clone_from").asText() : null;
                current = source == null ? Future.succeededFuture(Optional.empty()) : repository.existing(projectId, source).map(Optional::of);
            } else {
                current = repository.existing(projectId, themeId).map(Optional::of);
            }
            return current.compose(base -> {
                if (mode != Mode.CREATE && base.get().builtIn() && !onlyEnabled(mode, body, base.get())) {
                    return Future.failedFuture(readOnly(themeId));
                }
                ThemeDraft.Fields fields;
                try {
                    fields = ThemeDraft.apply(body, base.orElse(null), mode, themeId);
                } catch (ThemeDraft.InvalidTheme e) {
                    return Future.failedFuture(new Failure(FailureCode.INVALID_THEME, e.getMessage()).exception());
                }
                if (mode == Mode.CREATE) {
                    return repository.insert(conn, projectId, fields, false).compose(inserted -> inserted
                            ? repository.find(conn, projectId, fields.themeId()).map(Optional::get)
                            : Future.failedFuture(new Failure(FailureCode.THEME_EXISTS,
                                    "theme_id: a theme '" + fields.themeId() + "' already exists in this project").exception()));
                }
                boolean promptChanged = !fields.prompt().equals(base.get().prompt());
                return repository.update(conn, projectId, fields, promptChanged)
                        .compose(v -> repository.find(conn, projectId, fields.themeId()).map(Optional::get));
            });
        });
    }

    private Future<AnalysisTheme> delete(ThemeCommand.Delete d) {
        return repository.existing(d.projectId(), d.themeId()).compose(theme -> theme.builtIn()
                ? Future.failedFuture(readOnly(theme.themeId()))
                : repository.delete(d.projectId(), d.themeId()).map(v -> theme));
    }

    private Future<ThemeCommand.BaseFilters> setBaseFilters(ThemeCommand.SetBaseFilters s) {
        JsonNode filters = s.filters() == null || s.filters().isNull() ? JsonNodeFactory.instance.arrayNode() : s.filters();
        List<String> problems = Filters.problems(filters, "base_filters");
        if (!problems.isEmpty()) {
            return Future.failedFuture(new Failure(FailureCode.INVALID_FILTERS, String.join("; ", problems)).exception());
        }
        return repository.setProjectBaseFilters(s.projectId(), filters).map(v -> new ThemeCommand.BaseFilters(filters));
    }

    /**
     * Built-in themes are read-only, but a project may switch one on or off and choose its provider and model. A body
     * read with GET and sent back with only those edited passes: read-only fields and fields equal to the stored ones
     * change nothing. A PUT must carry every editable field, since any it left out would be reset.
     */
    private static boolean onlyEnabled(Mode mode, JsonNode body, AnalysisTheme theme) {
        if (mode == Mode.CREATE || body == null || !body.isObject() || body.isEmpty()) {
            return false;
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("enabled") && !f.equals("llm") && !ThemeDraft.READ_ONLY.contains(f) && !ThemeDraft.unchanged(theme, f, body.get(f))) {
                return false;
            }
        }
        return mode == Mode.PATCH || ThemeDraft.EDITABLE.stream().allMatch(body::has);
    }

    private static Failure.FailureException readOnly(String themeId) {
        return new Failure(FailureCode.BUILT_IN_THEME, "theme '" + themeId + "' is built in and read-only (only 'enabled' and 'llm' can be patched); "
                + "clone it with POST .../themes {\"clone_from\": \"" + themeId + "\", \"theme_id\": \"my_" + themeId + "\"}").exception();
    }

    @Override
    public Future<?> stop() {
        return verbs == null ? Future.succeededFuture() : Future.all(verbs.close(), scheduled.unregister());
    }
}
