package dev.prism.bus;

import java.time.Instant;
import java.util.Map;

/**
 * Requests to the clustering feature, one address per verb ({@code prism.cluster.list}, {@code .get}, {@code .of-trace},
 * {@code .members-since}, {@code .map}, {@code .refresh}; see {@link Addresses}). {@code R} is the reply:
 * {@link Clusters} for {@code List}, {@link Detail} for {@code Get}, {@link TraceClusters} for {@code OfTrace},
 * {@link MemberCounts} for {@code MembersSince}, {@link MapPoints} for {@code MapQuery}, {@link RunResult} for
 * {@code Refresh} (once the re-clustering is stored). Failures carry 400 (an unusable {@code clustering_config}, named)
 * and 404 (unknown theme or cluster).
 *
 * @param <R> the reply's type
 */
public sealed interface ClusterCommand<R> extends Request<R> {

    String projectId();

    /** The address of the request's verb, for callers that send several kinds of cluster request through one path. */
    String address();

    /** The theme's active clusters, largest first. */
    record List(String projectId, String themeId) implements ClusterCommand<Clusters> {
        @Override
        public String address() {
            return Addresses.CLUSTER_LIST;
        }
    }

    /**
     * One cluster (active or retired) with up to {@code membersLimit} members ranked by distance to the centroid, from
     * the {@code membersOffset}-th on (a page of the cluster's page). {@code memberTitles}: each member of the page
     * carries its summary's title and text (one summary look-up per member, hence at most {@link #MAX_TITLED} of them).
     */
    record Get(String projectId, String clusterId, int membersLimit, int membersOffset, boolean memberTitles) implements ClusterCommand<Detail> {
        @Override
        public String address() {
            return Addresses.CLUSTER_GET;
        }

        public static final int DEFAULT_MEMBERS = 100;
        public static final int MAX_MEMBERS = 100_000;
        public static final int MAX_TITLED = 100;

        public Get(String projectId, String clusterId) {
            this(projectId, clusterId, DEFAULT_MEMBERS);
        }

        public Get(String projectId, String clusterId, int membersLimit) {
            this(projectId, clusterId, membersLimit, 0, false);
        }
    }

    /** The cluster of one trace in every theme that clustered it. Replies {@link TraceClusters}. */
    record OfTrace(String projectId, String traceId) implements ClusterCommand<TraceClusters> {
        @Override
        public String address() {
            return Addresses.CLUSTER_OF_TRACE;
        }
    }

    /**
     * @param clusterId null when the trace's summary is in no cluster of the theme ("Other")
     * @param title     the cluster's name, null for Other
     * @param status    {@code active} or {@code retired}; null for Other
     */
    record Membership(String themeId, String clusterId, String title, String status, int traceVersion) {
    }

    record TraceClusters(String projectId, String traceId, java.util.List<Membership> memberships) {
    }

    /**
     * How many members each cluster gained after a time (alert rules: members after a cluster's ticket was closed).
     * Replies {@link MemberCounts}, every asked cluster present (0 when none, or unknown).
     */
    record MembersSince(String projectId, Map<String, Instant> since) implements ClusterCommand<MemberCounts> {
        @Override
        public String address() {
            return Addresses.CLUSTER_MEMBERS_SINCE;
        }
    }

    record MemberCounts(Map<String, Long> counts) {
    }

    /**
     * The theme's members as points on the 2-D map, at most {@code limit} (a stratified sample above it). Replies
     * {@link MapPoints}.
     */
    record MapQuery(String projectId, String themeId, int limit) implements ClusterCommand<MapPoints> {
        @Override
        public String address() {
            return Addresses.CLUSTER_MAP;
        }

        public static final int DEFAULT_LIMIT = 2_000;
        public static final int MAX_LIMIT = 10_000;
    }

    /** @param clusterId null for Other */
    record MapPoint(String traceId, String clusterId, float x, float y) {
    }

    /**
     * @param members summaries of the theme the clustering knows
     * @param placed  of them, those with a vector, which could be drawn
     * @param points  what is drawn: all placed members, or a sample of them when {@code points.size() < placed}
     */
    record MapPoints(String projectId, String themeId, int members, int placed, java.util.List<MapPoint> points) {
    }

    /** The theme's relevant summaries and clusters per bucket (see {@code ThemeTrend}). */
    record ThemePoint(Instant start, long relevant, int clusters) {
    }

    record ThemeTrend(java.util.List<ThemePoint> hourly, java.util.List<ThemePoint> daily, java.util.List<ThemePoint> weekly) {
    }

    /** Re-cluster the theme now; answers when the run is stored. */
    record Refresh(String projectId, String themeId) implements ClusterCommand<RunResult> {
        @Override
        public String address() {
            return Addresses.CLUSTER_REFRESH;
        }
    }

    /**
     * Counts per UTC hour, day and 7-day week (oldest first; the last week ends with today), the last day against the day before, share of the theme's last day and
     * of the theme's day before ({@code previousShare}).
     */
    record Trend(java.util.List<Bucket> hourly, java.util.List<Bucket> daily, java.util.List<Bucket> weekly, long current, long previous, Double growth, double share,
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
     * @param trend        the theme's relevant summaries and cluster count over time
     */
    record Clusters(String projectId, String themeId, int themeMembers, int unassigned, java.util.List<Cluster> clusters, RunResult lastRun,
                    ThemeTrend trend) {
    }

    /**
     * {@code title}/{@code summary}: the trace's summary in the theme, when still listed and asked for. Latency, cost and
     * errors are the trace's, as the clustering copied them (null when unknown).
     */
    record Member(String traceId, int traceVersion, double distance, Instant at, String title, String summary, Double latencySeconds,
                  Double costUsd, Integer errorCount) {
    }

    /**
     * One lineage event in a re-clustering run: of the cluster asked about, or of another cluster that continues it
     * ({@code sources} holds it: a split off it, or a merge that absorbed it). {@code title} is the name the cluster had
     * after the run (null for runs before names were kept, and for retired clusters); {@code renamed}: named anew then.
     */
    record Lineage(long runId, String clusterId, String event, java.util.List<String> sources, String into, int size, String title,
                   boolean renamed, Instant at) {
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
