package dev.prism.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * Decides whether a rule fires for one cluster now ({@link #evaluate}), or, for {@code share_changed}, for the theme as
 * a whole ({@link #shareChanged}). A firing carries a de-duplication key made of the rule, the
 * cluster's stable identity and the trigger's window (the UTC day or ISO week of a growth, the threshold of a size),
 * so the same news is delivered once however often the cluster is evaluated; the cooldown keeps a rule quiet about
 * one cluster for a while after it spoke. Pure.
 */
public final class AlertEvaluator {

    private AlertEvaluator() {
    }

    /**
     * What evaluation knows of a cluster, from the cluster API.
     *
     * @param daily         members per UTC day, oldest first, today last
     * @param current       members in the last 24 hours
     * @param previous      members in the 24 hours before
     * @param severity      the highest severity of its representative summaries; null when not looked up yet (a
     *                      severity condition is then left for the second look), empty when none is known
     * @param ticketClosedAt the latest close of a Linear or GitHub issue kept for the cluster that is still closed, as
     *                      the tracker said; null when none is closed
     * @param membersSinceClosed members the cluster gained after {@code ticketClosedAt}
     */
    public record ClusterState(String clusterId, String title, String status, int size, String lifecycle, long[] daily, long current,
                               long previous, int distinctUsers, String severity, Instant ticketClosedAt, long membersSinceClosed) {

        public ClusterState(String clusterId, String title, String status, int size, String lifecycle, long[] daily, long current,
                            long previous, int distinctUsers, String severity) {
            this(clusterId, title, status, size, lifecycle, daily, current, previous, distinctUsers, severity, null, 0);
        }

        public ClusterState withSeverity(String s) {
            return new ClusterState(clusterId, title, status, size, lifecycle, daily, current, previous, distinctUsers, s, ticketClosedAt,
                    membersSinceClosed);
        }

        public ClusterState withTicketClosed(Instant closedAt, long membersSince) {
            return new ClusterState(clusterId, title, status, size, lifecycle, daily, current, previous, distinctUsers, severity, closedAt,
                    membersSince);
        }
    }

    /**
     * A trigger that holds for a cluster.
     *
     * @param window        the part of the de-duplication key naming the news: {@code growth:day:2026-12-05}, {@code size:100}
     * @param previousSize  for growth: the count of the window before, else null
     * @param growthPercent for growth: how much the window is above the one before, else null
     */
    public record Triggered(String kind, String window, Integer previousSize, Double growthPercent) {
    }

    /** @param firing null when the rule stays quiet; {@code reason} says why (for the log and tests) */
    public record Decision(Triggered firing, String dedupeKey, String reason) {
        public boolean fires() {
            return firing != null;
        }
    }

    /** Whether the rule's trigger holds, before conditions and cooldown; null when it does not. */
    public static Triggered triggered(AlertRule rule, ClusterState s, Instant now) {
        return triggered(rule, s, null, now);
    }

    /** @param lastFired when this rule last fired for this cluster, null if never (a comeback is told once) */
    public static Triggered triggered(AlertRule rule, ClusterState s, Instant lastFired, Instant now) {
        if (!"active".equals(s.status())) {
            return null;
        }
        AlertRule.Trigger t = rule.trigger();
        String day = now.atOffset(ZoneOffset.UTC).toLocalDate().toString();
        return switch (t.type()) {
            case AlertRule.NEW_CLUSTER -> "new".equals(s.lifecycle()) ? new Triggered(t.type(), "new", null, null) : null;
            case AlertRule.SIZE_REACHED -> s.size() >= t.size() ? new Triggered(t.type(), "size:" + t.size(), null, null) : null;
            case AlertRule.GROWTH -> growth(t, s, now, day);
            case AlertRule.REGRESSED -> regressed(t, s, lastFired, now);
            // share_changed watches the theme, not a cluster: shareChanged
            default -> null;
        };
    }

    /**
     * A comeback, keyed by the UTC day it began: the rule speaks once per comeback, not once on each of the (at most
     * two) days the cluster counts as just back. A cluster that retired and came back under its id (its trend then
     * shows its old members, the quiet days and the new ones) is the same comeback.
     */
    private static Triggered regressed(AlertRule.Trigger t, ClusterState s, Instant lastFired, Instant now) {
        if (s.ticketClosedAt() != null && s.membersSinceClosed() > 0) {
            // Someone closed the cluster's issue and the problem is back: keyed by the close, once per close.
            return new Triggered(t.type(), "regressed:closed:" + s.ticketClosedAt().truncatedTo(ChronoUnit.SECONDS), null, null);
        }
        int first = dev.prism.bus.ClusterLifecycle.comebackDay(s.daily(), s.current(), t.quietDays());
        if (first < 0) {
            return null;
        }
        LocalDate began = now.atOffset(ZoneOffset.UTC).toLocalDate().minusDays(s.daily().length - 1L - first);
        if (lastFired != null && !lastFired.isBefore(began.atStartOfDay(ZoneOffset.UTC).toInstant())) {
            // The rule spoke since this comeback began: under this key, or under a close's when the cluster's issue
            // had been closed (then reopened by that notice). One comeback, one notice.
            return null;
        }
        return new Triggered(t.type(), "regressed:" + began, null, null);
    }

    private static Triggered growth(AlertRule.Trigger t, ClusterState s, Instant now, String day) {
        long current;
        long previous;
        String window;
        if ("week".equals(t.window())) {
            current = sum(s.daily(), s.daily().length - 7, s.daily().length);
            previous = sum(s.daily(), s.daily().length - 14, s.daily().length - 7);
            window = "growth:week:" + isoWeek(now);
        } else {
            current = s.current();
            previous = s.previous();
            window = "growth:day:" + day;
        }
        if (previous <= 0 || current < t.minCount()) {
            return null; // from nothing, growth is not a percentage: new_cluster and regressed say that
        }
        double percent = (current - previous) * 100.0 / previous;
        return percent >= t.percent() ? new Triggered(t.type(), window, (int) previous, percent) : null;
    }

    /**
     * The whole decision: trigger, conditions, cooldown.
     *
     * @param lastFired when this rule last fired for this cluster, null if never
     */
    public static Decision evaluate(AlertRule rule, ClusterState s, Instant lastFired, Instant now) {
        if (!rule.enabled()) {
            return new Decision(null, null, "rule disabled");
        }
        Triggered t = triggered(rule, s, lastFired, now);
        if (t == null) {
            return new Decision(null, null, "trigger does not hold");
        }
        String unmet = unmetCondition(rule.conditions(), s);
        if (unmet != null) {
            return new Decision(null, null, unmet);
        }
        if (lastFired != null && now.isBefore(lastFired.plus(Duration.ofSeconds(rule.cooldownSeconds())))) {
            return new Decision(null, null, "cooling down until " + lastFired.plus(Duration.ofSeconds(rule.cooldownSeconds())));
        }
        return new Decision(t, dedupeKey(rule.ruleId(), s.clusterId(), t.window()), "fires");
    }

    private static String isoWeek(Instant now) {
        var d = now.atOffset(ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    /** Fewer analysed traces than this in either window and a share moves by chance ({@code share_changed} min_count). */
    public static final int DEFAULT_SHARE_MIN_COUNT = 20;

    /** A theme's traces in one window: those with a finished analysis for it, and those of them relevant to it. */
    public record ShareWindow(long relevant, long analysed) {

        /** Percent of the analysed traces that were relevant; NaN without any. */
        public double percent() {
            return analysed == 0 ? Double.NaN : relevant * 100.0 / analysed;
        }
    }

    /** What {@code share_changed} compares: the last 24 h against the 24 before, the last 7 days against the 7 before. */
    public record ThemeShares(ShareWindow day, ShareWindow previousDay, ShareWindow week, ShareWindow previousWeek) {
    }

    /**
     * A theme-level firing: the share of relevant traces, in percent, in the rule's window and the one before.
     *
     * @param window the part of the de-duplication key naming the news: {@code share:day:2026-12-05}, {@code share:week:2026-W49}
     */
    public record ShareFiring(String window, double share, double previousShare, ShareWindow current, ShareWindow previous) {
    }

    public record ShareDecision(ShareFiring firing, String dedupeKey, String reason) {
        public boolean fires() {
            return firing != null;
        }
    }

    /** What a theme-level notice is kept under where a cluster's id would be (firings, cooldown, tracker tickets). */
    public static String themeSubject(String themeId) {
        return "theme:" + themeId;
    }

    /**
     * {@code share_changed}: the theme's share of relevant traces (relevant ÷ analysed) moved by at least
     * {@code points} percentage points, either way, from the window before to the rule's window ({@code day}: the last
     * 24 h, {@code week}: the last 7 days), both windows with at least {@code min_count} analysed traces. Once per UTC
     * day or ISO week; cooldown as for clusters.
     *
     * @param lastFired when this rule last fired for the theme, null if never
     */
    public static ShareDecision shareChanged(AlertRule rule, ThemeShares s, Instant lastFired, Instant now) {
        if (!rule.enabled()) {
            return new ShareDecision(null, null, "rule disabled");
        }
        AlertRule.Trigger t = rule.trigger();
        boolean week = "week".equals(t.window());
        ShareWindow current = week ? s.week() : s.day();
        ShareWindow previous = week ? s.previousWeek() : s.previousDay();
        int min = t.minCount() == null ? DEFAULT_SHARE_MIN_COUNT : t.minCount();
        if (current.analysed() < min || previous.analysed() < min) {
            return new ShareDecision(null, null, "fewer than " + min + " analysed traces in a window");
        }
        double moved = current.percent() - previous.percent();
        if (Math.abs(moved) + 1e-9 < t.points()) { // 10 % → 30 % is 20 points, whatever the last bit of the division says
            return new ShareDecision(null, null, String.format(Locale.ROOT, "share moved %.1f points", moved));
        }
        if (lastFired != null && now.isBefore(lastFired.plus(Duration.ofSeconds(rule.cooldownSeconds())))) {
            return new ShareDecision(null, null, "cooling down until " + lastFired.plus(Duration.ofSeconds(rule.cooldownSeconds())));
        }
        String window = week ? "share:week:" + isoWeek(now) : "share:day:" + now.atOffset(ZoneOffset.UTC).toLocalDate();
        return new ShareDecision(new ShareFiring(window, current.percent(), previous.percent(), current, previous),
                dedupeKey(rule.ruleId(), themeSubject(rule.themeId()), window), "fires");
    }

    public static String dedupeKey(String ruleId, String clusterId, String window) {
        return ruleId + "/" + clusterId + "/" + window;
    }

    /** The first condition the cluster fails, or null when all hold. */
    static String unmetCondition(AlertRule.Conditions c, ClusterState s) {
        if (c.titleContains() != null && (s.title() == null
                || !s.title().toLowerCase(Locale.ROOT).contains(c.titleContains().toLowerCase(Locale.ROOT)))) {
            return "title does not contain '" + c.titleContains() + "'";
        }
        if (c.minDistinctUsers() != null && s.distinctUsers() < c.minDistinctUsers()) {
            return "fewer than " + c.minDistinctUsers() + " distinct users";
        }
        if (c.minSeverity() != null && s.severity() != null && severityRank(s.severity()) < severityRank(c.minSeverity())) {
            return "severity below " + c.minSeverity();
        }
        return null;
    }

    /** -1 for unknown: a cluster whose severity is unknown passes no severity condition. */
    public static int severityRank(String severity) {
        return severity == null ? -1 : RuleParser.SEVERITIES.indexOf(severity.toLowerCase(Locale.ROOT));
    }

    /** The highest of some severities, or empty when none is known. */
    public static String highest(Iterable<String> severities) {
        String best = "";
        for (String s : severities) {
            if (severityRank(s) > severityRank(best)) {
                best = s.toLowerCase(Locale.ROOT);
            }
        }
        return best;
    }

    private static long sum(long[] values, int from, int to) {
        long s = 0;
        for (int i = Math.max(0, from); i < Math.min(values.length, to); i++) {
            s += values[i];
        }
        return s;
    }
}
