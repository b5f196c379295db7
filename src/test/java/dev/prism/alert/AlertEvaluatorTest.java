package dev.prism.alert;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Alert evaluation")
class AlertEvaluatorTest {

    private static final Instant NOW = Instant.parse("2026-12-05T13:00:00Z");

    private static AlertRule rule(AlertRule.Trigger trigger, AlertRule.Conditions conditions, int cooldown) {
        return new AlertRule("p", "r1", "rule", "error_analysis", trigger, conditions, List.of(), cooldown, true, NOW, NOW);
    }

    private static AlertRule growth(double percent, String window, int minCount) {
        return rule(new AlertRule.Trigger(AlertRule.GROWTH, null, percent, window, minCount, null, null), AlertRule.Conditions.NONE, 3600);
    }

    /** 14 daily counts, today last. */
    private static AlertEvaluator.ClusterState cluster(int size, long current, long previous, String lifecycle, long... daily) {
        long[] days = daily.length == 0 ? new long[14] : daily;
        return new AlertEvaluator.ClusterState("c1", "Payment gateway timed out", "active", size, lifecycle, days, current, previous, 4, null);
    }

    @Test
    @DisplayName("a threefold day-over-day growth fires a growth rule of 200 %, keyed by rule, cluster and UTC day")
    void growthFires() {
        AlertEvaluator.Decision d = AlertEvaluator.evaluate(growth(200, "day", 10), cluster(40, 30, 10, "growing"), null, NOW);
        assertThat(d.fires()).isTrue();
        assertThat(d.firing().kind()).isEqualTo("growth");
        assertThat(d.firing().previousSize()).isEqualTo(10);
        assertThat(d.firing().growthPercent()).isEqualTo(200.0);
        assertThat(d.dedupeKey()).isEqualTo("r1/c1/growth:day:2026-12-05");
    }

    @Test
    @DisplayName("growth below the percentage, below min_count, or from nothing does not fire")
    void growthHolds() {
        assertThat(AlertEvaluator.evaluate(growth(200, "day", 10), cluster(29, 29, 10, "growing"), null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(growth(100, "day", 10), cluster(9, 6, 3, "growing"), null, NOW).fires()).as("min_count").isFalse();
        assertThat(AlertEvaluator.evaluate(growth(100, "day", 1), cluster(30, 30, 0, "new"), null, NOW).fires()).as("from zero").isFalse();
    }

    @Test
    @DisplayName("week-over-week growth compares the last 7 UTC days with the 7 before and is keyed by ISO week")
    void weekly() {
        long[] daily = {1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2};
        AlertEvaluator.Decision d = AlertEvaluator.evaluate(growth(100, "week", 10), cluster(21, 2, 2, "stable", daily), null, NOW);
        assertThat(d.fires()).isTrue();
        assertThat(d.firing().previousSize()).isEqualTo(7);
        assertThat(d.dedupeKey()).isEqualTo("r1/c1/growth:week:2026-W49");
        daily[13] = 1;
        assertThat(AlertEvaluator.evaluate(growth(100, "week", 10), cluster(20, 1, 2, "stable", daily), null, NOW).fires()).isFalse();
    }

    @Test
    @DisplayName("the cooldown keeps a rule quiet about a cluster it fired for, and lets it speak after")
    void cooldown() {
        AlertRule r = growth(200, "day", 10);
        AlertEvaluator.ClusterState c = cluster(40, 30, 10, "growing");
        assertThat(AlertEvaluator.evaluate(r, c, NOW.minusSeconds(3599), NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(r, c, NOW.minusSeconds(3599), NOW).reason()).startsWith("cooling down");
        assertThat(AlertEvaluator.evaluate(r, c, NOW.minusSeconds(3600), NOW).fires()).isTrue();
    }

    @Test
    @DisplayName("new_cluster fires for a new cluster only, once per cluster; size_reached once per threshold")
    void newAndSize() {
        AlertRule fresh = rule(new AlertRule.Trigger(AlertRule.NEW_CLUSTER, null, null, null, null, null, null), AlertRule.Conditions.NONE, 0);
        assertThat(AlertEvaluator.evaluate(fresh, cluster(8, 8, 0, "new"), null, NOW).dedupeKey()).isEqualTo("r1/c1/new");
        assertThat(AlertEvaluator.evaluate(fresh, cluster(8, 8, 8, "stable"), null, NOW).fires()).isFalse();
        AlertRule size = rule(new AlertRule.Trigger(AlertRule.SIZE_REACHED, 50, null, null, null, null, null), AlertRule.Conditions.NONE, 0);
        assertThat(AlertEvaluator.evaluate(size, cluster(49, 1, 1, "stable"), null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(size, cluster(50, 1, 1, "stable"), null, NOW).dedupeKey()).isEqualTo("r1/c1/size:50");
    }

    @Test
    @DisplayName("regressed fires when a cluster quiet for quiet_days gets members again; share_changed on a move of the points")
    void regressedAndShare() {
        AlertRule back = rule(new AlertRule.Trigger(AlertRule.REGRESSED, null, null, null, null, 5, null), AlertRule.Conditions.NONE, 0);
        long[] daily = {3, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
        assertThat(AlertEvaluator.evaluate(back, cluster(11, 2, 0, "regressed", daily), null, NOW).dedupeKey()).isEqualTo("r1/c1/regressed:2026-12-05");
        long[] shortGap = {0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2};
        assertThat(AlertEvaluator.evaluate(back, cluster(5, 2, 0, "growing", shortGap), null, NOW).fires()).as("3 quiet days < 5").isFalse();
        AlertRule share = rule(new AlertRule.Trigger(AlertRule.SHARE_CHANGED, null, null, "day", null, null, 20.0), AlertRule.Conditions.NONE, 0);
        assertThat(AlertEvaluator.evaluate(share, cluster(10, 3, 1, "growing"), null, NOW).fires()).as("share_changed is not about a cluster").isFalse();
    }

    private static AlertRule share(String window, double points, Integer minCount, int cooldown) {
        return rule(new AlertRule.Trigger(AlertRule.SHARE_CHANGED, null, null, window, minCount, null, points), AlertRule.Conditions.NONE, cooldown);
    }

    private static AlertEvaluator.ShareWindow w(long relevant, long analysed) {
        return new AlertEvaluator.ShareWindow(relevant, analysed);
    }

    @Test
    @DisplayName("share_changed: the theme's share of relevant traces, day against day or week against week, by points either way, once per day or week")
    void themeShare() {
        // Day: 30 of 100 relevant against 10 of 100 the day before; week: 140 of 700 against 140 of 700.
        AlertEvaluator.ThemeShares s = new AlertEvaluator.ThemeShares(w(30, 100), w(10, 100), w(140, 700), w(140, 700));
        AlertEvaluator.ShareDecision day = AlertEvaluator.shareChanged(share("day", 20, null, 3600), s, null, NOW);
        assertThat(day.fires()).as("10 % → 30 % is 20 points").isTrue();
        assertThat(day.firing().share()).isEqualTo(30.0);
        assertThat(day.firing().previousShare()).isEqualTo(10.0);
        assertThat(day.firing().current()).isEqualTo(w(30, 100));
        assertThat(day.dedupeKey()).isEqualTo("r1/theme:error_analysis/share:day:2026-12-05");
        assertThat(AlertEvaluator.shareChanged(share("day", 20.5, null, 0), s, null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.shareChanged(share("week", 5, null, 0), s, null, NOW).fires()).as("the week did not move").isFalse();

        // A fall counts the same; the week window is keyed by ISO week.
        AlertEvaluator.ThemeShares fell = new AlertEvaluator.ThemeShares(w(5, 50), w(5, 50), w(70, 700), w(210, 700));
        AlertEvaluator.ShareDecision week = AlertEvaluator.shareChanged(share("week", 20, null, 0), fell, null, NOW);
        assertThat(week.fires()).isTrue();
        assertThat(week.firing().share()).isEqualTo(10.0);
        assertThat(week.firing().previousShare()).isEqualTo(30.0);
        assertThat(week.dedupeKey()).isEqualTo("r1/theme:error_analysis/share:week:2026-W49");

        // Too few analysed traces in either window: a share of a handful moves by chance.
        AlertEvaluator.ThemeShares few = new AlertEvaluator.ThemeShares(w(9, 10), w(1, 10), w(0, 0), w(0, 0));
        assertThat(AlertEvaluator.shareChanged(share("day", 20, null, 0), few, null, NOW).reason()).contains("fewer than 20 analysed traces");
        assertThat(AlertEvaluator.shareChanged(share("day", 20, 10, 0), few, null, NOW).fires()).isTrue();
        assertThat(AlertEvaluator.shareChanged(share("week", 1, 1, 0), few, null, NOW).fires()).as("no traces at all").isFalse();

        // Cooldown per rule and theme.
        assertThat(AlertEvaluator.shareChanged(share("day", 20, null, 3600), s, NOW.minusSeconds(600), NOW).reason()).startsWith("cooling down");
    }

    @Test
    @DisplayName("a comeback is told once: on its second day the de-duplication key still names the day it began")
    void comebackOnce() {
        AlertRule back = rule(new AlertRule.Trigger(AlertRule.REGRESSED, null, null, null, null, 3, null), AlertRule.Conditions.NONE, 0);
        long[] firstDay = {0, 0, 0, 0, 4, 6, 2, 0, 0, 0, 0, 0, 0, 3};
        AlertEvaluator.Decision d = AlertEvaluator.evaluate(back, cluster(15, 3, 0, "regressed", firstDay), null, NOW);
        assertThat(d.dedupeKey()).isEqualTo("r1/c1/regressed:2026-12-05");
        long[] secondDay = {0, 0, 0, 4, 6, 2, 0, 0, 0, 0, 0, 0, 3, 5};
        AlertEvaluator.Decision next = AlertEvaluator.evaluate(back, cluster(20, 8, 3, "regressed", secondDay), null, NOW.plus(java.time.Duration.ofDays(1)));
        assertThat(next.fires()).isTrue();
        assertThat(next.dedupeKey()).as("the same comeback").isEqualTo(d.dedupeKey());
        // Members only yesterday: the comeback began yesterday.
        long[] yesterday = {0, 0, 0, 4, 6, 2, 0, 0, 0, 0, 0, 0, 3, 0};
        assertThat(AlertEvaluator.evaluate(back, cluster(15, 3, 0, "regressed", yesterday), null, NOW).dedupeKey())
                .isEqualTo("r1/c1/regressed:2026-12-04");
        // A third day back is no longer a comeback; a later comeback after new quiet days is another one.
        long[] thirdDay = {0, 0, 4, 6, 2, 0, 0, 0, 0, 0, 0, 3, 5, 1};
        assertThat(AlertEvaluator.evaluate(back, cluster(21, 1, 5, "stable", thirdDay), null, NOW).fires()).isFalse();
        long[] again = {4, 6, 2, 0, 0, 0, 3, 5, 1, 0, 0, 0, 0, 2};
        assertThat(AlertEvaluator.evaluate(back, cluster(23, 2, 0, "regressed", again), null, NOW).dedupeKey())
                .isEqualTo("r1/c1/regressed:2026-12-05");
    }

    @Test
    @DisplayName("regressed: members after the cluster's ticket was closed are a comeback, keyed by the close, whatever the trend")
    void ticketClosedComeback() {
        AlertRule back = rule(new AlertRule.Trigger(AlertRule.REGRESSED, null, null, null, null, 3, null), AlertRule.Conditions.NONE, 0);
        long[] steady = {2, 3, 2, 4, 3, 2, 3, 2, 4, 3, 2, 3, 2, 3};
        Instant closed = Instant.parse("2026-12-05T09:15:42.123456Z");
        AlertEvaluator.ClusterState base = cluster(38, 5, 2, "growing", steady);
        assertThat(AlertEvaluator.evaluate(back, base, null, NOW).fires()).as("no close, no quiet days").isFalse();

        AlertEvaluator.Decision d = AlertEvaluator.evaluate(back, base.withTicketClosed(closed, 3), null, NOW);
        assertThat(d.fires()).isTrue();
        assertThat(d.firing().kind()).isEqualTo("regressed");
        assertThat(d.dedupeKey()).isEqualTo("r1/c1/regressed:closed:2026-12-05T09:15:42Z");
        assertThat(AlertEvaluator.evaluate(back, base.withTicketClosed(closed, 7), NOW, NOW.plusSeconds(60)).dedupeKey())
                .as("the same close: the same news, whenever evaluated").isEqualTo(d.dedupeKey());
        assertThat(AlertEvaluator.evaluate(back, base.withTicketClosed(closed, 0), null, NOW).fires()).as("closed, nothing new since").isFalse();
        assertThat(AlertEvaluator.evaluate(back, base.withTicketClosed(closed, 4).withSeverity("low"), null, NOW).dedupeKey())
                .as("the second look keeps the close").isEqualTo(d.dedupeKey());
        AlertEvaluator.ClusterState retired = new AlertEvaluator.ClusterState("c1", "x", "retired", 10, "fading", steady, 0, 0, 1, null)
                .withTicketClosed(closed, 4);
        assertThat(AlertEvaluator.evaluate(back, retired, null, NOW).fires()).isFalse();
        AlertRule growth = growth(200, "day", 10);
        assertThat(AlertEvaluator.evaluate(growth, base.withTicketClosed(closed, 3), null, NOW).fires()).as("only regressed reads the close").isFalse();
    }

    @Test
    @DisplayName("a comeback after quiet days whose issue was also closed is told once, under the close or the day, not both")
    void closedAndQuietComeback() {
        AlertRule back = rule(new AlertRule.Trigger(AlertRule.REGRESSED, null, null, null, null, 3, null), AlertRule.Conditions.NONE, 0);
        long[] daily = {3, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
        Instant closed = Instant.parse("2026-12-01T10:00:00Z");
        AlertEvaluator.ClusterState back2 = cluster(11, 2, 0, "regressed", daily);
        // Both hold: the close names it; that notice reopens the issue, after which the day's key would be the same news.
        AlertEvaluator.Decision first = AlertEvaluator.evaluate(back, back2.withTicketClosed(closed, 2), null, NOW);
        assertThat(first.dedupeKey()).isEqualTo("r1/c1/regressed:closed:2026-12-01T10:00:00Z");
        Instant fired = NOW.minusSeconds(30);
        assertThat(AlertEvaluator.evaluate(back, back2, fired, NOW).fires()).as("reopened: the same comeback, told already").isFalse();
        long[] secondDay = {4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3};
        assertThat(AlertEvaluator.evaluate(back, cluster(14, 5, 2, "regressed", secondDay), null, NOW.plus(java.time.Duration.ofDays(1))).dedupeKey())
                .as("(the comeback began on the 5th)").isEqualTo("r1/c1/regressed:2026-12-05");
        assertThat(AlertEvaluator.evaluate(back, cluster(14, 5, 2, "regressed", secondDay), fired, NOW.plus(java.time.Duration.ofDays(1))).fires())
                .as("its second day").isFalse();
        // The rule spoke before this comeback began (an earlier one): this one is news.
        assertThat(AlertEvaluator.evaluate(back, back2, Instant.parse("2026-12-04T23:59:59Z"), NOW).dedupeKey()).isEqualTo("r1/c1/regressed:2026-12-05");
        // Told by the day first; the issue closed again today and members after that: another comeback, under the new close.
        Instant closedToday = Instant.parse("2026-12-05T12:00:00Z");
        assertThat(AlertEvaluator.evaluate(back, back2.withTicketClosed(closedToday, 1), fired, NOW).dedupeKey())
                .isEqualTo("r1/c1/regressed:closed:2026-12-05T12:00:00Z");
    }

    @Test
    @DisplayName("conditions: title contains (any case), minimum distinct users, minimum severity (unknown severity never passes)")
    void conditions() {
        AlertRule.Trigger t = new AlertRule.Trigger(AlertRule.SIZE_REACHED, 5, null, null, null, null, null);
        AlertEvaluator.ClusterState c = cluster(10, 1, 1, "stable");
        assertThat(AlertEvaluator.evaluate(rule(t, new AlertRule.Conditions("GATEWAY", null, null), 0), c, null, NOW).fires()).isTrue();
        assertThat(AlertEvaluator.evaluate(rule(t, new AlertRule.Conditions("refund", null, null), 0), c, null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(rule(t, new AlertRule.Conditions(null, null, 5), 0), c, null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(rule(t, new AlertRule.Conditions(null, null, 4), 0), c, null, NOW).fires()).isTrue();
        AlertRule high = rule(t, new AlertRule.Conditions(null, "high", null), 0);
        assertThat(AlertEvaluator.evaluate(high, c, null, NOW).fires()).as("not looked up yet: left for the second look").isTrue();
        assertThat(AlertEvaluator.evaluate(high, c.withSeverity("medium"), null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(high, c.withSeverity(""), null, NOW).fires()).isFalse();
        assertThat(AlertEvaluator.evaluate(high, c.withSeverity(AlertEvaluator.highest(List.of("low", "high", "medium"))), null, NOW).fires()).isTrue();
    }

    @Test
    @DisplayName("a disabled rule and a retired cluster never fire")
    void quiet() {
        AlertRule.Trigger t = new AlertRule.Trigger(AlertRule.SIZE_REACHED, 5, null, null, null, null, null);
        AlertRule off = new AlertRule("p", "r1", "rule", "t", t, AlertRule.Conditions.NONE, List.of(), 0, false, NOW, NOW);
        assertThat(AlertEvaluator.evaluate(off, cluster(10, 1, 1, "stable"), null, NOW).fires()).isFalse();
        AlertEvaluator.ClusterState retired = new AlertEvaluator.ClusterState("c1", "x", "retired", 10, "fading", new long[14], 1, 1, 1, null);
        assertThat(AlertEvaluator.evaluate(rule(t, AlertRule.Conditions.NONE, 0), retired, null, NOW).fires()).isFalse();
    }
}
