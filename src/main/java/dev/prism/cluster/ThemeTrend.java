package dev.prism.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A theme over time: its relevant summaries (the ones the clustering knows, each trace once) and how many clusters it
 * had, per UTC hour, day and 7-day week, in the buckets {@link Trends} uses for clusters. The cluster count of a bucket
 * is that of the last re-clustering before the bucket ended (clusters only change at runs); 0 before the first. Pure.
 */
public final class ThemeTrend {

    public record Point(Instant start, long relevant, int clusters) {
    }

    public record Series(List<Point> hourly, List<Point> daily, List<Point> weekly) {
    }

    private ThemeTrend() {
    }

    /**
     * @param members     when each relevant summary arrived (epoch milliseconds), any order
     * @param runTimes    when each re-clustering ended (epoch milliseconds), oldest first
     * @param runClusters the clusters each of those runs left
     */
    public static Series of(long[] members, long[] runTimes, int[] runClusters, Instant now, int hours, int days, int weeks) {
        if (runTimes.length != runClusters.length) {
            throw new IllegalArgumentException("one cluster count per run: " + runTimes.length + " runs, " + runClusters.length + " counts");
        }
        Trends.Trend t = Trends.of(members, members, now, Duration.ofDays(1), hours, days, weeks);
        return new Series(points(t.hourly(), Duration.ofHours(1), runTimes, runClusters),
                points(t.daily(), Duration.ofDays(1), runTimes, runClusters),
                points(t.weekly(), Duration.ofDays(7), runTimes, runClusters));
    }

    private static List<Point> points(List<Trends.Bucket> buckets, Duration width, long[] runTimes, int[] runClusters) {
        List<Point> out = new ArrayList<>(buckets.size());
        int run = -1;
        for (Trends.Bucket b : buckets) {
            long end = b.start().toEpochMilli() + width.toMillis();
            while (run + 1 < runTimes.length && runTimes[run + 1] < end) {
                run++;
            }
            out.add(new Point(b.start(), b.count(), run < 0 ? 0 : runClusters[run]));
        }
        return List.copyOf(out);
    }
}
