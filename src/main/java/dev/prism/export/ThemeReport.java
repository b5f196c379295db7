package dev.prism.export;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * What an export holds, independent of its format: one theme's active clusters, largest first, with their trends,
 * representative summaries and members (at most {@code memberLimit} per cluster, nearest the centroid first).
 *
 * @param themeSummaries summaries of the theme the clustering knows (in a cluster or not)
 * @param unassigned     of those, the ones in no cluster ("Other")
 * @param lastRunAt      the latest re-clustering, null before the first
 */
public record ThemeReport(String projectId, String themeId, String themeName, String themeDescription, Instant generatedAt,
                          int themeSummaries, int unassigned, Instant lastRunAt, int memberLimit, String themeLink,
                          List<ClusterPart> clusters) {

    /**
     * @param share          the cluster's members over the theme's summaries
     * @param lifecycle      new, growing, stable, fading or regressed when the clustering says; null otherwise
     * @param daily          counts per UTC day, oldest first
     * @param lastDay        members in the last 24 hours
     * @param previousDay    members in the 24 hours before
     * @param growth         lastDay over previousDay minus one; null when the day before had none
     * @param representatives the summaries nearest the centroid (at most three)
     * @param members        nearest the centroid first, at most the report's member limit
     */
    public record ClusterPart(String id, String title, String description, int size, double share, String lifecycle, List<Day> daily,
                              long lastDay, long previousDay, Double growth, double errorRate, int distinctUsers, String link,
                              List<Member> representatives, List<Member> members) {

        public boolean membersTruncated() {
            return members.size() < size;
        }
    }

    public record Day(LocalDate date, long count) {
    }

    /** @param title null when the summary is no longer listed */
    public record Member(String traceId, int traceVersion, Double distance, Instant at, String title, String summary, String link) {
    }
}
