package dev.prism.theme;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.Failure;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.ThemeCommand.Mode;
import dev.prism.pricing.Pricing;
import dev.prism.store.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;

import java.util.Optional;

/**
 * Theme configuration per project: the built-in themes (kept in step with this version of Prism at every start,
 * without touching whether a project enabled them) and custom themes, with versioned prompts. Dispatch (streaming and
 * the sweep) hands completed trace versions to analysis; a later version is marked to keep a theme's earlier summary
 * when its new events cannot change that theme's answer ({@link Reanalysis}).
 *
 * <p>Consumes {@value Addresses#THEME_COMMAND}. Event loop only.
 */
public final class ThemeVerticle extends VerticleBase implements dev.prism.lifecycle.Quiescent {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ThemeVerticle.class);
    private final OutageLog sweepLog = new OutageLog(LOG, "Dispatch sweep");
    private final OutageLog dispatchLog = new OutageLog(LOG, "Streaming theme dispatch");

    private final ThemeRepository repository;
    private MessageConsumer<ThemeCommand> consumer;
    private MessageConsumer<dev.prism.bus.TraceScored> dispatch;
    private MessageConsumer<dev.prism.bus.ScheduledThemes.Query> scheduled;
    private long sweepTimer = -1;
    private boolean sweeping;
    private boolean stopping;
    private Future<Integer> currentSweep = Future.succeededFuture(0);

    /** How often the dispatch sweep looks for completed traces streaming dispatch may have missed. */
    static final long SWEEP_MILLIS = 10_000;
    /** A trace completed this recently is still in the streaming path; the sweep leaves it alone. */
    static final int SWEEP_SETTLE_SECONDS = 30;
    static final int SWEEP_BATCH = 500;

    private final int maxTraceChars;
    private final Pricing pricing;
    private final dev.prism.config.PrismConfig.Ingest ingest;
    private dev.prism.lifecycle.Pace pace;

    /**
     * @param apiPool       for statements behind REST requests (previews, property suggestions): they carry a statement timeout
     * @param maxTraceChars {@code llm.maxTraceChars}: previews estimate tokens with the cap analyses are sent with
     * @param pricing       the built-in and configured prices previews estimate cost with
     * @param ingest        how the dispatch sweep yields to ingestion
     */
    public ThemeVerticle(Pool pool, Pool apiPool, int maxTraceChars, Pricing pricing, dev.prism.config.PrismConfig.Ingest ingest) {
        this.repository = new ThemeRepository(pool, apiPool);
        this.maxTraceChars = maxTraceChars;
        this.pricing = pricing;
        this.ingest = ingest;
    }

    @Override
    public Future<?> start() {
        pace = dev.prism.lifecycle.Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        return repository.projects()
                .compose(projects -> {
                    Future<Void> all = Future.succeededFuture();
                    for (String p : projects) {
                        all = all.compose(v -> syncBuiltIns(p));
                    }
                    return all;
                })
                .onSuccess(v -> {
                    consumer = vertx.eventBus().consumer(Addresses.THEME_COMMAND, msg -> handle(msg.body()).onSuccess(reply -> {
                        if (changesThemes(msg.body())) {
                            plans.remove(msg.body().projectId()); // the next trace sees the change at once
                        }
                        msg.reply(reply);
                    }).onFailure(e -> Failure.reply(msg, e)));
                    scheduled = vertx.eventBus().consumer(Addresses.THEME_SCHEDULED, msg -> repository.scheduled()
                            .onSuccess(list -> msg.reply(new dev.prism.bus.ScheduledThemes.Result(list))).onFailure(e -> Failure.reply(msg, e)));
                    sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
                    // A trace whose dispatch fails (the store away) is left unmarked: the sweep dispatches it later.
                    // After relevance scoring: the built-in themes' filters read trace.relevance.<theme_id>.
                    dispatch = vertx.eventBus().consumer(Addresses.TRACE_SCORED, msg -> dispatch(msg.body())
                            .onSuccess(x -> dispatchLog.succeeded())
                            .onFailure(e -> {
                                if (dev.prism.store.StoreErrors.unavailable(e)) {
                                    dispatchLog.failed(e);
                                } else {
                                    LOG.warn("Theme dispatch failed for trace {}: {}", msg.body().formatted().traceId(), e.toString());
                                }
                            }));
                });
    }

    private Future<?> handle(ThemeCommand command) {
        if (command instanceof ThemeCommand.List l) {
            return repository.list(l.projectId()).map(ThemeCommand.Themes::new);
        }
        if (command instanceof ThemeCommand.Get g) {
            return existing(g.projectId(), g.themeId());
        }
        if (command instanceof ThemeCommand.Write w) {
            return write(w);
        }
        if (command instanceof ThemeCommand.RenderPrompt r) {
            return existing(r.projectId(), r.themeId()).map(t -> new ThemeCommand.RenderedPrompt(t.themeId(), t.name(), t.description(),
                    render(t, r.traceId(), r.traceName(), r.traceText()), t.promptVersion(), llmChoice(t, "provider"), llmChoice(t, "model")));
        }
        if (command instanceof ThemeCommand.ProjectFilters f) {
            if (f.filters() == null) {
                return repository.projectBaseFilters(f.projectId()).map(ThemeCommand.BaseFilters::new);
            }
            com.fasterxml.jackson.databind.JsonNode filters = f.filters().isNull()
                    ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode() : f.filters();
            java.util.List<String> problems = Filters.problems(filters, "base_filters");
            if (!problems.isEmpty()) {
                return Future.failedFuture(new Failure(400, "invalid_filters", String.join("; ", problems)).exception());
            }
            return repository.setProjectBaseFilters(f.projectId(), filters).map(v -> new ThemeCommand.BaseFilters(filters));
        }
        if (command instanceof ThemeCommand.PreviewDraft p) {
            return preview(p);
        }
        if (command instanceof ThemeCommand.SelectForRun r) {
            return selectForRun(r);
        }
        if (command instanceof ThemeCommand.SuggestProperties s) {
            return repository.propertyNames(s.projectId(), s.prefix() == null ? "" : s.prefix(), 50).map(ThemeCommand.Properties::new);
        }
        ThemeCommand.Delete d = (ThemeCommand.Delete) command;
        return existing(d.projectId(), d.themeId()).compose(theme -> theme.builtIn()
                ? Future.failedFuture(readOnly(theme.themeId()))
                : repository.delete(d.projectId(), d.themeId()).map(v -> theme));
    }

    private Future<AnalysisTheme> existing(String projectId, String themeId) {
        return repository.find(repository.pool(), projectId, themeId).compose(found -> found.isPresent()
                ? Future.succeededFuture(found.get())
                : Future.failedFuture(new Failure(404, "theme_not_found", "No theme '" + themeId + "' in project '" + projectId + "'").exception()));
    }

    private Future<AnalysisTheme> write(ThemeCommand.Write w) {
        return repository.pool().withTransaction(conn -> {
            Future<Optional<AnalysisTheme>> current;
            if (w.mode() == Mode.CREATE) {
                String source = w.body() != null && w.body().hasNonNull("clone_from") ? w.body().get("clone_from").asText() : null;
                current = source == null ? Future.succeededFuture(Optional.empty())
                        : existing(w.projectId(), source).map(Optional::of);
            } else {
                current = existing(w.projectId(), w.themeId()).map(Optional::of);
            }
            return current.compose(base -> {
                if (w.mode() != Mode.CREATE && base.get().builtIn() && !onlyEnabled(w, base.get())) {
                    return Future.failedFuture(readOnly(w.themeId()));
                }
                ThemeDraft.Fields fields;
                try {
                    fields = ThemeDraft.apply(w.body(), base.orElse(null), w.mode(), w.themeId());
                } catch (ThemeDraft.InvalidTheme e) {
                    return Future.failedFuture(new Failure(400, "invalid_theme", e.getMessage()).exception());
                }
                if (w.mode() == Mode.CREATE) {
                    return repository.insert(conn, w.projectId(), fields, false).compose(inserted -> inserted
                            ? repository.find(conn, w.projectId(), fields.themeId()).map(Optional::get)
                            : Future.failedFuture(new Failure(409, "theme_exists",
                                    "theme_id: a theme '" + fields.themeId() + "' already exists in this project").exception()));
                }
                boolean promptChanged = !fields.prompt().equals(base.get().prompt());
                return repository.update(conn, w.projectId(), fields, promptChanged)
                        .compose(v -> repository.find(conn, w.projectId(), fields.themeId()).map(Optional::get));
            });
        });
    }

    /**
     * What a draft would select over its date range, and what analysing that would cost against the naive plan of
     * sending every trace in range through the theme. Counting runs in SQL; sampling over the candidates in Java.
     */
    private Future<ThemeCommand.Preview> preview(ThemeCommand.PreviewDraft p) {
        long started = System.nanoTime();
        ThemeDraft.Fields draft;
        String model;
        Filters themeBase;
        Filters theme;
        try {
            model = p.body() != null && p.body().hasNonNull("model") ? p.body().get("model").asText() : Pricing.DEFAULT_MODEL;
            if (!pricing.known(model)) {
                throw new ThemeDraft.InvalidTheme(java.util.List.of("model: no price known for '" + model + "' (set one with llm.prices)"));
            }
            draft = ThemeDraft.forPreview(p.body());
            themeBase = Filters.parse(draft.baseFilters(), "base_filters");
            theme = Filters.parse(draft.themeFilters(), "theme_filters");
        } catch (ThemeDraft.InvalidTheme | InvalidFilterException e) {
            return Future.failedFuture(new Failure(400, "invalid_theme", e.getMessage()).exception());
        }
        java.time.Instant now = java.time.Instant.now();
        java.time.Instant from = DateRanges.resolve(draft.dateRange().path("date_from").asText("-7d"), now);
        java.time.Instant to = draft.dateRange().hasNonNull("date_to") ? DateRanges.resolve(draft.dateRange().get("date_to").asText(), now) : null;
        int promptChars = draft.prompt().length();
        return repository.projectBaseFilters(p.projectId()).compose(projectJson -> {
            Filters base = new Filters.Group(false, java.util.List.of(Filters.parse(projectJson, "project.base_filters"), themeBase));
            // Regular expressions over a week of traces: on the API's connections, whose statement timeout bounds them.
            return repository.rangeCounts(repository.apiPool(), p.projectId(), from, to, base)
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
                        long naiveInput = naiveCalls == 0 ? 0
                                : naiveCalls * Pricing.inputTokens(counts[2] / naiveCalls, promptChars, maxTraceChars);
                        long naiveOutput = naiveCalls * Pricing.OUTPUT_TOKENS_PER_CALL;
                        double naiveCost = pricing.cost(model, naiveInput, naiveOutput);
                        double savings = naiveCalls == 0 ? 0 : 1 - (naiveCost > 0 ? cost / naiveCost : (double) sampled / naiveCalls);
                        return new ThemeCommand.Preview(from, to, counts[0], counts[1], candidates.size(), sampled, sampled,
                                inputTokens, outputTokens, cost, model, naiveCalls, naiveInput, naiveOutput, naiveCost, savings,
                                (System.nanoTime() - started) / 1_000_000);
                    }));
        });
    }

    /**
     * The traces a run analyses: as the preview selects them, with the theme's stored filters and sampling, most
     * recent first. A bound that is not a valid date is a 400 naming it.
     */
    private Future<ThemeCommand.Selection> selectForRun(ThemeCommand.SelectForRun r) {
        return existing(r.projectId(), r.themeId()).compose(theme -> {
            java.time.Instant now = java.time.Instant.now();
            String fromText = r.dateFrom() != null ? r.dateFrom() : theme.dateRange().path("date_from").asText("-7d");
            String toText = r.dateTo() != null ? r.dateTo() : theme.dateRange().hasNonNull("date_to") ? theme.dateRange().get("date_to").asText() : null;
            java.time.Instant from = DateRanges.resolve(fromText, now);
            java.time.Instant to = toText == null ? now : DateRanges.resolve(toText, now);
            if (from == null || to == null) {
                return Future.failedFuture(new Failure(400, "invalid_date_range", (from == null ? "date_from" : "date_to")
                        + ": expected an ISO-8601 instant or a relative time such as -7d, -12h, -30m").exception());
            }
            Filters themeBase = Filters.parse(theme.baseFilters(), "base_filters");
            Filters filters = Filters.parse(theme.themeFilters(), "theme_filters");
            return repository.projectBaseFilters(r.projectId()).compose(projectJson -> {
                Filters base = new Filters.Group(false, java.util.List.of(Filters.parse(projectJson, "project.base_filters"), themeBase));
                return repository.rangeCounts(repository.pool(), r.projectId(), from, to, Filters.NONE)
                        .compose(counts -> repository.candidates(repository.pool(), r.projectId(), from, to, base, filters).map(candidates -> {
                            java.util.List<dev.prism.bus.RunTasks.TraceRef> sampled = new java.util.ArrayList<>();
                            for (ThemeRepository.Candidate c : candidates) {
                                if (Sampler.sampled(theme.sampleSeed(), c.traceId(), theme.sampleRate())
                                        && (r.limit() == 0 || sampled.size() < r.limit())) {
                                    sampled.add(new dev.prism.bus.RunTasks.TraceRef(c.traceId(), c.version()));
                                }
                            }
                            return new ThemeCommand.Selection(theme.themeId(), theme.promptVersion(), from, to, counts[0],
                                    candidates.size(), java.util.List.copyOf(sampled));
                        }));
            });
        });
    }

    /**
     * The safety net of streaming dispatch, which hands traces to analysis in memory: completed versions not yet marked
     * handled, once they have settled, go through the enabled themes' filters again (in SQL, which agrees with the
     * in-memory evaluation) and sampling, and their analyses are queued, then the versions are marked. Queueing is
     * idempotent, so a trace streaming already handled costs one filter query and nothing more.
     */
    private void sweep() {
        if (sweeping || stopping || !pace.mayStart()) {
            return; // while ingestion is busy the sweep's filter queries wait (the timer comes back)
        }
        sweeping = true;
        currentSweep = repository.undispatched(SWEEP_BATCH, SWEEP_SETTLE_SECONDS).compose(traces -> {
            java.util.Map<String, java.util.List<ThemeRepository.Undispatched>> byProject = new java.util.LinkedHashMap<>();
            traces.forEach(t -> byProject.computeIfAbsent(t.projectId(), k -> new java.util.ArrayList<>()).add(t));
            Future<Void> chain = Future.succeededFuture();
            for (var entry : byProject.entrySet()) {
                chain = chain.compose(v -> sweepProject(entry.getKey(), entry.getValue()))
                        .compose(v -> repository.markDispatched(entry.getValue()));
            }
            return chain.map(v -> traces.size());
        });
        currentSweep.onComplete(ar -> {
            sweeping = false;
            if (ar.failed()) {
                sweepLog.failed(ar.cause()); // nothing was marked: the next sweep takes the same traces
                return;
            }
            sweepLog.succeeded();
            if (ar.result() == SWEEP_BATCH) {
                vertx.runOnContext(v -> sweep()); // more waiting
            }
        });
    }

    private Future<Void> sweepProject(String projectId, java.util.List<ThemeRepository.Undispatched> traces) {
        return scoreUnscored(traces).compose(v -> filterAndQueue(projectId, traces));
    }

    /**
     * Traces streaming never scored (a stop between rendering and scoring, or the format stage leaving a burst to this
     * sweep) are scored before the filters run, since an unscored trace passes every built-in pre-filter. A few at a
     * time; one that still cannot be scored (the embedding model busy for half a minute) goes through unscored, as in
     * streaming: a trace is never held back.
     */
    private Future<Void> scoreUnscored(java.util.List<ThemeRepository.Undispatched> traces) {
        java.util.List<ThemeRepository.Undispatched> unscored = traces.stream().filter(t -> !t.scored()).toList();
        Future<Void> chain = Future.succeededFuture();
        for (int from = 0; from < unscored.size(); from += BACKFILL_PARALLELISM) {
            java.util.List<ThemeRepository.Undispatched> group = unscored.subList(from, Math.min(unscored.size(), from + BACKFILL_PARALLELISM));
            chain = chain.compose(v -> Future.join(group.stream()
                    .map(t -> vertx.eventBus().request(Addresses.RELEVANCE_BACKFILL, new dev.prism.bus.RelevanceBackfill(t.projectId(), t.traceId(), t.version()))
                            .onFailure(e -> LOG.debug("Trace {} v{} swept without relevance scores: {}", t.traceId(), t.version(), e.toString())))
                    .toList()).<Void>mapEmpty().recover(e -> Future.succeededFuture()));
        }
        return chain;
    }

    private static final int BACKFILL_PARALLELISM = 4;

    private Future<Void> filterAndQueue(String projectId, java.util.List<ThemeRepository.Undispatched> traces) {
        java.util.List<String> ids = traces.stream().map(ThemeRepository.Undispatched::traceId).toList();
        java.util.Map<String, java.util.List<String>> versionEvents = new java.util.HashMap<>();
        // By trace and version: a trace that completed another version since it was read is treated as new content.
        traces.forEach(t -> versionEvents.put(t.traceId() + '\n' + t.version(), t.versionEvents()));
        return plan(projectId).compose(plan -> {
            java.util.List<Future<?>> queued = new java.util.ArrayList<>();
            for (PlannedTheme p : plan.themes()) {
                AnalysisTheme theme = p.theme();
                Filters base = new Filters.Group(false, java.util.List.of(plan.project(), p.base()));
                queued.add(repository.candidatesAmong(projectId, ids, base, p.filters()).compose(candidates -> {
                    // As streaming dispatch decides: a version that brought nothing the theme reads keeps its earlier summary.
                    java.util.Map<Boolean, java.util.List<dev.prism.bus.RunTasks.TraceRef>> byKeep = candidates.stream()
                            .filter(c -> Sampler.sampled(theme.sampleSeed(), c.traceId(), theme.sampleRate()))
                            .collect(java.util.stream.Collectors.partitioningBy(
                                    c -> !Reanalysis.reanalyses(Reanalysis.change(c.version(), versionEvents.get(c.traceId() + '\n' + c.version())),
                                            theme.themeId(), theme.builtIn()),
                                    java.util.stream.Collectors.mapping(c -> new dev.prism.bus.RunTasks.TraceRef(c.traceId(), c.version()),
                                            java.util.stream.Collectors.toList())));
                    java.util.List<Future<?>> requests = new java.util.ArrayList<>();
                    for (boolean keep : new boolean[]{false, true}) {
                        if (!byKeep.get(keep).isEmpty()) {
                            requests.add(vertx.eventBus().request(Addresses.ANALYSIS_ENQUEUE, new dev.prism.bus.RunTasks.Enqueue(null, projectId,
                                    theme.themeId(), theme.promptVersion(), byKeep.get(keep), keep)));
                        }
                    }
                    return Future.all(requests);
                }));
            }
            return Future.all(queued).mapEmpty();
        });
    }

    /**
     * Streaming dispatch: a completed, rendered trace goes through every enabled theme's filters (project base, theme
     * base, theme) and sampling; the themes that select it are handed to analysis in one request.
     */
    private Future<Void> dispatch(dev.prism.bus.TraceScored scored) {
        dev.prism.bus.TraceFormatted t = scored.formatted();
        return plan(t.projectId())
                // Filters may run regular expressions over megabytes of messages, and rendering copies the trace text:
                // both stay off the event loop.
                .compose(plan -> vertx.executeBlocking(() -> plan.select(t, scored.relevance()), false))
                .map(selected -> {
                    if (!selected.isEmpty()) {
                        vertx.eventBus().publish(Addresses.ANALYSIS_REQUESTED, new dev.prism.bus.AnalysisRequest(t.projectId(), t.traceId(),
                                t.version(), t.trace(), t.text(), selected));
                    }
                    return null;
                });
    }

    /** How long a project's dispatch plan is reused: changes made through another instance show up within this. */
    static final long PLAN_TTL_MILLIS = 5_000;

    /** A project's enabled themes with their filters parsed once, and its base filters. */
    record DispatchPlan(Filters project, java.util.List<PlannedTheme> themes, long loadedAt) {

        java.util.List<dev.prism.bus.AnalysisRequest.ThemeSelection> select(dev.prism.bus.TraceFormatted t, java.util.Map<String, Double> relevance) {
            java.util.List<dev.prism.bus.AnalysisRequest.ThemeSelection> selected = new java.util.ArrayList<>();
            if (!matches(project, t, relevance, "project")) {
                return selected;
            }
            Reanalysis.Change change = Reanalysis.change(t.version(), t.versionEvents());
            for (PlannedTheme p : themes) {
                AnalysisTheme theme = p.theme();
                if (matches(p.base(), t, relevance, theme.themeId()) && matches(p.filters(), t, relevance, theme.themeId())
                        && Sampler.sampled(theme.sampleSeed(), t.traceId(), theme.sampleRate())) {
                    selected.add(new dev.prism.bus.AnalysisRequest.ThemeSelection(theme.themeId(), theme.name(), theme.description(),
                            render(theme, t.traceId(), t.trace().name(), t.text()), theme.promptVersion(), llmChoice(theme, "provider"),
                            llmChoice(theme, "model"), !Reanalysis.reanalyses(change, theme.themeId(), theme.builtIn())));
                }
            }
            return java.util.List.copyOf(selected);
        }

        private static boolean matches(Filters f, dev.prism.bus.TraceFormatted t, java.util.Map<String, Double> relevance, String whose) {
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

    private final java.util.Map<String, DispatchPlan> plans = new java.util.HashMap<>();

    /** The project's dispatch plan: from memory, or read again when older than the TTL or changed here. */
    private Future<DispatchPlan> plan(String projectId) {
        DispatchPlan cached = plans.get(projectId);
        long now = System.currentTimeMillis();
        if (cached != null && now - cached.loadedAt() < PLAN_TTL_MILLIS) {
            return Future.succeededFuture(cached);
        }
        return repository.projectBaseFilters(projectId).compose(projectJson -> repository.list(projectId).map(themes -> {
            java.util.List<PlannedTheme> planned = new java.util.ArrayList<>();
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
            DispatchPlan plan = new DispatchPlan(Filters.parse(projectJson, "project.base_filters"), java.util.List.copyOf(planned), now);
            plans.put(projectId, plan);
            return plan;
        }));
    }

    private static boolean changesThemes(ThemeCommand c) {
        return c instanceof ThemeCommand.Write || c instanceof ThemeCommand.Delete
                || c instanceof ThemeCommand.ProjectFilters f && f.filters() != null;
    }

    /** The theme's own provider or model, or null when the project's applies. */
    static String llmChoice(AnalysisTheme theme, String field) {
        return theme.llm() != null && theme.llm().hasNonNull(field) ? theme.llm().get(field).asText() : null;
    }

    /** The theme's prompt for one trace; the trace text is fenced as data by {@link PromptTemplate}. */
    static String render(AnalysisTheme theme, String traceId, String traceName, String text) {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        values.put("trace_text", text);
        values.put("theme_name", theme.name());
        values.put("theme_description", theme.description());
        values.put("trace_id", traceId);
        values.put("trace_name", traceName == null ? "" : traceName);
        return PromptTemplate.parse(theme.prompt()).render(values);
    }

    /**
     * Built-in themes are read-only, but a project may switch one on or off and choose its provider and model. A body
     * read with GET and sent back with only those edited passes: read-only fields and fields equal to the stored ones
     * change nothing. A PUT must carry every editable field, since any it left out would be reset.
     */
    private static boolean onlyEnabled(ThemeCommand.Write w, AnalysisTheme theme) {
        if (w.mode() == Mode.CREATE || w.body() == null || !w.body().isObject() || w.body().isEmpty()) {
            return false;
        }
        for (java.util.Iterator<String> it = w.body().fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("enabled") && !f.equals("llm") && !ThemeDraft.READ_ONLY.contains(f)
                    && !ThemeDraft.unchanged(theme, f, w.body().get(f))) {
                return false;
            }
        }
        return w.mode() == Mode.PATCH || ThemeDraft.EDITABLE.stream().allMatch(w.body()::has);
    }

    private static Failure.FailureException readOnly(String themeId) {
        return new Failure(403, "built_in_theme", "theme '" + themeId + "' is built in and read-only (only 'enabled' and 'llm' can be patched); "
                + "clone it with POST .../themes {\"clone_from\": \"" + themeId + "\", \"theme_id\": \"my_" + themeId + "\"}").exception();
    }

    /** Creates missing built-ins and brings existing ones to this version's definition, keeping their enabled flag. */
    private Future<Void> syncBuiltIns(String projectId) {
        return repository.pool().withTransaction(conn -> {
            Future<Void> chain = Future.succeededFuture();
            for (BuiltInThemes.Definition d : BuiltInThemes.ALL) {
                chain = chain.compose(v -> repository.find(conn, projectId, d.themeId()).compose(found -> {
                    ThemeDraft.Fields fields = new ThemeDraft.Fields(d.themeId(), d.name(), d.description(),
                            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode(), d.themeFilters(), d.sampleRate(),
                            d.themeId(), d.prompt(), ThemeDraft.defaultDateRange(), ThemeDraft.defaultClustering(),
                            ThemeDraft.defaultSchedule(), found.map(AnalysisTheme::enabled).orElse(true),
                            found.map(AnalysisTheme::llm).orElse(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
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

    /** The dispatch sweep queues analyses: it ends before analysis is undeployed. */
    @Override
    public Future<Void> quiesce() {
        return dev.prism.lifecycle.Quiescent.onContext(context, () -> {
            stopping = true;
            vertx.cancelTimer(sweepTimer);
            return currentSweep.otherwiseEmpty();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        vertx.cancelTimer(sweepTimer);
        if (dispatch != null) {
            dispatch.unregister();
            scheduled.unregister();
        }
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }
}
