package dev.prism.bus;

/**
 * Where a cluster is in its life, from its trend: {@code new} (nothing before the last day), {@code regressed} (back
 * after {@value #QUIET_DAYS} or more quiet days), {@code growing}, {@code fading} or {@code stable} (the last day against
 * the day before). Clustering publishes it with every cluster and alert rules key on it, so it lives with the bus
 * vocabulary both share. Pure.
 */
public final class ClusterLifecycle {

    public static final String NEW = "new";
    public static final String GROWING = "growing";
    public static final String STABLE = "stable";
    public static final String FADING = "fading";
    public static final String REGRESSED = "regressed";

    /** Quiet days after which new members make a cluster {@code regressed} rather than {@code growing}. */
    public static final int QUIET_DAYS = 3;
    /** The last day must be this much above (or below) the day before to count as growing (fading). */
    static final double CHANGE = 0.25;
    /** ...and differ by at least this many members: 1 against 2 is noise, not a trend. */
    static final long MIN_CHANGE = 2;

    private ClusterLifecycle() {
    }

    /**
     * @param daily    members per UTC day, oldest first, today (partial) last
     * @param current  members in the last 24 hours
     * @param previous members in the 24 hours before
     */
    public static String classify(long[] daily, long current, long previous) {
        if (regressed(daily, current, QUIET_DAYS)) {
            return REGRESSED;
        }
        if (current > 0 && previous == 0 && sum(daily, 0, daily.length - 2) == 0) {
            return NEW;
        }
        long change = current - previous;
        if (change >= MIN_CHANGE && (previous == 0 || change >= CHANGE * previous)) {
            return GROWING;
        }
        if (current == 0 || (-change >= MIN_CHANGE && -change >= CHANGE * previous)) {
            return FADING;
        }
        return STABLE;
    }

    /**
     * New members in the last day or two after at least {@code quietDays} UTC days without any, and members before
     * those: a problem that had gone away and came back.
     */
    public static boolean regressed(long[] daily, long current, int quietDays) {
        return comebackDay(daily, current, quietDays) >= 0;
    }

    /**
     * The index in {@code daily} of the first day of the comeback {@link #regressed} sees, or -1 when there is none. It
     * names the comeback: on the second day of it the index moves with the array, but the UTC day it stands for does
     * not, so "this comeback" is told once.
     */
    public static int comebackDay(long[] daily, long current, int quietDays) {
        int n = daily.length;
        if (current <= 0 || n == 0 || quietDays < 1) {
            return -1;
        }
        int j = n - 1;
        if (daily[j] == 0) {
            j--; // the members of the last 24 hours may all be from yesterday
        }
        int active = 0;
        while (j >= 0 && daily[j] > 0) {
            active++;
            j--;
        }
        if (active == 0 || active > 2) {
            return -1; // back for longer than two days: it is growing or stable again, no longer "just came back"
        }
        int first = j + 1;
        int quiet = 0;
        while (j >= 0 && daily[j] == 0) {
            quiet++;
            j--;
        }
        return quiet >= quietDays && j >= 0 ? first : -1;
    }

    private static long sum(long[] values, int from, int to) {
        long s = 0;
        for (int i = Math.max(0, from); i < Math.min(values.length, to); i++) {
            s += values[i];
        }
        return s;
    }
}
