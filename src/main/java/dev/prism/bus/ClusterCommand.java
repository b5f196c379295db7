package dev.prism.bus;

import java.time.Instant;
import java.util.Map;

/**
 * A request to the clustering feature. Replies: {@link Clusters} for {@code List}, {@link Detail} for {@code Get},
 * {@link RunResult} for {@code Refresh} (once the re-clustering is stored). Failures carry 400 (an unusable
 * {@code clustering_config}, named) and 404 (unknown theme or cluster).
 */
public sealed interface ClusterCommand {

    String projectId();

    /** The theme's active clusters, largest first. */
    record List(String projectId, String themeId) implements ClusterCommand {
    }

    /** One cluster (active or retired) with up to {@code membersLimit} members ranked by distance to the centroid. */
    record Get(String projectId, String clusterId, int membersLimit) implements ClusterCommand {
        public static final int DEFAULT_MEMBERS = 100;
        public static final int MAX_MEMBERS = 100_000;

        public Get(String projectId, String clusterId) {
            this(projectId, clusterId, DEFAULT_MEMBERS);
        }
    }

    /** Re-cluster the theme now; answers when the run is stored. */
    record Refresh(String projectId, String themeId) implements ClusterCommand {
    }

    /**
     * Counts per UTC hour and day (oldest first), the last day against the day before, share of the theme's last day and
     * of the theme's day before ({@code previousShare}).
     */
    record Trend(java.util.List<Bucket> hourly, java.util.List<Bucket> daily, long current, long previous, Double growth, double share,
                 double previousShare) {
    }

    record Bucket(Instant start, long count) {
    }

    /**
     * @param shareOfTheme members of the cluster over the theme's summaries (assigned or not)
     * @param errorRate    share of members whose trace had at least one error
     */
    record Metrics(double shareOfTheme, Double avgLatencySeconds, Double avgCostUsd, double errorRate, int distinctUsers) {
    }

    /** @param lifecycle {@code new}, {@code growing}, {@code stable}, {@code fading} or {@code regressed}, from the trend */
    record Cluster(String clusterId, String themeId, String title, String description, int size, String status, double x,
                   double y, Instant createdAt, Instant updatedAt, Instant namedAt, Trend trend, Metrics metrics, String lifecycle) {
    }

    /**
     * @param themeMembers summaries of the theme the clustering knows (members plus unassigned)
     * @param unassigned   summaries in no cluster ("Other"): too far from every centroid or in a cluster too small
     * @param lastRun      the latest re-clustering, null before the first
     */
    record Clusters(String projectId, String themeId, int themeMembers, int unassigned, java.util.List<Cluster> clusters, RunResult lastRun) {
    }

    /** {@code title}/{@code summary}: the trace's summary in the theme, when still listed. */
    record Member(String traceId, int traceVersion, double distance, Instant at, String title, String summary) {
    }

    /** One lineage event of a cluster in a re-clustering run. */
    record Lineage(long runId, String event, java.util.List<String> sources, String into, int size, Instant at) {
    }

    record Detail(Cluster cluster, java.util.List<Member> members, java.util.List<Member> representatives, java.util.List<Lineage> history) {
    }

    /**
     * A re-clustering's figures.
     *
     * @param items    summaries clustered
     * @param outliers summaries left in "Other"
     * @param lineage  clusters per lineage event (NEW, SAME, GROWN, SHRUNK, MERGED, SPLIT, RETIRED)
     * @param renamed  clusters (re)named because they are new or their members changed materially
     */
    record RunResult(long runId, String projectId, String themeId, int items, int clusters, int outliers, Map<String, Integer> lineage,
                     int renamed, long elapsedMillis, String detail, Instant at) {
    }
}
