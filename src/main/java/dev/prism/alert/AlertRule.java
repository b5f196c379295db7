package dev.prism.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * One alert rule of a theme, as stored: what to watch ({@link Trigger}), which clusters qualify ({@link Conditions}),
 * where to send ({@code destinations}, each a JSON object with {@code type} and its secrets) and how often at most.
 * Pure.
 */
public record AlertRule(String projectId, String ruleId, String name, String themeId, Trigger trigger, Conditions conditions,
                        List<ObjectNode> destinations, int cooldownSeconds, boolean enabled, Instant createdAt, Instant updatedAt) {

    public static final String NEW_CLUSTER = "new_cluster";
    public static final String SIZE_REACHED = "size_reached";
    public static final String GROWTH = "growth";
    public static final String REGRESSED = "regressed";
    public static final String SHARE_CHANGED = "share_changed";
    public static final String TEST = "test";
    public static final List<String> TRIGGERS = List.of(NEW_CLUSTER, SIZE_REACHED, GROWTH, REGRESSED, SHARE_CHANGED);

    public AlertRule {
        destinations = List.copyOf(destinations);
    }

    /**
     * @param size       {@code size_reached}: members at least
     * @param percent    {@code growth}: the window's count over the window before, in percent above it
     * @param window     {@code growth} and {@code share_changed}: {@code day} or {@code week}
     * @param minCount   {@code growth}: members in the window at least, so 1 → 3 is not a 200 % alert;
     *                   {@code share_changed}: analysed traces in each window at least
     * @param quietDays  {@code regressed}: days without members before the cluster came back
     * @param points     {@code share_changed}: percentage points the theme's share of relevant traces (relevant ÷
     *                   analysed) moved, either way
     */
    public record Trigger(String type, Integer size, Double percent, String window, Integer minCount, Integer quietDays, Double points) {
    }

    /** Every condition set must hold; null means not checked. */
    public record Conditions(String titleContains, String minSeverity, Integer minDistinctUsers) {
        public static final Conditions NONE = new Conditions(null, null, null);
    }
}
