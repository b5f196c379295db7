package dev.prism.alert;

import java.time.Instant;
import java.util.List;

/**
 * What one alert says, built once from a cluster's state when a rule fires, then rendered by each destination in its
 * own markup (Slack Block Kit, Linear or GitHub markdown, webhook JSON). Every text in it that came from trace data
 * ({@code clusterName}, {@code summaries}) is untrusted and is escaped by the destination that renders it. Pure.
 *
 * @param kind        why the rule fired: {@code new_cluster}, {@code size_reached}, {@code growth}, {@code regressed},
 *                    {@code share_changed}, or {@code test} for "send test alert"
 * @param clusterId   the cluster's stable identity (ids survive re-clustering), the key tickets are kept under; null
 *                    for a notice about the whole theme ({@code share_changed}) or a test
 * @param lifecycle   {@code new}, {@code growing}, {@code stable}, {@code fading} or {@code regressed}
 * @param previousSize the size the growth is measured against, null when not a growth alert
 * @param growthPercent growth over the rule's window, null when not measured
 * @param summaries   two or three representative summary titles or texts, nearest the centroid first
 * @param clusterUrl  the cluster's page in the dashboard ({@code dashboard.publicUrl}), null when not configured
 * @param traceUrl    a representative trace's page in the dashboard, null when not configured
 * @param dedupeKey   rule id, cluster identity and firing window: the same key is delivered at most once
 * @param sharePercent         {@code share_changed}: the theme's share of relevant traces in the rule's window, in
 *                             percent (then {@code size} and {@code previousSize} are its relevant traces in the window
 *                             and the one before); else null
 * @param previousSharePercent the same in the window before
 */
public record AlertNotice(String projectId, String ruleId, String ruleName, String themeId, String themeName,
                          String clusterId, String clusterName, String kind, String lifecycle, int size,
                          Integer previousSize, Double growthPercent, String severity, List<String> summaries,
                          String clusterUrl, String traceUrl, Instant firedAt, String dedupeKey, Double sharePercent,
                          Double previousSharePercent) {

    public AlertNotice {
        summaries = summaries == null ? List.of() : List.copyOf(summaries);
    }

    /** A notice about a cluster (no share figures). */
    public AlertNotice(String projectId, String ruleId, String ruleName, String themeId, String themeName, String clusterId,
                       String clusterName, String kind, String lifecycle, int size, Integer previousSize, Double growthPercent,
                       String severity, List<String> summaries, String clusterUrl, String traceUrl, Instant firedAt, String dedupeKey) {
        this(projectId, ruleId, ruleName, themeId, themeName, clusterId, clusterName, kind, lifecycle, size, previousSize, growthPercent,
                severity, summaries, clusterUrl, traceUrl, firedAt, dedupeKey, null, null);
    }

    /** Whether it is about the whole theme rather than one cluster. */
    public boolean themeLevel() {
        return sharePercent != null;
    }
}
