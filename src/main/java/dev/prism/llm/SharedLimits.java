package dev.prism.llm;

import dev.prism.store.OutageLog;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider rate limits and daily budgets held across every instance, in {@link SharedCounters}. Before a paid call an
 * instance takes its request and estimated tokens from the provider's minute ({@code llm.requestsPerMinute},
 * {@code llm.tokensPerMinute} are the account's limits, whichever instances spend them) and reserves the call's
 * estimated cost in the project's UTC day; after it, the estimate is corrected to the cost reported. Every take is
 * all-or-nothing and atomic, so the instances together stay within each limit: a refused call is postponed, not
 * failed. Windows are fixed (a minute, a day); each instance's {@link FlowControl} still spreads its own calls within
 * the minute and keeps its own concurrency, Retry-After pauses and circuit breaker.
 *
 * <p>When the counters cannot be reached the call goes ahead under the instance's own flow control and the budget
 * figures read from the database every few seconds (logged once per outage): an outage of Redis does not stop analyses.
 */
final class SharedLimits {

    private static final Logger LOG = LoggerFactory.getLogger(SharedLimits.class);
    /** Counters outlive their window by this much; nobody reads them after it. */
    static final long MINUTE_TTL_SECONDS = 120;
    static final long DAY_TTL_SECONDS = 2 * 86_400;

    /**
     * The project's or the theme's budget was reached across instances: the call was not made. Which one is read back
     * after the refusal; neither when a refund freed room meanwhile (then the call is only postponed).
     */
    static final class BudgetReached extends ProviderAnalyzer.Postponed {
        final boolean project;
        final boolean theme;

        BudgetReached(boolean project, boolean theme, long waitMillis) {
            super("the " + (theme && !project ? "theme's" : "project's") + " daily LLM budget is reserved or spent", waitMillis);
            this.project = project;
            this.theme = theme;
        }
    }

    private final SharedCounters counters;
    private final int requestsPerMinute;
    private final long tokensPerMinute;
    private final LongSupplier clock;
    private final OutageLog outage = new OutageLog(LOG, "Shared LLM limits");

    SharedLimits(SharedCounters counters, int requestsPerMinute, long tokensPerMinute, LongSupplier clockMillis) {
        this.counters = counters;
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
        this.clock = clockMillis;
    }

    static long micros(double usd) {
        return Double.isNaN(usd) || usd <= 0 ? 0 : (long) Math.ceil(usd * 1_000_000);
    }

    static String spendKey(String projectId, LocalDate day) {
        return "spend:" + projectId + ":" + day;
    }

    /** A theme's day, apart from its project's: the project's length keeps (a:b, c) and (a, b:c) apart. */
    static String themeSpendKey(String projectId, String themeId, LocalDate day) {
        return "spend-theme:" + projectId.length() + ":" + projectId + ":" + themeId + ":" + day;
    }

    static String requestsKey(String provider, long minute) {
        return "rpm:" + provider + ":" + minute;
    }

    static String tokensKey(String provider, long minute) {
        return "tpm:" + provider + ":" + minute;
    }

    LocalDate today() {
        return LocalDate.ofInstant(Instant.ofEpochMilli(clock.getAsLong()), ZoneOffset.UTC);
    }

    /**
     * Takes one request and {@code tokens} from the provider's current minute.
     *
     * @return 0 when taken, else how long until the next minute, when to ask again
     */
    Future<Long> admit(String provider, long tokens) {
        long now = clock.getAsLong();
        long minute = now / 60_000;
        // A call larger than the whole minute's tokens still runs, alone in its minute.
        long cost = Math.min(tokens, tokensPerMinute);
        return counters.tryAdd(List.of(new SharedCounters.Add(requestsKey(provider, minute), 1, requestsPerMinute),
                        new SharedCounters.Add(tokensKey(provider, minute), cost, tokensPerMinute)), MINUTE_TTL_SECONDS)
                .map(ok -> ok ? 0L : (minute + 1) * 60_000 - now);
    }

    /** Reserves {@code estimateUsd} of the project's day; true when it fits the budget (always without one). */
    Future<Boolean> reserve(String projectId, LocalDate day, Double budgetUsd, double estimateUsd) {
        return reserve(projectId, null, day, budgetUsd, null, estimateUsd);
    }

    /**
     * Reserves {@code estimateUsd} of the project's day and of the theme's, together or not at all: true when it fits
     * both budgets (a null budget holds anything and counts nothing).
     */
    Future<Boolean> reserve(String projectId, String themeId, LocalDate day, Double budgetUsd, Double themeBudgetUsd, double estimateUsd) {
        List<SharedCounters.Add> adds = new java.util.ArrayList<>(2);
        if (budgetUsd != null) {
            adds.add(new SharedCounters.Add(spendKey(projectId, day), micros(estimateUsd), micros(budgetUsd)));
        }
        if (themeId != null && themeBudgetUsd != null) {
            adds.add(new SharedCounters.Add(themeSpendKey(projectId, themeId, day), micros(estimateUsd), micros(themeBudgetUsd)));
        }
        return adds.isEmpty() ? Future.succeededFuture(true) : counters.tryAdd(adds, DAY_TTL_SECONDS);
    }

    /** Corrects a reservation by what the call cost in the end (negative: less than estimated, or not made). */
    Future<Void> settle(String projectId, LocalDate day, double deltaUsd) {
        return settleKey(spendKey(projectId, day), deltaUsd);
    }

    private Future<Void> settleKey(String key, double deltaUsd) {
        long delta = deltaUsd >= 0 ? micros(deltaUsd) : -micros(-deltaUsd);
        return delta == 0 ? Future.succeededFuture() : counters.add(key, delta, DAY_TTL_SECONDS);
    }

    /** What the database says the project spent today: the day's counter is never below it (e.g. after Redis lost it). */
    Future<Void> spentAtLeast(String projectId, double spentUsd) {
        return counters.atLeast(spendKey(projectId, today()), micros(spentUsd), DAY_TTL_SECONDS);
    }

    /** The project's spend today as the counters hold it, reservations included. */
    Future<Double> spentToday(String projectId) {
        return counters.get(spendKey(projectId, today())).map(m -> m / 1_000_000.0);
    }

    /** As {@link #spentAtLeast(String, double)}, for a theme's own day. */
    Future<Void> themeSpentAtLeast(String projectId, String themeId, double spentUsd) {
        return counters.atLeast(themeSpendKey(projectId, themeId, today()), micros(spentUsd), DAY_TTL_SECONDS);
    }

    /** The theme's own spend today as the counters hold it, reservations included. */
    Future<Double> themeSpentToday(String projectId, String themeId) {
        return counters.get(themeSpendKey(projectId, themeId, today())).map(m -> m / 1_000_000.0);
    }

    /**
     * A paid call within the shared limits: admitted by the provider's minute and the project's day, then made, then
     * settled at its reported cost.
     *
     * @param estimateUsd the call's cost if it uses its prompt and all its answer tokens
     * @param costOf      the cost the provider's reply came to
     */
    <T> Future<T> call(String projectId, Double budgetUsd, String provider, long tokens, double estimateUsd, Supplier<Future<T>> call,
                       ToDoubleFunction<T> costOf) {
        return call(projectId, null, budgetUsd, null, provider, tokens, estimateUsd, call, costOf);
    }

    /**
     * As above, the call also within the theme's own budget ({@code themeBudgetUsd}, null for none): reserved in the
     * theme's day and the project's together, so the project's budget still caps its themes' sum.
     */
    <T> Future<T> call(String projectId, String themeId, Double budgetUsd, Double themeBudgetUsd, String provider, long tokens,
                       double estimateUsd, Supplier<Future<T>> call, ToDoubleFunction<T> costOf) {
        LocalDate day = today();
        Double themeBudget = themeId == null ? null : themeBudgetUsd;
        Future<Boolean> admitted = admit(provider, tokens).compose(wait -> wait > 0
                        ? Future.failedFuture(new ProviderAnalyzer.Postponed("provider " + provider + ": this minute's shared limits are taken", wait))
                        : reserve(projectId, themeId, day, budgetUsd, themeBudget, estimateUsd))
                .recover(e -> {
                    if (e instanceof ProviderAnalyzer.Postponed) {
                        return Future.failedFuture(e);
                    }
                    outage.failed(e);
                    return Future.succeededFuture(null); // unreachable counters: local limits only
                });
        return admitted.compose(reserved -> {
            if (Boolean.FALSE.equals(reserved)) {
                return refused(projectId, themeId, day, budgetUsd, themeBudget, estimateUsd);
            }
            if (reserved != null) {
                outage.succeeded();
            }
            return call.get().transform(ar -> {
                if (reserved != null) {
                    double cost = ar.succeeded() ? costOf.applyAsDouble(ar.result()) : 0;
                    if (budgetUsd != null) {
                        settle(projectId, day, cost - estimateUsd).onFailure(outage::failed);
                    }
                    if (themeBudget != null) {
                        settleKey(themeSpendKey(projectId, themeId, day), cost - estimateUsd).onFailure(outage::failed);
                    }
                }
                return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
            });
        });
    }

    /** Which budget had no room: each day's total read back against its budget, after the all-or-nothing refusal. */
    private <T> Future<T> refused(String projectId, String themeId, LocalDate day, Double budgetUsd, Double themeBudget, double estimateUsd) {
        long estimate = micros(estimateUsd);
        Future<Boolean> project = budgetUsd == null ? Future.succeededFuture(false)
                : counters.get(spendKey(projectId, day)).map(m -> m + estimate > micros(budgetUsd));
        Future<Boolean> theme = themeBudget == null ? Future.succeededFuture(false)
                : counters.get(themeSpendKey(projectId, themeId, day)).map(m -> m + estimate > micros(themeBudget));
        return Future.all(project, theme).otherwise(e -> null).transform(ar -> Future.<T>failedFuture(new BudgetReached(
                project.succeeded() && project.result(), theme.succeeded() && theme.result(), AnalysisVerticle.BUDGET_CHECK_MILLIS * 15)));
    }

    Future<Void> close() {
        return counters.close();
    }
}
