package dev.prism.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * How a cluster moves over time, from its members' timestamps: counts per UTC hour and per UTC day, the count in the
 * last period against the period of equal length before it, and its share of the theme in the last period. Pure.
 */
public final class Trends {

    /** Count of members in {@code [start, start + bucket length)}. */
    public record Bucket(Instant start, long count) {
    }

    /**
     * @param hourly   the last {@code hours} UTC hours, oldest first, the current (partial) hour last
     * @param daily    the last {@code days} UTC days, oldest first, today (partial) last
     * @param weekly   the last {@code weeks} spans of 7 UTC days, oldest first, the one ending with today (partial) last
     * @param current  members in {@code [now - period, now)}
     * @param previous members in {@code [now - 2 period, now - period)}
     * @param growth   {@code (current - previous) / previous}; null when there was nothing before (a new cluster has
     *                 no finite growth)
     * @param share    {@code current} over the theme's summaries in the same period; 0 when the theme had none
     */
    public record Trend(List<Bucket> hourly, List<Bucket> daily, List<Bucket> weekly, long current, long previous, Double growth, double share) {
    }

    private Trends() {
    }

    /**
     * @param members    timestamps (epoch milliseconds) of the cluster's members
     * @param themeTotal timestamps of all the theme's summaries, members included
     */
    public static Trend of(long[] members, long[] themeTotal, Instant now, Duration period, int hours, int days) {
        return of(members, themeTotal, now, period, hours, days, 0);
    }

    /** As {@link #of(long[], long[], Instant, Duration, int, int)}, with {@code weeks} weekly buckets too. */
    public static Trend of(long[] members, long[] themeTotal, Instant now, Duration period, int hours, int days, int weeks) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        long end = now.toEpochMilli();
        long length = period.toMillis();
        long current = count(members, end - length, end);
        long previous = count(members, end - 2 * length, end - length);
        long themeCurrent = count(themeTotal, end - length, end);
        Double growth = previous == 0 ? null : (double) (current - previous) / previous;
        double share = themeCurrent == 0 ? 0 : (double) current / themeCurrent;
        return new Trend(buckets(members, now.truncatedTo(ChronoUnit.HOURS), Duration.ofHours(1), hours),
                buckets(members, now.truncatedTo(ChronoUnit.DAYS), Duration.ofDays(1), days),
                // Weeks end with today rather than on a weekday, so the last bar is the last seven days.
                buckets(members, now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(6)), Duration.ofDays(7), weeks),
                current, previous, growth, share);
    }

    private static List<Bucket> buckets(long[] times, Instant lastStart, Duration width, int count) {
        long w = width.toMillis();
        long first = lastStart.toEpochMilli() - (count - 1L) * w;
        long[] counts = new long[Math.max(0, count)];
        for (long t : times) {
            if (t >= first && t < first + count * w) {
                counts[(int) ((t - first) / w)]++;
            }
        }
        List<Bucket> out = new ArrayList<>(counts.length);
        for (int b = 0; b < counts.length; b++) {
            out.add(new Bucket(Instant.ofEpochMilli(first + b * w), counts[b]));
        }
        return List.copyOf(out);
    }

    private static long count(long[] times, long from, long to) {
        long c = 0;
        for (long t : times) {
            if (t >= from && t < to) {
                c++;
            }
        }
        return c;
    }
}
