package dev.prism.alert;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.Failure;
import dev.prism.bus.LiveEvent;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.ThemeShare;
import dev.prism.config.PrismConfig;
import dev.prism.lifecycle.Quiescent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates each theme's enabled alert rules against its clusters, shortly after every cluster update (updates within
 * {@value #DEBOUNCE_MILLIS} ms make one evaluation) and every {@code alerts.evaluateSeconds}. A rule that fires is
 * stored as a firing with one delivery row per destination, in one transaction and before any send; the firing's
 * de-duplication key keeps the same news from being queued twice, also across restarts and instances.
 *
 * <p>Consumes {@value Addresses#CLUSTER_UPDATED}; sends {@value Addresses#CLUSTER_LIST}, {@value Addresses#CLUSTER_GET}, {@value Addresses#CLUSTER_MEMBERS_SINCE}, {@value Addresses#SUMMARY_LIST},
 * {@value Addresses#THEME_SHARE} and {@value Addresses#THEME_GET}; publishes {@value Addresses#ALERT_FIRED} ({@link LiveEvent}s of type
 * {@code alert.fired} carrying the notice, which names no destination) and {@value Addresses#ALERT_QUEUED}.
 */
public final class AlertEvaluationVerticle extends VerticleBase implements Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluationVerticle.class);
    /** Updates within this long make one evaluation: during heavy streaming a theme is evaluated at most once a second. */
    static final long DEBOUNCE_MILLIS = 1000;
    /** Representative summaries a notice quotes. */
    static final int SUMMARIES = 3;

    private final AlertRepository repository;
    private final AlertTickets tickets;
    private final PrismConfig.Alerts config;
    /** {@code dashboard.publicUrl}: the base of the links in notices; null: notices carry none. */
    private final String publicUrl;
    private final Map<AlertRepository.ThemeKey, ThemeState> themes = new HashMap<>();
    private MessageConsumer<Object> updates;
    private long timer = -1;
    private boolean stopping;

    /** One evaluation per theme at a time; an update during one asks for another after it. */
    private static final class ThemeState {
        long debounce = -1;
        boolean running;
        boolean dirty;
        Future<Void> current = Future.succeededFuture();
    }

    public AlertEvaluationVerticle(Pool pool, PrismConfig.Alerts config, PrismConfig.Dashboard dashboard) {
        this.repository = new AlertRepository(pool);
        this.tickets = new AlertTickets(pool);
        this.config = config;
        this.publicUrl = dashboard.publicUrl().orElse(null);
    }

    @Override
    public Future<?> start() {
        updates = vertx.eventBus().consumer(Addresses.CLUSTER_UPDATED, m -> {
            if (m.body() instanceof LiveEvent e && e.projectId() != null && e.themeId() != null) {
                schedule(new AlertRepository.ThemeKey(e.projectId(), e.themeId()));
            }
        });
        if (config.evaluateSeconds() > 0) {
            timer = vertx.setPeriodic(config.evaluateSeconds() * 1000L, id -> evaluateAll());
        }
        return updates.completion();
    }

    @Override
    public Future<Void> quiesce() {
        return Quiescent.onContext(context, () -> {
            stopping = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            themes.values().forEach(s -> {
                if (s.debounce >= 0) {
                    vertx.cancelTimer(s.debounce);
                }
            });
            return Future.join(themes.values().stream().map(s -> s.current).toList()).otherwiseEmpty();
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        return updates == null ? Future.succeededFuture() : updates.unregister();
    }

    private void evaluateAll() {
        if (stopping) {
            return;
        }
        repository.themesWithRules()
                .onSuccess(keys -> keys.forEach(this::schedule))
                .onFailure(e -> LOG.warn("Scheduled alert evaluation could not list rules: {}", e.toString()));
    }

    private void schedule(AlertRepository.ThemeKey key) {
        if (stopping) {
            return;
        }
        ThemeState s = themes.computeIfAbsent(key, k -> new ThemeState());
        if (s.debounce >= 0) {
            return;
        }
        s.debounce = vertx.setTimer(DEBOUNCE_MILLIS, id -> {
            s.debounce = -1;
            run(key, s);
        });
    }

    private void run(AlertRepository.ThemeKey key, ThemeState s) {
        if (s.running) {
            s.dirty = true;
            return;
        }
        s.running = true;
        s.current = evaluate(key).onFailure(e -> LOG.warn("Alert evaluation of theme {} of {} failed; the next update or tick tries again: {}",
                key.themeId(), key.projectId(), e.toString())).otherwiseEmpty();
        s.current.onComplete(ar -> {
            s.running = false;
            if (s.dirty) {
                s.dirty = false;
                schedule(key);
            }
        });
    }

    /** A rule that fires for a cluster, before the second look (representatives, severity). */
    private record Candidate(AlertRule rule, ClusterCommand.Cluster cluster, AlertEvaluator.ClusterState state) {
    }

    Future<Void> evaluate(AlertRepository.ThemeKey key) {
        return repository.enabledRules(key.projectId(), key.themeId()).compose(all -> {
            List<AlertRule> shareRules = all.stream().filter(r -> AlertRule.SHARE_CHANGED.equals(r.trigger().type())).toList();
            List<AlertRule> rules = all.stream().filter(r -> !AlertRule.SHARE_CHANGED.equals(r.trigger().type())).toList();
            return evaluateClusters(key, rules).compose(v -> evaluateShare(key, shareRules));
        });
    }

    /**
     * {@code share_changed} rules watch the theme as a whole: its share of relevant traces, asked of the analysis
     * feature. A firing is a notice without a cluster, kept under {@link AlertEvaluator#themeSubject}.
     */
    private Future<Void> evaluateShare(AlertRepository.ThemeKey key, List<AlertRule> rules) {
        if (rules.isEmpty()) {
            return Future.succeededFuture();
        }
        Instant now = Instant.now();
        String subject = AlertEvaluator.themeSubject(key.themeId());
        return vertx.eventBus().<ThemeShare.Counts>request(Addresses.THEME_SHARE, new ThemeShare(key.projectId(), key.themeId(), now))
                .map(m -> m.body())
                .compose(counts -> repository.lastFired(key.projectId(), rules.stream().map(AlertRule::ruleId).toList()).compose(last -> {
                    AlertEvaluator.ThemeShares shares = new AlertEvaluator.ThemeShares(window(counts.day()), window(counts.previousDay()),
                            window(counts.week()), window(counts.previousWeek()));
                    Map<String, AlertRule> firing = new LinkedHashMap<>();
                    Map<String, AlertEvaluator.ShareFiring> figures = new HashMap<>();
                    for (AlertRule rule : rules) {
                        AlertEvaluator.ShareDecision d = AlertEvaluator.shareChanged(rule, shares, last.get(rule.ruleId() + "/" + subject), now);
                        if (d.fires()) {
                            firing.put(d.dedupeKey(), rule);
                            figures.put(d.dedupeKey(), d.firing());
                        }
                    }
                    if (firing.isEmpty()) {
                        return Future.succeededFuture();
                    }
                    return repository.firedKeys(key.projectId(), firing.keySet()).compose(fired -> themeName(key).compose(themeName -> {
                        Future<Void> chain = Future.succeededFuture();
                        for (Map.Entry<String, AlertRule> e : firing.entrySet()) {
                            if (fired.contains(e.getKey())) {
                                continue;
                            }
                            AlertRule rule = e.getValue();
                            AlertEvaluator.ShareFiring f = figures.get(e.getKey());
                            String clusters = publicUrl == null ? null : publicUrl + "/#/themes/" + enc(rule.themeId()) + "/clusters";
                            AlertNotice notice = new AlertNotice(rule.projectId(), rule.ruleId(), rule.name(), rule.themeId(), themeName, null, null,
                                    AlertRule.SHARE_CHANGED, null, (int) f.current().relevant(), (int) f.previous().relevant(), null, null, List.of(),
                                    clusters, null, now, e.getKey(), round(f.share()), round(f.previousShare()));
                            chain = chain.compose(v -> store(notice, rule));
                        }
                        return chain;
                    }));
                }));
    }

    private static AlertEvaluator.ShareWindow window(ThemeShare.Window w) {
        return new AlertEvaluator.ShareWindow(w.relevant(), w.analysed());
    }

    /** Shares in notices to a tenth of a point: 33.3 %, not 33.33333333333333. */
    private static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }

    /** Stores a firing with its deliveries and announces it. */
    private Future<Void> store(AlertNotice notice, AlertRule rule) {
        return repository.fire(notice, rule.destinations()).map(fired -> {
            fired.ifPresent(f -> {
                LOG.info("Alert rule {} fired for {} of theme {} ({}): {} deliveries queued", rule.ruleId(),
                        notice.clusterId() == null ? "the theme" : "cluster " + notice.clusterId(), rule.themeId(), notice.kind(), f.deliveryIds().size());
                vertx.eventBus().publish(Addresses.ALERT_FIRED, new LiveEvent("alert.fired", notice.projectId(), rule.themeId(), null,
                        NoticeJson.write(notice)));
                vertx.eventBus().publish(Addresses.ALERT_QUEUED, (long) f.deliveryIds().size());
            });
            return (Void) null;
        });
    }

    private Future<Void> evaluateClusters(AlertRepository.ThemeKey key, List<AlertRule> rules) {
        if (rules.isEmpty()) {
            return Future.succeededFuture();
        }
        return vertx.eventBus().<ClusterCommand.Clusters>request(Addresses.CLUSTER_LIST, new ClusterCommand.List(key.projectId(), key.themeId()))
                .map(m -> m.body().clusters())
                // a theme deleted under its rules has no clusters to watch
                .recover(e -> Failure.from(e).status() == 404 ? Future.succeededFuture(List.of()) : Future.failedFuture(e))
                .compose(clusters -> clusters.isEmpty() ? Future.succeededFuture() : closedTickets(key.projectId(), rules, clusters)
                        .compose(closed -> repository.lastFired(key.projectId(), rules.stream().map(AlertRule::ruleId).toList())
                        .compose(last -> {
                            Instant now = Instant.now();
                            Map<String, Candidate> candidates = new LinkedHashMap<>();
                            for (AlertRule rule : rules) {
                                for (ClusterCommand.Cluster c : clusters) {
                                    AlertEvaluator.ClusterState state = closed.getOrDefault(c.clusterId(), state(c));
                                    AlertEvaluator.Decision d = AlertEvaluator.evaluate(rule, state,
                                            last.get(rule.ruleId() + "/" + c.clusterId()), now);
                                    if (d.fires()) {
                                        candidates.putIfAbsent(d.dedupeKey(), new Candidate(rule, c, state));
                                    }
                                }
                            }
                            if (candidates.isEmpty()) {
                                return Future.succeededFuture();
                            }
                            return repository.firedKeys(key.projectId(), candidates.keySet()).compose(fired -> {
                                List<Candidate> fresh = candidates.entrySet().stream().filter(e -> !fired.contains(e.getKey()))
                                        .map(Map.Entry::getValue).toList();
                                return fresh.isEmpty() ? Future.succeededFuture() : themeName(key).compose(themeName -> {
                                    Future<Void> chain = Future.succeededFuture();
                                    for (Candidate c : fresh) {
                                        chain = chain.compose(v -> secondLook(c, themeName, last, now));
                                    }
                                    return chain;
                                });
                            });
                        })));
    }

    /**
     * The states of the clusters whose Linear or GitHub issue is closed (as the ticket poller last learned), with the
     * members they gained since; only when a {@code regressed} rule is there to read them.
     */
    private Future<Map<String, AlertEvaluator.ClusterState>> closedTickets(String projectId, List<AlertRule> rules, List<ClusterCommand.Cluster> clusters) {
        if (rules.stream().noneMatch(r -> AlertRule.REGRESSED.equals(r.trigger().type()))) {
            return Future.succeededFuture(Map.of());
        }
        return tickets.latestCloses(projectId, clusters.stream().map(ClusterCommand.Cluster::clusterId).toList()).compose(closes -> closes.isEmpty()
                ? Future.succeededFuture(Map.of())
                : vertx.eventBus().<ClusterCommand.MemberCounts>request(Addresses.CLUSTER_MEMBERS_SINCE, new ClusterCommand.MembersSince(projectId, closes))
                        .map(m -> {
                            Map<String, AlertEvaluator.ClusterState> out = new HashMap<>();
                            for (ClusterCommand.Cluster c : clusters) {
                                Instant closedAt = closes.get(c.clusterId());
                                if (closedAt != null) {
                                    out.put(c.clusterId(), state(c).withTicketClosed(closedAt, m.body().counts().getOrDefault(c.clusterId(), 0L)));
                                }
                            }
                            return out;
                        }));
    }

    private Future<String> themeName(AlertRepository.ThemeKey key) {
        return vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(key.projectId(), key.themeId()))
                .map(m -> m.body().name()).otherwise(key.themeId());
    }

    /** Looks up the cluster's representatives and their severity, decides again with them, and stores the firing. */
    private Future<Void> secondLook(Candidate c, String themeName, Map<String, Instant> last, Instant now) {
        String project = c.rule().projectId();
        return vertx.eventBus().<ClusterCommand.Detail>request(Addresses.CLUSTER_GET,
                        new ClusterCommand.Get(project, c.cluster().clusterId(), 5))
                .compose(detail -> {
                    List<ClusterCommand.Member> reps = detail.body().representatives().stream().limit(SUMMARIES).toList();
                    List<Future<Optional<String>>> severities = reps.stream()
                            .map(m -> vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST,
                                            new SummaryQuery(project, c.rule().themeId(), null, null, m.traceId(), 1))
                                    .map(r -> r.body().results().stream().findFirst().map(s -> s.severity()))
                                    .otherwise(Optional.empty()))
                            .toList();
                    return Future.all(severities).compose(x -> {
                        List<String> known = new ArrayList<>();
                        severities.forEach(f -> f.result().ifPresent(known::add));
                        AlertEvaluator.ClusterState state = c.state().withSeverity(AlertEvaluator.highest(known));
                        AlertEvaluator.Decision d = AlertEvaluator.evaluate(c.rule(), state, last.get(c.rule().ruleId() + "/" + c.cluster().clusterId()), now);
                        if (!d.fires()) {
                            return Future.succeededFuture();
                        }
                        return store(notice(c, d, state, themeName, reps, now), c.rule());
                    });
                });
    }

    private AlertNotice notice(Candidate c, AlertEvaluator.Decision d, AlertEvaluator.ClusterState state, String themeName,
                               List<ClusterCommand.Member> reps, Instant now) {
        List<String> summaries = reps.stream().map(m -> m.summary() != null && !m.summary().isBlank() ? m.summary() : m.title())
                .filter(t -> t != null && !t.isBlank()).toList();
        String base = publicUrl;
        String clusterUrl = base == null ? null : base + "/#/themes/" + enc(c.rule().themeId()) + "/clusters";
        String traceUrl = base == null || reps.isEmpty() ? null : base + "/#/traces/" + enc(reps.get(0).traceId());
        return new AlertNotice(c.rule().projectId(), c.rule().ruleId(), c.rule().name(), c.rule().themeId(), themeName,
                c.cluster().clusterId(), c.cluster().title(), d.firing().kind(), c.cluster().lifecycle(), c.cluster().size(),
                d.firing().previousSize(), d.firing().growthPercent(), state.severity() == null || state.severity().isEmpty() ? null : state.severity(),
                summaries, clusterUrl, traceUrl, now, d.dedupeKey());
    }

    static AlertEvaluator.ClusterState state(ClusterCommand.Cluster c) {
        long[] daily = c.trend().daily().stream().mapToLong(ClusterCommand.Bucket::count).toArray();
        return new AlertEvaluator.ClusterState(c.clusterId(), c.title(), c.status(), c.size(), c.lifecycle(), daily, c.trend().current(),
                c.trend().previous(), c.metrics().distinctUsers(), null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
