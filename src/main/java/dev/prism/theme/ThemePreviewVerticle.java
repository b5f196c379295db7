package dev.prism.theme;

import dev.prism.bus.Addresses;
import dev.prism.bus.Failure;
import dev.prism.bus.FailureCode;
import dev.prism.bus.RunTasks;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.Verbs;
import dev.prism.pricing.Pricing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a theme would do with traces, without doing it: a draft's preview (what it selects over its date range and
 * what analysing that would cost), the traces a run of a stored theme analyses, and a theme's prompt for one trace.
 * Counting runs in SQL; sampling over the candidates in Java.
 *
 * <p>Consumes {@value Addresses#THEME_PREVIEW}, {@value Addresses#THEME_SELECT} and {@value Addresses#THEME_RENDER_PROMPT}.
 * Event loop only.
 */
public final class ThemePreviewVerticle extends VerticleBase {

    private final ThemeRepository repository;
    private final int maxTraceChars;
    private final Pricing pricing;
    private Verbs verbs;

    /**
     * @param apiPool       for previews, whose filters may run regular expressions over a week of traces: its statement
     *                      timeout bounds them
     * @param maxTraceChars {@code llm.maxTraceChars}: previews estimate tokens with the cap analyses are sent with
     * @param pricing       the built-in and configured prices previews estimate cost with
     */
    public ThemePreviewVerticle(Pool pool, Pool apiPool, int maxTraceChars, Pricing pricing) {
        this.repository = new ThemeRepository(pool, apiPool);
        this.maxTraceChars = maxTraceChars;
        this.pricing = pricing;
    }

    @Override
    public Future<?> start() {
        verbs = new Verbs(vertx)
                .on(Addresses.THEME_PREVIEW, this::preview)
                .on(Addresses.THEME_SELECT, this::select)
                .on(Addresses.THEME_RENDER_PROMPT, this::renderPrompt);
        return verbs.ready();
    }

    /** Against the naive plan of sending every trace in range through the theme. */
    private Future<ThemeCommand.Preview> preview(ThemeCommand.PreviewDraft p) {
        long started = System.nanoTime();
        ThemeDraft.Fields draft;
        String model;
        Filters themeBase;
        Filters theme;
        try {
            model = p.body() != null && p.body().hasNonNull("model") ? p.body().get("model").asText() : Pricing.DEFAULT_MODEL;
            if (!pricing.known(model)) {
                throw new ThemeDraft.InvalidTheme(List.of("model: no price known for '" + model + "' (set one with llm.prices)"));
            }
            draft = ThemeDraft.forPreview(p.body());
            themeBase = Filters.parse(draft.baseFilters(), "base_filters");
            theme = Filters.parse(draft.themeFilters(), "theme_filters");
        } catch (ThemeDraft.InvalidTheme | InvalidFilterException e) {
            return Future.failedFuture(new Failure(FailureCode.INVALID_THEME, e.getMessage()).exception());
        }
        Instant now = Instant.now();
        Instant from = DateRanges.resolve(draft.dateRange().path("date_from").asText("-7d"), now);
        Instant to = draft.dateRange().hasNonNull("date_to") ? DateRanges.resolve(draft.dateRange().get("date_to").asText(), now) : null;
        int promptChars = draft.prompt().length();
        return projectAnd(p.projectId(), themeBase).compose(base -> repository.rangeCounts(repository.apiPool(), p.projectId(), from, to, base)
                .compose(counts -> repository.candidates(repository.apiPool(), p.projectId(), from, to, base, theme).map(candidates -> {
                    long sampled = 0;
                    long inputTokens = 0;
                    for (ThemeRepository.Candidate c : candidates) {
                        if (Sampler.sampled(draft.sampleSeed(), c.traceId(), draft.sampleRate())) {
                            sampled++;
                            inputTokens += Pricing.inputTokens(c.contentChars(), promptChars, maxTraceChars);
                        }
                    }
                    long outputTokens = sampled * Pricing.OUTPUT_TOKENS_PER_CALL;
                    double cost = pricing.cost(model, inputTokens, outputTokens);
                    long naiveCalls = counts[0];
                    long naiveInput = naiveCalls == 0 ? 0 : naiveCalls * Pricing.inputTokens(counts[2] / naiveCalls, promptChars, maxTraceChars);
                    long naiveOutput = naiveCalls * Pricing.OUTPUT_TOKENS_PER_CALL;
                    double naiveCost = pricing.cost(model, naiveInput, naiveOutput);
                    double savings = naiveCalls == 0 ? 0 : 1 - (naiveCost > 0 ? cost / naiveCost : (double) sampled / naiveCalls);
                    return new ThemeCommand.Preview(from, to, counts[0], counts[1], candidates.size(), sampled, sampled,
                            inputTokens, outputTokens, cost, model, naiveCalls, naiveInput, naiveOutput, naiveCost, savings,
                            (System.nanoTime() - started) / 1_000_000);
                })));
    }

    /**
     * As the preview selects them, with the theme's stored filters and sampling, most recent first. A bound that is not
     * a valid date is a 400 naming it.
     */
    private Future<ThemeCommand.Selection> select(ThemeCommand.SelectForRun r) {
        return repository.existing(r.projectId(), r.themeId()).compose(theme -> {
            Instant now = Instant.now();
            String fromText = r.dateFrom() != null ? r.dateFrom() : theme.dateRange().path("date_from").asText("-7d");
            String toText = r.dateTo() != null ? r.dateTo() : theme.dateRange().hasNonNull("date_to") ? theme.dateRange().get("date_to").asText() : null;
            Instant from = DateRanges.resolve(fromText, now);
            Instant to = toText == null ? now : DateRanges.resolve(toText, now);
            if (from == null || to == null) {
                return Future.failedFuture(new Failure(FailureCode.INVALID_DATE_RANGE, (from == null ? "date_from" : "date_to")
                        + ": expected an ISO-8601 instant or a relative time such as -7d, -12h, -30m").exception());
            }
            Filters filters = Filters.parse(theme.themeFilters(), "theme_filters");
            return projectAnd(r.projectId(), Filters.parse(theme.baseFilters(), "base_filters"))
                    .compose(base -> repository.rangeCounts(repository.pool(), r.projectId(), from, to, Filters.NONE)
                            .compose(counts -> repository.candidates(repository.pool(), r.projectId(), from, to, base, filters).map(candidates -> {
                                List<RunTasks.TraceRef> sampled = new ArrayList<>();
                                for (ThemeRepository.Candidate c : candidates) {
                                    if (Sampler.sampled(theme.sampleSeed(), c.traceId(), theme.sampleRate())
                                            && (r.limit() == 0 || sampled.size() < r.limit())) {
                                        sampled.add(new RunTasks.TraceRef(c.traceId(), c.version()));
                                    }
                                }
                                return new ThemeCommand.Selection(theme.themeId(), theme.promptVersion(), from, to, counts[0],
                                        candidates.size(), List.copyOf(sampled));
                            })));
        });
    }

    /** The project's base filters and a theme's, both of which a trace must pass. */
    private Future<Filters> projectAnd(String projectId, Filters themeBase) {
        return repository.projectBaseFilters(projectId)
                .map(projectJson -> new Filters.Group(false, List.of(Filters.parse(projectJson, "project.base_filters"), themeBase)));
    }

    private Future<ThemeCommand.RenderedPrompt> renderPrompt(ThemeCommand.RenderPrompt r) {
        return repository.existing(r.projectId(), r.themeId()).map(t -> new ThemeCommand.RenderedPrompt(t.themeId(), t.name(), t.description(),
                ThemePrompts.render(t, r.traceId(), r.traceName(), r.traceText()), t.promptVersion(),
                ThemePrompts.llmChoice(t, "provider"), ThemePrompts.llmChoice(t, "model")));
    }

    @Override
    public Future<?> stop() {
        return verbs == null ? Future.succeededFuture() : verbs.close();
    }
}
