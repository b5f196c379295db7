package dev.prism.llm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisRequest;
import dev.prism.bus.Analyzed;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.DeadLetters;
import dev.prism.bus.Failure;
import dev.prism.bus.LlmCompletion;
import dev.prism.bus.LlmSettings;
import dev.prism.bus.RelevanceQuery;
import dev.prism.bus.RunTasks;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceQuery;
import dev.prism.bus.TraceText;
import dev.prism.bus.TraceTextQuery;
import dev.prism.llm.AnalysisTasks.Key;
import dev.prism.llm.AnalysisTasks.Task;
import dev.prism.store.OutageLog;
import dev.prism.store.StoreErrors;
import dev.prism.store.StoreRetry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses. Each request from theme dispatch becomes durable tasks (one per theme, trace version and prompt
 * version; idempotent); a claim loop leases due tasks, analyses them and stores each result once, then publishes it.
 * The request's trace and text are kept in memory for the streaming path; a task claimed without them (after a
 * restart, or queued by another instance) fetches them over the bus. Each task goes to the provider and model its
 * theme, else its project, else the server configuration names (or the offline analyzer), within the project's daily
 * budget and the theme's own, if it has one (a theme that spent its own pauses alone); a model without a price (built in or {@code llm.prices}) gets no paid call at all, its tasks waiting in the
 * queue. Other calls (cluster names) are stored in {@code llm_calls} and count in the day's spend. Stored summaries
 * are optionally forwarded to PostHog.
 *
 * <p>Consumes {@value Addresses#ANALYSIS_REQUESTED}, {@value Addresses#ANALYSIS_ENQUEUE} (a run's selection),
 * {@value Addresses#ANALYSIS_RUN_STATS}, {@value Addresses#ANALYSIS_NOW} (theme tests), {@value Addresses#LLM_SETTINGS},
 * {@value Addresses#SUMMARY_LIST}, {@value Addresses#SUMMARY_SCAN} (the embed sweep), {@value Addresses#THEME_SHARE} (alerts), {@value Addresses#ANALYSIS_BACKLOG}, {@value Addresses#THEME_CHANGED} (a theme's own budget) and
 * {@value Addresses#DEAD_LETTERS}; sends
 * {@value Addresses#TRACE_GET}, {@value Addresses#FORMAT_TEXT}, {@value Addresses#THEME_LIST}, {@value Addresses#THEME_RENDER_PROMPT},
 * {@value Addresses#RELEVANCE_SCORE} (the offline analyzer's verdict on user-language and custom themes); publishes
 * {@value Addresses#SUMMARY_CREATED}. Analysis runs on worker threads.
 */
public final class AnalysisVerticle extends VerticleBase implements dev.prism.lifecycle.Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(AnalysisVerticle.class);
    static final int CLAIM_BATCH = 32;
    static final long LEASE_MILLIS = 120_000;
    static final int MAX_ATTEMPTS = 5;
    /** How often budgets are checked: a project may overspend by what it analyses in this time. */
    static final long BUDGET_CHECK_MILLIS = 2_000;

    private final Pool pool;
    private final java.util.Optional<String> redisUrl;
    /** Rate limits and budgets across instances. */
    private SharedLimits limits;
    private final AnalysisTasks tasks;
    private final dev.prism.config.PrismConfig.Llm config;
    private Providers providers;
    /** Null unless summaries are forwarded to PostHog. */
    private PostHogForwarder forwarder;
    private final LlmSettingsStore settings;
    /** Projects' own provider, model and budget, refreshed with the budget check. */
    private Map<String, LlmSettingsStore.ProjectLlm> projectLlm = Map.of();
    private final BudgetGuard budgetGuard = new BudgetGuard();
    /** Themes' own budgets, keyed by {@link BudgetGuard#themeKey}: a theme that spent its own pauses only itself. */
    private final BudgetGuard themeGuard = new BudgetGuard();
    /** Themes' own daily budgets by {@link BudgetGuard#themeKey}, refreshed with the budget check. */
    private Map<String, Double> themeBudgets = Map.of();
    /**
     * How long a (project, theme) whose model has no price keeps its tasks out of claims before one is tried again: a
     * changed model or theme then shows within this, and a queue of thousands costs one postponed task per theme.
     */
    static final long PRICE_RECHECK_MILLIS = 60_000;
    /** (project, theme) pairs whose model has no price, until when their tasks stay out of claims. */
    private final Map<List<String>, Long> unpriced = new java.util.HashMap<>();
    private long budgetTimer = -1;
    private final String worker = "prism-" + UUID.randomUUID();
    /**
     * Contexts of requests this instance received, for the streaming path. Bounded by bytes (a context holds a whole
     * trace and its text, megabytes for a large one), not entries: while a provider stalls, requests keep coming and
     * their tasks wait in PostgreSQL, not here. A task another instance finishes never removes its entry, so entries
     * also age out; a missing entry only means a fetch over the bus.
     */
    private final Cache<Key, Context> pending;
    private long timer = -1;
    private boolean claiming;
    private int inFlight;
    private Future<List<Task>> lastClaim;
    private boolean claimAgain;
    private boolean stopping;
    /**
     * A failed analysis waits 1 s, 2 s, 4 s … (from its second failure; five minutes at most), or what the provider's
     * Retry-After asked for, up to five minutes too.
     */
    private static final dev.prism.common.Backoff RETRY = new dev.prism.common.Backoff(1_000, 300_000, 300_000);
    private final OutageLog claimLog = new OutageLog(LOG, "Analysis claim");
    private final OutageLog budgetLog = new OutageLog(LOG, "Budget check");
    private final OutageLog enqueueLog = new OutageLog(LOG, "Queueing streamed analyses");

    /** What the analyzer needs for a task. */
    private record Context(AssembledTrace trace, String text, AnalysisRequest.ThemeSelection theme) {
    }

    private final dev.prism.config.PrismConfig.Ingest ingest;
    private dev.prism.lifecycle.Pace pace;
    /** Offline analyses are CPU work: a pool of half the cores, so they never take the cores ingestion runs on. */
    private io.vertx.core.WorkerExecutor offlineWorkers;

    public AnalysisVerticle(Pool pool, dev.prism.config.PrismConfig.Llm config, dev.prism.config.PrismConfig.Ingest ingest) {
        this(pool, config, ingest, java.util.Optional.empty());
    }

    /** @param redisUrl where the instances' shared rate limits and budgets are counted; absent: in PostgreSQL */
    public AnalysisVerticle(Pool pool, dev.prism.config.PrismConfig.Llm config, dev.prism.config.PrismConfig.Ingest ingest,
                            java.util.Optional<String> redisUrl) {
        this.redisUrl = redisUrl;
        this.pool = pool;
        this.tasks = new AnalysisTasks(pool);
        this.settings = new LlmSettingsStore(pool);
        this.config = config;
        this.ingest = ingest;
        // Themes of one request share its trace and text, so this over-counts them: the bound errs on the safe side.
        this.pending = Caffeine.newBuilder().maximumWeight(config.contextCacheBytes())
                .weigher((Key k, Context c) -> contextBytes(c)).expireAfterWrite(Duration.ofMinutes(10)).build();
    }

    /** Roughly the heap a context holds: its text (two bytes a character) and the parsed trace it was rendered from. */
    static int contextBytes(Context c) {
        long text = c.text() == null ? 0 : c.text().length();
        return (int) Math.min(Integer.MAX_VALUE, 1_024 + 4 * text);
    }

    @Override
    public Future<?> start() {
        pace = dev.prism.lifecycle.Pace.listen(vertx, ingest.busyShare(), ingest.yieldMillis());
        offlineWorkers = vertx.createSharedWorkerExecutor("prism-offline-analysis", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        providers = new Providers(vertx, config);
        limits = new SharedLimits(redisUrl.<SharedCounters>map(url -> new RedisCounters(vertx, url)).orElseGet(() -> new PgCounters(pool)),
                config.requestsPerMinute(), config.tokensPerMinute(), System::currentTimeMillis);
        if (config.posthog().host().isPresent()) {
            forwarder = new PostHogForwarder(vertx, pool, config.posthog().host().get(), config.posthog().apiKey().orElse(""));
            LOG.info("Forwarding summaries to PostHog at {}", config.posthog().host().get());
        }
        if (!config.provider().equals(Providers.OFFLINE)) {
            LOG.info("Analysis provider: {} ({}), {} calls in flight at most", config.provider(), providers.defaultModel(config.provider()),
                    config.maxConcurrent());
            if (!config.pricing().known(providers.defaultModel(config.provider()))) {
                LOG.warn("No price known for model '{}': paid analyses with it wait in the queue. Name its price in llm.prices "
                        + "(PRISM_LLM_PRICES, e.g. '{}=0/0' for a local model)", providers.defaultModel(config.provider()),
                        providers.defaultModel(config.provider()));
            }
        }
        vertx.eventBus().<LlmSettings>consumer(Addresses.LLM_SETTINGS, msg -> llmSettings(msg.body())
                .onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<LlmCompletion>consumer(Addresses.LLM_COMPLETE, msg -> complete(msg.body())
                .onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        budgetTimer = vertx.setPeriodic(BUDGET_CHECK_MILLIS, id -> checkBudgets());
        // A theme's own budget saved here applies at once, not at the next check (other instances: within the period).
        vertx.eventBus().consumer(Addresses.THEME_CHANGED, msg -> checkBudgets());
        vertx.eventBus().<AnalysisRequest>consumer(Addresses.ANALYSIS_REQUESTED, msg -> enqueue(msg.body()));
        vertx.eventBus().<SummaryQuery>consumer(Addresses.SUMMARY_LIST, msg -> {
            SummaryQuery q = msg.body();
            if (q.limit() < 1 || q.limit() > 1_000) {
                Failure.reply(msg, new Failure(400, "invalid_limit", "limit must be from 1 to 1000").exception());
                return;
            }
            Future<SummaryQuery.Summaries> page;
            try {
                page = tasks.summaries(q);
            } catch (IllegalArgumentException e) {
                Failure.reply(msg, new Failure(400, "invalid_cursor", e.getMessage()).exception());
                return;
            }
            page.onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e));
        });
        vertx.eventBus().<dev.prism.bus.SummaryScan>consumer(Addresses.SUMMARY_SCAN, msg -> {
            dev.prism.bus.SummaryScan q = msg.body();
            if (q.limit() < 1 || q.limit() > 1_000) {
                Failure.reply(msg, new Failure(400, "invalid_limit", "limit must be from 1 to 1000").exception());
                return;
            }
            tasks.scan(q).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e));
        });
        vertx.eventBus().<dev.prism.bus.ThemeShare>consumer(Addresses.THEME_SHARE, msg -> tasks.themeShare(msg.body())
                .onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<dev.prism.bus.AnalysisBacklog>consumer(Addresses.ANALYSIS_BACKLOG, msg -> tasks.backlog()
                .onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<DeadLetters>consumer(Addresses.DEAD_LETTERS, msg -> deadLetters(msg.body())
                .onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<RunTasks.Enqueue>consumer(Addresses.ANALYSIS_ENQUEUE, msg -> {
            RunTasks.Enqueue e = msg.body();
            List<Key> keys = e.traces().stream().map(t -> new Key(e.projectId(), e.themeId(), t.traceId(), t.version(), e.promptVersion())).toList();
            tasks.enqueue(keys, e.runId(), k -> e.keepEarlierSummary()).onSuccess(n -> {
                msg.reply(n);
                claim();
            }).onFailure(err -> Failure.reply(msg, err));
        });
        vertx.eventBus().<RunTasks.StatsQuery>consumer(Addresses.ANALYSIS_RUN_STATS, msg -> tasks.runStats(msg.body().runIds())
                .onSuccess(stats -> msg.reply(new RunTasks.Stats(stats))).onFailure(e -> Failure.reply(msg, e)));
        vertx.eventBus().<RunTasks.AnalyzeNow>consumer(Addresses.ANALYSIS_NOW, msg -> analyzeNow(msg.body())
                .onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e)));
        timer = vertx.setPeriodic(500, id -> claim());
        return checkBudgets().compose(v -> forwarder == null ? Future.succeededFuture() : forwarder.start());
    }

    /** Reads projects' LLM choices and which projects spent their budget today; their tasks then wait in the queue. */
    private Future<Void> checkBudgets() {
        return settings.all().compose(all -> settings.budgets(config.dailyBudgetUsd().orElse(null)).compose(this::withReserved)
                .compose(found -> settings.themeBudgets().compose(this::withThemesReserved).map(themes -> {
                    projectLlm = all;
                    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
                    budgetGuard.read(found, today).forEach(AnalysisVerticle::logPaused);
                    Map<String, Double> budgets = new java.util.HashMap<>();
                    themes.forEach((k, b) -> budgets.put(k, b.dailyUsd()));
                    themeBudgets = budgets;
                    themeGuard.read(themes, today).forEach(AnalysisVerticle::logThemePaused);
                    return (Void) null;
                }))).onSuccess(v -> budgetLog.succeeded()).onFailure(budgetLog::failed);
    }

    /** As {@link #withReserved}, for themes' own days. */
    private Future<Map<String, BudgetGuard.Budget>> withThemesReserved(Map<String, BudgetGuard.Budget> found) {
        Map<String, BudgetGuard.Budget> out = new java.util.concurrent.ConcurrentHashMap<>(found);
        List<Future<Void>> each = new ArrayList<>();
        found.forEach((key, b) -> {
            String[] pt = BudgetGuard.theme(key);
            each.add(limits.themeSpentAtLeast(pt[0], pt[1], b.spentTodayUsd()).compose(v -> limits.themeSpentToday(pt[0], pt[1]))
                    .map(shared -> {
                        out.put(key, new BudgetGuard.Budget(b.dailyUsd(), Math.max(b.spentTodayUsd(), shared)));
                        return (Void) null;
                    }));
        });
        return Future.join(each).map(out).otherwise(out);
    }

    /** The theme's own daily budget, null for none (the project's alone applies). */
    private Double themeBudgetOf(String projectId, String themeId) {
        return themeId == null ? null : themeBudgets.get(BudgetGuard.themeKey(projectId, themeId));
    }

    private boolean themePaused(String projectId, String themeId) {
        return themeId != null && themeGuard.paused(BudgetGuard.themeKey(projectId, themeId));
    }

    /**
     * The budgets with what every instance reserved for calls in flight: a project is paused here as soon as the shared
     * day is taken, not once the others' results are stored. The shared day is raised to the stored spend first.
     */
    private Future<Map<String, BudgetGuard.Budget>> withReserved(Map<String, BudgetGuard.Budget> found) {
        Map<String, BudgetGuard.Budget> out = new java.util.concurrent.ConcurrentHashMap<>(found);
        List<Future<Void>> each = new ArrayList<>();
        found.forEach((project, b) -> each.add(limits.spentAtLeast(project, b.spentTodayUsd()).compose(v -> limits.spentToday(project))
                .map(shared -> {
                    out.put(project, new BudgetGuard.Budget(b.dailyUsd(), Math.max(b.spentTodayUsd(), shared)));
                    return (Void) null;
                })));
        // Counters out of reach: the stored figures alone, as without them.
        return Future.join(each).map(out).otherwise(out);
    }

    /** The project's daily budget: its own, else the server's; null for none. */
    private Double budgetOf(String projectId) {
        Double own = projectLlm.getOrDefault(projectId, LlmSettingsStore.ProjectLlm.NONE).dailyBudgetUsd();
        return own != null ? own : config.dailyBudgetUsd().orElse(null);
    }

    /** A paid call within the instances' shared limits; a budget found spent by them pauses the project here too. */
    private <T> Future<T> shared(String projectId, String themeId, String provider, String model, String system, String prompt, int maxTokens,
                                 java.util.function.Supplier<Future<T>> call, java.util.function.ToDoubleFunction<T> costOf) {
        long input = (system.length() + (prompt == null ? 0 : prompt.length())) / dev.prism.pricing.Pricing.CHARS_PER_TOKEN;
        double estimate = config.pricing().cost(model, input, maxTokens);
        Double budget = budgetOf(projectId);
        Double themeBudget = themeBudgetOf(projectId, themeId);
        return limits.call(projectId, themeId, budget, themeBudget, provider, input + maxTokens, Double.isNaN(estimate) ? 0 : estimate, call, costOf)
                .onFailure(e -> {
                    if (e instanceof SharedLimits.BudgetReached r) {
                        if (r.project && budgetGuard.exhausted(projectId, budget, limits.today())) {
                            logPaused(projectId);
                        }
                        String key = themeId == null ? null : BudgetGuard.themeKey(projectId, themeId);
                        if (r.theme && themeGuard.exhausted(key, themeBudget, limits.today())) {
                            logThemePaused(key);
                        }
                    }
                });
    }

    private static void logThemePaused(String themeKey) {
        String[] pt = BudgetGuard.theme(themeKey);
        LOG.info("Project {} theme {} reached its own daily LLM budget: its analyses wait until midnight UTC", pt[0], pt[1]);
    }

    private static void logPaused(String projectId) {
        LOG.info("Project {} reached its daily LLM budget: its analyses wait until midnight UTC", projectId);
    }

    private Future<LlmSettings.Status> llmSettings(LlmSettings command) {
        String projectId = command.projectId();
        if (command instanceof LlmSettings.Update u) {
            LlmSettingsStore.ProjectLlm wanted;
            try {
                wanted = parseSettings(u.body());
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(new Failure(400, "invalid_llm_settings", e.getMessage()).exception());
            }
            // A new model may have a price: the project's waiting themes are tried again at once.
            unpriced.keySet().removeIf(k -> k.get(0).equals(projectId));
            return settings.put(projectId, wanted).compose(v -> checkBudgets()).compose(v -> status(projectId));
        }
        return status(projectId);
    }

    private static LlmSettingsStore.ProjectLlm parseSettings(com.fasterxml.jackson.databind.JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("body: expected {\"provider\", \"model\", \"daily_budget_usd\"} (each may be null)");
        }
        List<String> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!List.of("provider", "model", "daily_budget_usd").contains(f)) {
                problems.add(f + ": unknown field; known: daily_budget_usd, model, provider");
            }
        });
        com.fasterxml.jackson.databind.JsonNode p = body.path("provider");
        if (!p.isMissingNode() && !p.isNull() && !(p.isTextual() && List.of("offline", "openai", "anthropic", "gemini").contains(p.asText()))) {
            problems.add("provider: expected one of anthropic, gemini, offline, openai, or null");
        }
        com.fasterxml.jackson.databind.JsonNode m = body.path("model");
        if (!m.isMissingNode() && !m.isNull() && !(m.isTextual() && !m.asText().isBlank() && m.asText().length() <= 200)) {
            problems.add("model: expected a model name or null");
        }
        com.fasterxml.jackson.databind.JsonNode b = body.path("daily_budget_usd");
        if (!b.isMissingNode() && !b.isNull() && !(b.isNumber() && b.asDouble() >= 0)) {
            problems.add("daily_budget_usd: expected a number of USD, 0 or more, or null for no budget");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new LlmSettingsStore.ProjectLlm(p.isTextual() ? p.asText() : null, m.isTextual() ? m.asText() : null,
                b.isNumber() ? b.asDouble() : null);
    }

    private Future<LlmSettings.Status> status(String projectId) {
        LlmSettingsStore.ProjectLlm own = projectLlm.getOrDefault(projectId, LlmSettingsStore.ProjectLlm.NONE);
        String provider = own.provider() != null ? own.provider() : config.provider();
        String model = own.model() != null && provider.equals(own.provider()) ? own.model()
                : own.model() != null && own.provider() == null ? own.model() : providers.defaultModel(provider);
        Double budget = own.dailyBudgetUsd() != null ? own.dailyBudgetUsd() : config.dailyBudgetUsd().orElse(null);
        Future<List<dev.prism.bus.AnalysisTheme>> themeList = vertx.eventBus()
                .<ThemeCommand.Themes>request(Addresses.THEME_LIST, new ThemeCommand.List(projectId)).map(m -> m.body().themes())
                .recover(e -> {
                    LOG.debug("Themes of project {} not listed for its LLM status: {}", projectId, e.toString());
                    return Future.succeededFuture(List.of());
                });
        Future<Double> other = settings.otherSpendToday(projectId);
        return Future.all(settings.spend(projectId), themeList, other).map(all -> {
            List<LlmSettings.ThemeSpend> spent = all.resultAt(0);
            double today = spent.stream().mapToDouble(LlmSettings.ThemeSpend::costTodayUsd).sum() + other.result();
            // Also when the rest of the budget cannot hold the next call's estimated cost.
            boolean paused = budget != null && (today >= budget || budgetGuard.paused(projectId));
            Instant midnight = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            List<String> reachable = java.util.stream.Stream.of("offline", "openai", "anthropic", "gemini").filter(providers::configured).toList();
            boolean offline = Providers.OFFLINE.equals(provider);
            dev.prism.pricing.Pricing.Price price = offline ? new dev.prism.pricing.Pricing.Price(0, 0, 0, 0) : config.pricing().price(model);
            String budgetReason = "today's spend reached the daily budget of $" + (budget == null ? "" : java.math.BigDecimal.valueOf(budget).toPlainString())
                    + "; analyses wait in the queue until midnight UTC";
            String state = paused ? LlmSettings.PAUSED_BUDGET : price == null ? LlmSettings.PAUSED_PRICE : LlmSettings.ACTIVE;
            String reason = paused ? budgetReason : price == null ? unpricedReason(provider, model) : null;
            java.util.Map<String, LlmSettings.ThemeSpend> themes = new java.util.TreeMap<>();
            spent.forEach(t -> themes.put(t.themeId(), t));
            for (dev.prism.bus.AnalysisTheme t : all.<List<dev.prism.bus.AnalysisTheme>>resultAt(1)) {
                themes.putIfAbsent(t.themeId(), new LlmSettings.ThemeSpend(t.themeId(), 0, 0, 0, 0, 0, 0));
                Choice c = choose(projectId, new AnalysisRequest.ThemeSelection(t.themeId(), t.name(), t.description(), null, 0,
                        llmChoice(t, "provider"), llmChoice(t, "model")));
                boolean unpricedTheme = !Providers.OFFLINE.equals(c.provider()) && !config.pricing().known(c.model());
                Double themeBudget = t.llm() != null && t.llm().path("daily_budget_usd").isNumber() ? t.llm().get("daily_budget_usd").asDouble() : null;
                LlmSettings.ThemeSpend ts = themes.get(t.themeId());
                boolean themePaused = !paused && themeBudget != null && (ts.costTodayUsd() >= themeBudget || themePaused(projectId, t.themeId()));
                String themeState = paused || themePaused ? LlmSettings.PAUSED_BUDGET : unpricedTheme ? LlmSettings.PAUSED_PRICE : LlmSettings.ACTIVE;
                String themeReason = paused ? budgetReason
                        : themePaused ? "this theme's spend today reached its own daily budget of $" + java.math.BigDecimal.valueOf(themeBudget).toPlainString()
                        + "; its analyses wait in the queue until midnight UTC, the other themes go on"
                        : unpricedTheme ? unpricedReason(c.provider(), c.model()) : null;
                themes.put(t.themeId(), ts.with(c.provider(), c.model(), themeState, themeReason).withBudget(themeBudget));
            }
            return new LlmSettings.Status(provider, model, own.provider() != null, budget, own.dailyBudgetUsd() != null, today, paused,
                    paused ? midnight : null, reachable, List.copyOf(themes.values()), state, reason, price, other.result());
        });
    }

    private static String unpricedReason(String provider, String model) {
        return "no price is known for model '" + model + "' (" + provider + "), so its cost could not be counted against a budget: "
                + "paid analyses wait in the queue until llm.prices names the model or another model is chosen";
    }

    /** A theme's own provider or model, or null when the project's applies. */
    private static String llmChoice(dev.prism.bus.AnalysisTheme theme, String field) {
        return theme.llm() != null && theme.llm().hasNonNull(field) ? theme.llm().get(field).asText() : null;
    }

    /** Provider and model for a task: the theme's own, else the project's, else the server's configuration. */
    private record Choice(String provider, String model) {
    }

    private Choice choose(String projectId, AnalysisRequest.ThemeSelection theme) {
        LlmSettingsStore.ProjectLlm own = projectLlm.getOrDefault(projectId, LlmSettingsStore.ProjectLlm.NONE);
        String projectProvider = own.provider() != null ? own.provider() : config.provider();
        String provider = theme.provider() != null ? theme.provider() : projectProvider;
        String model = theme.model() != null ? theme.model()
                : provider.equals(projectProvider) && own.model() != null ? own.model() : providers.defaultModel(provider);
        return new Choice(provider, model);
    }

    /** Analyses one task's context with the chosen provider, or offline. */
    private Future<AnalysisTasks.Result> analyze(String projectId, Context ctx) {
        String themeId = ctx.theme().themeId();
        if (budgetGuard.paused(projectId) || themePaused(projectId, themeId)) {
            // Claimed before the budget ran out: back to the queue without an attempt, no call made.
            return Future.failedFuture(new ProviderAnalyzer.Postponed(BUDGET_CHECK_MILLIS * 15));
        }
        Choice choice = choose(projectId, ctx.theme());
        ProviderAnalyzer analyzer = providers.get(choice.provider());
        if (analyzer == null) {
            return offline(projectId, ctx);
        }
        if (!analyzer.priced(choice.model())) {
            // Fail closed: a call whose cost cannot be counted would spend past any budget unseen.
            if (ctx.theme().themeId() != null
                    && unpriced.put(List.of(projectId, ctx.theme().themeId()), System.currentTimeMillis() + PRICE_RECHECK_MILLIS) == null) {
                LOG.warn("Project {} theme {}: no price known for model '{}' ({}); its analyses wait until llm.prices names one or the model changes",
                        projectId, ctx.theme().themeId(), choice.model(), choice.provider());
            }
            // Due again soon: the pair's exclusion from claims is what spaces out the checks, and it is lifted at once when
            // the project's settings change.
            return Future.failedFuture(new ProviderAnalyzer.PriceUnknown(choice.provider(), choice.model(), 1_000));
        }
        return shared(projectId, themeId, choice.provider(), choice.model(), ProviderAnalyzer.SYSTEM, ctx.theme().prompt(), ProviderAnalyzer.MAX_ANSWER_TOKENS,
                () -> analyzer.analyze(ctx.theme().prompt(), choice.model(), ctx.theme().name(),
                        () -> !budgetGuard.paused(projectId) && !themePaused(projectId, themeId)),
                AnalysisTasks.Result::costUsd);
    }

    /** The (project, theme) pairs whose tasks stay queued for want of a price; expired entries are dropped. */
    private List<String[]> unpricedThemes() {
        long now = System.currentTimeMillis();
        unpriced.values().removeIf(until -> until <= now);
        return unpriced.keySet().stream().map(k -> new String[]{k.get(0), k.get(1)}).toList();
    }


    private Future<Object> deadLetters(DeadLetters command) {
        if (command instanceof DeadLetters.Requeue r) {
            return tasks.requeueDead(r.projectId(), r.ids()).map(n -> {
                claim();
                return new DeadLetters.Requeued(n);
            });
        }
        DeadLetters.List l = (DeadLetters.List) command;
        return tasks.deadLetters(l.projectId(), Math.max(1, Math.min(l.limit(), 1_000)), l.afterId()).map(list -> new DeadLetters.Listed(list.stream()
                .map(d -> new DeadLetters.Entry(d.id(), d.key().themeId(), d.key().traceId(), d.key().traceVersion(), d.key().promptVersion(),
                        d.attempts(), d.lastError(), d.rawReply()))
                .toList()));
    }

    private void enqueue(AnalysisRequest r) {
        List<Key> keys = new ArrayList<>();
        java.util.Set<Key> keepEarlier = new java.util.HashSet<>();
        for (AnalysisRequest.ThemeSelection t : r.themes()) {
            Key key = new Key(r.projectId(), t.themeId(), r.traceId(), r.traceVersion(), t.promptVersion());
            keys.add(key);
            if (t.keepEarlierSummary()) {
                // Usually not queued at all: no context held for it (a task that is queued fetches its own).
                keepEarlier.add(key);
            } else {
                pending.put(key, new Context(r.trace(), r.text(), t));
            }
        }
        // Lost in an outage, they are queued by theme dispatch's sweep once the store is back.
        tasks.enqueue(keys, null, keepEarlier::contains).onSuccess(n -> {
            enqueueLog.succeeded();
            claim();
        }).onFailure(enqueueLog::failed);
    }

    /**
     * Tasks held at most: twice as many as provider calls may be in flight (at least a batch of worker-thread analyses
     * offline). Half as many again keeps the next tasks' trace and prompt ready when a call slot frees; the other half
     * covers the themes of a trace waiting for its first call to warm the provider's prompt cache, which hold a task but
     * no call slot (flow control still admits no more than the provider's concurrency).
     */
    private int capacity() {
        return Math.max(CLAIM_BATCH, 2 * config.maxConcurrent());
    }

    /**
     * Keeps up to {@link #capacity()} analyses in flight: claims as many tasks as there are free slots, and claims
     * again as analyses finish, so the provider never waits for a whole batch (a batch is as slow as its slowest
     * call). One claim at a time; a request for another meanwhile is remembered and served when it returns.
     */
    private void claim() {
        if (stopping) {
            return;
        }
        int free = capacity() - inFlight;
        if (claiming || free <= 0) {
            claimAgain |= claiming;
            return;
        }
        if (!pace.mayStart()) {
            return; // ingestion is busy: the tasks wait in PostgreSQL, the periodic claim comes back
        }
        claiming = true;
        claimAgain = false;
        List<String[]> pausedThemes = new ArrayList<>(unpricedThemes());
        themeGuard.pausedProjects().forEach(k -> pausedThemes.add(BudgetGuard.theme(k)));
        lastClaim = tasks.claim(worker, free, LEASE_MILLIS, budgetGuard.pausedProjects(), pausedThemes);
        lastClaim.onComplete(ar -> {
            claiming = false;
            if (ar.failed()) {
                claimLog.failed(ar.cause()); // the timer claims again; the tasks wait in PostgreSQL
                return;
            }
            claimLog.succeeded();
            if (stopping) {
                return; // stop() hands these back once this claim has landed
            }
            List<Task> claimed = ar.result();
            inFlight += claimed.size();
            for (Task task : claimed) {
                run(task).onComplete(done -> {
                    inFlight--;
                    claim(); // calls finishing during a claim are served together by the next one
                });
            }
            if (claimAgain) {
                claim(); // work arrived while this claim ran
            }
        });
    }

    private Future<Void> run(Task task) {
        return context(task)
                .compose(ctx -> analyze(task.key().projectId(), ctx))
                .map(result -> {
                    // Counted as the reply arrives, before the write: no call waiting for the slot this one freed
                    // starts on a budget it already spent.
                    if (budgetGuard.spent(task.key().projectId(), result.costUsd(), config.dailyBudgetUsd().orElse(null))) {
                        logPaused(task.key().projectId());
                    }
                    String themeKey = BudgetGuard.themeKey(task.key().projectId(), task.key().themeId());
                    if (themeBudgets.containsKey(themeKey) && themeGuard.spent(themeKey, result.costUsd(), null)) {
                        logThemePaused(themeKey);
                    }
                    return result;
                })
                // The call is paid for: a store that is away for a while must not make us lose its result (the lease
                // would run out and the task be analysed, and paid, again), so the write waits for it, within the lease.
                .compose(result -> store(task, result).map(stored -> {
                    pending.invalidate(task.key());
                    // A summary a later version already superseded is kept (it was paid for) but not announced: it must
                    // not enter the vector index or the clusters in place of the version that counts. Nor is one that
                    // lands while the server stops: its consumers are being undeployed (an announcement racing an
                    // unregistering consumer is dropped with a warning), and embedding's start-up sweep finds it stored.
                    if (stored.written() && stored.supersededByVersion() == null && !stopping) {
                        Key k = task.key();
                        SummaryCreated created = new SummaryCreated(k.projectId(), k.themeId(), k.traceId(),
                                k.traceVersion(), k.promptVersion(), result.themeRelevant(), result.title(), result.summary(),
                                result.severity(), result.model(), result.inputTokens(), result.outputTokens(), result.costUsd(),
                                result.latencyMillis(), Instant.now(), result.embedText());
                        vertx.eventBus().publish(Addresses.SUMMARY_CREATED, created);
                    }
                    return (Void) null;
                }))
                .recover(e -> {
                    if (e instanceof ProviderAnalyzer.Postponed p) {
                        return StoreRetry.whileUnavailable(vertx, () -> tasks.postpone(task.id(), worker, Instant.now().plusMillis(p.waitMillis)),
                                LEASE_MILLIS / 2).mapEmpty();
                    }
                    if (!(e instanceof ProviderAnalyzer.Failed) && StoreErrors.unavailable(e)) {
                        // The store went away around the call (fetching the trace, text or prompt, or writing the
                        // result): not the provider's failure, so no attempt is used; handed back as soon as the store
                        // answers rather than when the lease runs out.
                        return StoreRetry.whileUnavailable(vertx, () -> tasks.postpone(task.id(), worker, Instant.now()), LEASE_MILLIS / 2)
                                .mapEmpty();
                    }
                    long retryAfter = e instanceof ProviderAnalyzer.Failed f ? f.retryAfterMillis : -1;
                    String raw = e instanceof ProviderAnalyzer.Failed f ? f.rawReply : null;
                    // A request the provider will never accept (bad key, bad model) is dead-lettered at once.
                    int maxAttempts = e.getMessage() != null && e.getMessage().startsWith("not retryable") ? task.attempts() : config.maxAttempts();
                    long delay = RETRY.delayMillis(task.attempts() + 1, retryAfter, java.util.concurrent.ThreadLocalRandom.current());
                    return StoreRetry.whileUnavailable(vertx, () -> tasks.fail(task.id(), worker, String.valueOf(e.getMessage()), raw,
                            Instant.now().plusMillis(delay), maxAttempts), LEASE_MILLIS / 2).mapEmpty();
                });
    }

    /**
     * Writes a paid result, waiting for the store within the lease. A write retried after a lost connection may find
     * its first attempt committed: then it is ours all the same, and is announced.
     */
    private Future<AnalysisTasks.Stored> store(Task task, AnalysisTasks.Result result) {
        int[] tries = {0};
        return StoreRetry.whileUnavailable(vertx, () -> {
            tries[0]++;
            return tasks.store(task.id(), worker, result);
        }, LEASE_MILLIS / 2).compose(stored -> stored.written() || tries[0] == 1 ? Future.succeededFuture(stored)
                : StoreRetry.whileUnavailable(vertx, () -> tasks.storedBy(task.id(), worker), LEASE_MILLIS / 2));
    }

    /** A call for another feature (cluster names) with the project's provider and model, counted in its budget. */
    private Future<LlmCompletion.Reply> complete(LlmCompletion c) {
        if (!"cluster_name".equals(c.shape())) {
            return Future.failedFuture(new Failure(400, "unknown_shape", "no answer shape '" + c.shape() + "'").exception());
        }
        if (budgetGuard.paused(c.projectId())) {
            return Future.failedFuture(new Failure(429, "budget_reached", "the project's daily LLM budget is spent").exception());
        }
        Choice choice = choose(c.projectId(), new AnalysisRequest.ThemeSelection(null, null, null, null, 0, null, null));
        ProviderAnalyzer analyzer = providers.get(choice.provider());
        if (analyzer == null) {
            return Future.failedFuture(new Failure(409, "offline", "the project analyses offline").exception());
        }
        if (!analyzer.priced(choice.model())) {
            return Future.failedFuture(new Failure(409, "price_unknown", "no price known for model '" + choice.model()
                    + "': set one with llm.prices").exception());
        }
        return shared(c.projectId(), null, choice.provider(), choice.model(), c.system(), c.prompt(), c.maxTokens(),
                        () -> analyzer.complete(new LlmProvider.Request(choice.model(), c.system(), c.prompt(), c.maxTokens(),
                                LlmProvider.AnswerShape.CLUSTER_NAME), () -> !budgetGuard.paused(c.projectId())),
                        r -> analyzer.cost(choice.model(), r))
                .compose(r -> {
                    double cost = analyzer.cost(choice.model(), r);
                    if (budgetGuard.spent(c.projectId(), cost, config.dailyBudgetUsd().orElse(null))) {
                        logPaused(c.projectId());
                    }
                    // In the database too, so the day's spend survives a restart and other instances see it.
                    return settings.recordCall(c.projectId(), c.shape(), choice.provider(), r.model(), r.usage(), cost)
                            .onFailure(e -> LOG.warn("Spend of a {} call for project {} not recorded: {}", c.shape(), c.projectId(), e.toString()))
                            .otherwiseEmpty()
                            .map(v -> new LlmCompletion.Reply(r.text(), choice.provider(), r.model(), r.inputTokens(), r.outputTokens(), cost));
                })
                .recover(e -> Future.failedFuture(e instanceof Failure.FailureException ? e
                        : new Failure(e instanceof ProviderAnalyzer.Postponed ? 503 : 502, "completion_failed", String.valueOf(e.getMessage())).exception()));
    }

    /** One analysis for a theme test: the same path as a task, but nothing is stored and no attempt is counted. */
    private Future<Analyzed> analyzeNow(RunTasks.AnalyzeNow a) {
        if (budgetGuard.paused(a.projectId())) {
            return Future.failedFuture(new Failure(429, "budget_reached",
                    "the project's daily LLM budget is spent; see GET /api/projects/" + a.projectId() + "/llm").exception());
        }
        if (themePaused(a.projectId(), a.themeId())) {
            return Future.failedFuture(new Failure(429, "budget_reached",
                    "the theme's own daily LLM budget is spent; see GET /api/projects/" + a.projectId() + "/llm").exception());
        }
        Key key = new Key(a.projectId(), a.themeId(), a.trace().traceId(), a.trace().version(), 0);
        return context(new Task(-1, key, 0))
                .compose(ctx -> analyze(a.projectId(), ctx))
                .map(r -> new Analyzed(key.traceId(), key.traceVersion(), r.themeRelevant(), r.title(), r.summary(), r.severity(),
                        r.provider(), r.model(), r.inputTokens(), r.outputTokens(), r.costUsd(), r.latencyMillis()))
                .recover(e -> Future.failedFuture(e instanceof Failure.FailureException || e instanceof io.vertx.core.eventbus.ReplyException ? e
                        : e instanceof ProviderAnalyzer.PriceUnknown ? new Failure(409, "price_unknown", e.getMessage()).exception()
                        : e instanceof ProviderAnalyzer.Postponed
                        ? new Failure(503, "provider_busy", "the provider's rate limits are reached; try again shortly").exception()
                        : new Failure(502, "analysis_failed", String.valueOf(e.getMessage())).exception()));
    }

    /**
     * The offline analyzer, with the relevance model's verdict for user-language and custom themes (asked over the bus);
     * when the model cannot answer (embedding model busy, loading or another one), the analyzer's keyword rules decide.
     */
    private Future<AnalysisTasks.Result> offline(String projectId, Context ctx) {
        AnalysisRequest.ThemeSelection theme = ctx.theme();
        Future<OfflineAnalyzer.Verdict> verdict = OfflineAnalyzer.STRUCTURAL_THEMES.contains(theme.themeId()) || theme.themeId() == null
                ? Future.succeededFuture()
                : verdict(projectId, ctx).otherwise(e -> {
                    if (verdictFallbacks++ % 1_000 == 0) {
                        LOG.info("Offline analysis without the relevance model ({} times so far): {}", verdictFallbacks, e.toString());
                    }
                    return null;
                });
        return verdict.compose(v -> offlineWorkers.executeBlocking(() -> {
            long started = System.nanoTime();
            OfflineAnalyzer.Analysis a = OfflineAnalyzer.analyze(
                    new OfflineAnalyzer.Theme(theme.themeId(), theme.name(), theme.description()), ctx.trace(), ctx.text(), v);
            return new AnalysisTasks.Result("offline", "offline", a.themeRelevant(), a.title(), a.summary(), a.severity(),
                    0, 0, 0, (System.nanoTime() - started) / 1_000_000, a.embedText());
        }, false));
    }

    private long verdictFallbacks;

    private Future<OfflineAnalyzer.Verdict> verdict(String projectId, Context ctx) {
        AnalysisRequest.ThemeSelection t = ctx.theme();
        boolean builtIn = OfflineAnalyzer.LANGUAGE_THEMES.contains(t.themeId());
        // The rendered prompt carries the trace between fence markers: only the theme's own words describe the theme.
        String prompt = t.prompt() == null ? null : TRACE_FENCE.matcher(t.prompt()).replaceAll(" ");
        RelevanceQuery q = new RelevanceQuery(projectId, ctx.trace().traceId(), -1, ctx.trace(), ctx.text(),
                List.of(new RelevanceQuery.ThemeText(t.themeId(), t.name(), t.description(), builtIn ? null : prompt, builtIn)));
        return vertx.eventBus().<RelevanceQuery.Verdicts>request(Addresses.RELEVANCE_SCORE, q).compose(reply -> {
            for (RelevanceQuery.Verdict v : reply.body().verdicts()) {
                if (v.themeId().equals(t.themeId())) {
                    return Future.succeededFuture(new OfflineAnalyzer.Verdict(v.relevant(), v.score(), v.evidence(), v.label()));
                }
            }
            return Future.failedFuture("no verdict for theme " + t.themeId());
        });
    }

    /** PromptTemplate's fence around the trace text (theme feature); everything between the markers is trace data. */
    private static final java.util.regex.Pattern TRACE_FENCE = java.util.regex.Pattern.compile("(?s)<<<TRACE_DATA.*TRACE_DATA>>>");

    /** The task's trace, text and theme: from the request when this instance received it, else fetched. */
    private Future<Context> context(Task task) {
        Context known = pending.getIfPresent(task.key());
        if (known != null) {
            return Future.succeededFuture(known);
        }
        Key k = task.key();
        Future<TraceDetail> trace = vertx.eventBus().<TraceDetail>request(Addresses.TRACE_GET, new TraceQuery(k.projectId(), k.traceId()))
                .map(m -> m.body());
        Future<TraceText> text = vertx.eventBus().<TraceText>request(Addresses.FORMAT_TEXT, new TraceTextQuery(k.projectId(), k.traceId(), false, config.maxTraceChars()))
                .map(m -> m.body());
        return Future.all(trace, text).compose(v -> vertx.eventBus().<ThemeCommand.RenderedPrompt>request(Addresses.THEME_RENDER_PROMPT,
                        new ThemeCommand.RenderPrompt(k.projectId(), k.themeId(), k.traceId(), trace.result().trace().name(), text.result().text()))
                .map(m -> new Context(trace.result().trace(), text.result().text(), new AnalysisRequest.ThemeSelection(m.body().themeId(),
                        m.body().name(), m.body().description(), m.body().prompt(), m.body().promptVersion(), m.body().provider(), m.body().model()))));
    }

    /**
     * No new claims and no budget checks once the server stops: analyses in flight call trace, format and theme, which
     * are undeployed after this quiesces.
     */
    @Override
    public Future<Void> quiesce() {
        return dev.prism.lifecycle.Quiescent.onContext(context, () -> {
            stopping = true;
            vertx.cancelTimer(timer);
            vertx.cancelTimer(budgetTimer);
            return lastClaim == null ? Future.succeededFuture() : lastClaim.otherwiseEmpty();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(budgetTimer);
        // Hand leased tasks back so another instance (or the next start) takes them now rather than after the lease;
        // replies still in flight then find the task no longer theirs and write nothing.
        // A claim still running would lease tasks after the release below, for the whole lease: let it land first.
        Future<?> claimDone = lastClaim == null ? Future.succeededFuture() : lastClaim.otherwiseEmpty();
        return claimDone.compose(v -> tasks.releaseAll(worker)).otherwiseEmpty().eventually(() -> {
            providers.close();
            limits.close();
            pace.close();
            offlineWorkers.close();
            if (forwarder != null) {
                forwarder.close();
            }
            return Future.succeededFuture();
        });
    }
}
