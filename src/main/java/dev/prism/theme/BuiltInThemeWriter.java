package dev.prism.theme;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.prism.bus.AnalysisTheme;
import io.vertx.core.Future;

/**
 * Keeps every project's built-in themes in step with this version of Prism: missing ones are created, changed
 * definitions (name, description, filters, prompt, sample rate) replace the stored ones, and whether a project enabled
 * a built-in theme, and its provider and model, are kept.
 */
final class BuiltInThemeWriter {

    private BuiltInThemeWriter() {
    }

    /** Every project, one after the other (each in its own transaction). */
    static Future<Void> all(ThemeRepository repository) {
        return repository.projects().compose(projects -> {
            Future<Void> chain = Future.succeededFuture();
            for (String p : projects) {
                chain = chain.compose(v -> project(repository, p));
            }
            return chain;
        });
    }

    static Future<Void> project(ThemeRepository repository, String projectId) {
        return repository.pool().withTransaction(conn -> {
            Future<Void> chain = Future.succeededFuture();
            for (BuiltInThemes.Definition d : BuiltInThemes.ALL) {
                chain = chain.compose(v -> repository.find(conn, projectId, d.themeId()).compose(found -> {
                    ThemeDraft.Fields fields = new ThemeDraft.Fields(d.themeId(), d.name(), d.description(),
                            JsonNodeFactory.instance.arrayNode(), d.themeFilters(), d.sampleRate(),
                            d.themeId(), d.prompt(), ThemeDraft.defaultDateRange(), ThemeDraft.defaultClustering(),
                            ThemeDraft.defaultSchedule(), found.map(AnalysisTheme::enabled).orElse(true),
                            found.map(AnalysisTheme::llm).orElse(JsonNodeFactory.instance.objectNode()));
                    if (found.isEmpty()) {
                        return repository.insert(conn, projectId, fields, true).mapEmpty();
                    }
                    AnalysisTheme t = found.get();
                    boolean same = t.name().equals(d.name()) && t.description().equals(d.description())
                            && t.themeFilters().equals(d.themeFilters()) && t.prompt().equals(d.prompt()) && t.sampleRate() == d.sampleRate();
                    return same ? Future.succeededFuture() : repository.update(conn, projectId, fields, !t.prompt().equals(d.prompt()));
                }));
            }
            return chain;
        });
    }
}
