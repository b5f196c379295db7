package dev.prism.run;

import dev.prism.bus.Addresses;
import dev.prism.bus.Analyzed;
import dev.prism.bus.Failure;
import dev.prism.bus.Run;
import dev.prism.bus.RunCommand;
import dev.prism.bus.RunTasks;
import dev.prism.bus.ScheduledThemes;
import dev.prism.bus.ThemeCommand;
import dev.prism.config.PrismConfig;
import dev.prism.store.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Theme runs: a run selects the completed traces of a window that a theme's filters and sampling pick, queues their
 * analyses (those already analysed or queued are not queued again), and counts its progress from them until none is
 * pending. Runs start by hand ({@code POST …/themes/{id}/runs}) or on the theme's schedule; state lives in the
 * {@code runs} table, so a restart picks running runs up where they were.
 *
 * <p>Consumes {@value Addresses#RUN_COMMAND}; sends {@value Addresses#THEME_SELECT}, {@value Addresses#THEME_SCHEDULED},
 * {@value Addresses#ANALYSIS_ENQUEUE}, {@value Addresses#ANALYSIS_RUN_STATS} and {@value Addresses#ANALYSIS_NOW};
 * publishes {@value Addresses#RUN_PROGRESS}. Event loop only.
 */
public final class RunVerticle extends VerticleBase implements dev.prism.lifecycle.Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(RunVerticle.class);
    private final OutageLog progressLog = new OutageLog(LOG, "Run progress");
    private final OutageLog scheduleLog = new OutageLog(LOG, "Run scheduling");
    /** A run still without queued analyses this long after it started was interrupted between the two steps. */
    static final Duration QUEUE_DEADLINE = Duration.ofMinutes(2);
    static final int MAX_TEST_TRACES = 10;

    private final RunRepository repository;
    private final PrismConfig.Runs config;
    private final Map<Long, Run> lastPublished = new HashMap<>();
    private long progressTimer = -1;
    private long scheduleTimer = -1;
    private boolean ticking;
    private boolean scheduling;

    public RunVerticle(Pool pool, PrismConfig.Runs config) {
        this.repository = new RunRepository(pool);
        this.config = config;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<RunCommand>consumer(Addresses.RUN_COMMAND, this::handle);
        progressTimer = vertx.setPeriodic(config.progressMillis(), id -> tick());
        if (config.schedulerSeconds() > 0) {
            scheduleTimer = vertx.setPeriodic(config.schedulerSeconds() * 1000L, id -> schedule());
        }
        return Future.succeededFuture();
    }

    private void handle(Message<RunCommand> msg) {
        RunCommand command = msg.body();
        Future<?> reply;
        if (command instanceof RunCommand.Start s) {
            reply = start(s.projectId(), s.themeId(), s.dateFrom(), s.dateTo(), "manual");
        } else if (command instanceof RunCommand.List l) {
            reply = repository.list(l.projectId(), l.themeId(), Math.max(1, Math.min(l.limit(), 500)), l.beforeId()).map(RunCommand.Runs::new);
        } else if (command instanceof RunCommand.Latest l) {
            reply = repository.latest(l.projectId()).map(RunCommand.Runs::new);
        } else if (command instanceof RunCommand.Get g) {
            reply = repository.get(g.projectId(), g.runId()).compose(found -> found.<Future<Run>>map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(new Failure(404, "run_not_found", "No run " + g.runId() + " in project '"
                            + g.projectId() + "'").exception())));
        } else {
            reply = test((RunCommand.Test) command);
        }
        reply.onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e));
    }

    /** Selects the window's traces, records the run, queues its analyses and answers with the run as queued. */
    private Future<Run> start(String projectId, String themeId, String from, String to, String trigger) {
        return vertx.eventBus().<ThemeCommand.Selection>request(Addresses.THEME_SELECT,
                        new ThemeCommand.SelectForRun(projectId, themeId, from, to, 0))
                .map(Message::body)
                .compose(sel -> repository.insert(projectId, themeId, trigger, sel.from(), sel.to(), sel.promptVersion(),
                                sel.tracesInRange(), sel.matched(), sel.sampled().size())
                        .compose(created -> created.isEmpty()
                                ? Future.failedFuture(new Failure(409, "run_in_progress", "theme '" + themeId
                                + "' already has a run in progress; see GET …/runs?theme=" + themeId).exception())
                                : queue(created.get(), sel)));
    }

    private Future<Run> queue(Run run, ThemeCommand.Selection sel) {
        publish(run);
        return vertx.eventBus().<Integer>request(Addresses.ANALYSIS_ENQUEUE,
                        new RunTasks.Enqueue(run.id(), run.projectId(), run.themeId(), sel.promptVersion(), sel.sampled()))
                .compose(reply -> repository.queued(run.id(), reply.body()))
                // Nothing queued (all analysed already) completes the run at once.
                .compose(queued -> queued.pending() == 0 ? repository.progress(queued.id(), 0, 0, 0, 0, 0, 0) : Future.succeededFuture(queued))
                .onSuccess(this::publish)
                .recover(e -> repository.fail(run.id(), "could not queue analyses: " + e.getMessage())
                        .onSuccess(this::publish)
                        .compose(failed -> Future.failedFuture(e)));
    }

    /** Counts every running run's analyses, records what changed, publishes it, and completes finished runs. */
    private void tick() {
        if (ticking) {
            return;
        }
        ticking = true;
        repository.active().compose(runs -> {
            List<Future<?>> updates = new ArrayList<>();
            List<Long> counted = new ArrayList<>();
            for (Run run : runs) {
                if (run.queued() != null) {
                    counted.add(run.id());
                } else if (run.startedAt().plus(QUEUE_DEADLINE).isBefore(Instant.now())) {
                    updates.add(repository.fail(run.id(), "interrupted before its analyses were queued; start it again").onSuccess(this::publish));
                }
            }
            if (counted.isEmpty()) {
                return Future.all(updates);
            }
            return vertx.eventBus().<RunTasks.Stats>request(Addresses.ANALYSIS_RUN_STATS, new RunTasks.StatsQuery(counted))
                    .compose(reply -> {
                        Map<Long, RunTasks.RunStats> byRun = new HashMap<>();
                        reply.body().runs().forEach(s -> byRun.put(s.runId(), s));
                        for (Long id : counted) {
                            RunTasks.RunStats s = byRun.getOrDefault(id, new RunTasks.RunStats(id, 0, 0, 0, 0, 0, 0, 0));
                            updates.add(repository.progress(id, s.done(), s.relevant(), s.dead(), s.inputTokens(), s.outputTokens(), s.costUsd())
                                    .onSuccess(run -> {
                                        if (run != null) {
                                            publish(run);
                                        }
                                    }));
                        }
                        return Future.all(updates);
                    });
        }).onComplete(ar -> {
            ticking = false;
            if (ar.failed()) {
                progressLog.failed(ar.cause()); // counted again on the next tick
            } else {
                progressLog.succeeded();
            }
        });
    }

    /** Publishes a run's state when it differs from what was last published. */
    private void publish(Run run) {
        Run previous = lastPublished.get(run.id());
        if (run.equals(previous)) {
            return;
        }
        if ("running".equals(run.status())) {
            lastPublished.put(run.id(), run);
        } else {
            lastPublished.remove(run.id());
        }
        vertx.eventBus().publish(Addresses.RUN_PROGRESS, run);
    }

    /** Starts the runs whose schedule is due; a theme with a run still in progress waits for the next check. */
    private void schedule() {
        if (scheduling) {
            return;
        }
        scheduling = true;
        Instant now = Instant.now();
        vertx.eventBus().<ScheduledThemes.Result>request(Addresses.THEME_SCHEDULED, new ScheduledThemes.Query())
                .compose(themes -> repository.lastScheduledWindows().compose(last -> {
                    List<Future<?>> started = new ArrayList<>();
                    for (ScheduledThemes.Entry t : themes.body().themes()) {
                        Optional<Schedule.Window> due = Schedule.parse(t.schedule())
                                .flatMap(s -> s.due(last.get(t.projectId() + "\n" + t.themeId()), now));
                        due.ifPresent(w -> started.add(start(t.projectId(), t.themeId(), w.from().toString(), w.to().toString(), "schedule")
                                .recover(e -> {
                                    if (Failure.from(e).status() != 409) {
                                        LOG.warn("Scheduled run of theme {} in project {} did not start: {}", t.themeId(), t.projectId(), e.toString());
                                    }
                                    return Future.succeededFuture();
                                })));
                    }
                    return Future.all(started);
                }))
                .onComplete(ar -> {
                    scheduling = false;
                    if (ar.failed()) {
                        scheduleLog.failed(ar.cause()); // a due window stays due: the next check starts it
                    } else {
                        scheduleLog.succeeded();
                    }
                });
    }

    /** The theme on a few of its most recent selected traces, analysed now; nothing is stored. */
    private Future<RunCommand.Tested> test(RunCommand.Test t) {
        if (t.traces() < 1 || t.traces() > MAX_TEST_TRACES) {
            return Future.failedFuture(new Failure(400, "invalid_traces", "traces: expected 1 to " + MAX_TEST_TRACES).exception());
        }
        return vertx.eventBus().<ThemeCommand.Selection>request(Addresses.THEME_SELECT,
                        new ThemeCommand.SelectForRun(t.projectId(), t.themeId(), null, null, t.traces()))
                .map(Message::body)
                .compose(sel -> {
                    List<Future<Analyzed>> results = sel.sampled().stream()
                            .map(ref -> vertx.eventBus().<Analyzed>request(Addresses.ANALYSIS_NOW, new RunTasks.AnalyzeNow(t.projectId(), t.themeId(), ref),
                                    new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(120_000)).map(Message::body))
                            .toList();
                    return Future.all(results).map(v -> new RunCommand.Tested(sel.themeId(), sel.promptVersion(),
                            results.stream().map(Future::result).toList()));
                });
    }

    /** Progress and schedules ask theme and analysis: they stop first. */
    @Override
    public Future<Void> quiesce() {
        return dev.prism.lifecycle.Quiescent.onContext(context, () -> {
            vertx.cancelTimer(progressTimer);
            vertx.cancelTimer(scheduleTimer);
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(progressTimer);
        vertx.cancelTimer(scheduleTimer);
        return Future.succeededFuture();
    }
}
