package dev.prism.theme;

import dev.prism.bus.AnalysisRequest;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.TraceFormatted;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each project's dispatch plan (its enabled themes with their filters parsed once, and its base filters), kept for
 * {@link #TTL_MILLIS} so that a trace does not cost a theme query. One per verticle, used on its event loop only.
 */
final class DispatchPlanCache {

    private static final Logger LOG = LoggerFactory.getLogger(DispatchPlanCache.class);

    /** How long a plan is reused: changes made through another instance show up within this. */
    static final long TTL_MILLIS = 5_000;

    private final ThemeRepository repository;
    private final Map<String, Plan> plans = new HashMap<>();

    DispatchPlanCache(ThemeRepository repository) {
        this.repository = repository;
    }

    /** The project's plan: from memory, or read again when older than the TTL or forgotten. */
    Future<Plan> plan(String projectId) {
        Plan cached = plans.get(projectId);
        long now = System.currentTimeMillis();
        if (cached != null && now - cached.loadedAt() < TTL_MILLIS) {
            return Future.succeededFuture(cached);
        }
        return repository.projectBaseFilters(projectId).compose(projectJson -> repository.list(projectId).map(themes -> {
            List<PlannedTheme> planned = new ArrayList<>();
            for (AnalysisTheme theme : themes) {
                if (!theme.enabled()) {
                    continue;
                }
                try {
                    planned.add(new PlannedTheme(theme, Filters.parse(theme.baseFilters(), "base_filters"),
                            Filters.parse(theme.themeFilters(), "theme_filters")));
                } catch (RuntimeException e) {
                    LOG.warn("Theme {} left out of dispatch: {}", theme.themeId(), e.toString());
                }
            }
            Plan plan = new Plan(Filters.parse(projectJson, "project.base_filters"), List.copyOf(planned), now);
            plans.put(projectId, plan);
            return plan;
        }));
    }

    /** The project's themes changed: its next trace reads them again. */
    void forget(String projectId) {
        plans.remove(projectId);
    }

    record Plan(Filters project, List<PlannedTheme> themes, long loadedAt) {

        /**
         * The themes whose filters (project base, theme base, theme) and sampling select the trace, each with its prompt
         * rendered. Pure, and possibly slow (regular expressions over megabytes of messages): call it off the event loop.
         */
        List<AnalysisRequest.ThemeSelection> select(TraceFormatted t, Map<String, Double> relevance) {
            List<AnalysisRequest.ThemeSelection> selected = new ArrayList<>();
            if (!matches(project, t, relevance, "project")) {
                return selected;
            }
            Reanalysis.Change change = Reanalysis.change(t.version(), t.versionEvents());
            for (PlannedTheme p : themes) {
                AnalysisTheme theme = p.theme();
                if (matches(p.base(), t, relevance, theme.themeId()) && matches(p.filters(), t, relevance, theme.themeId())
                        && Sampler.sampled(theme.sampleSeed(), t.traceId(), theme.sampleRate())) {
                    selected.add(new AnalysisRequest.ThemeSelection(theme.themeId(), theme.name(), theme.description(),
                            ThemePrompts.render(theme, t.traceId(), t.trace().name(), t.text()), theme.promptVersion(),
                            ThemePrompts.llmChoice(theme, "provider"), ThemePrompts.llmChoice(theme, "model"),
                            !Reanalysis.reanalyses(change, theme.themeId(), theme.builtIn())));
                }
            }
            return List.copyOf(selected);
        }

        private static boolean matches(Filters f, TraceFormatted t, Map<String, Double> relevance, String whose) {
            try {
                return f.matches(t.trace(), relevance);
            } catch (RuntimeException e) {
                LOG.warn("Filters of {} skipped for trace {}: {}", whose, t.traceId(), e.toString());
                return false;
            }
        }
    }

    record PlannedTheme(AnalysisTheme theme, Filters base, Filters filters) {
    }
}
