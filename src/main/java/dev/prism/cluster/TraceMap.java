package dev.prism.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster map as one point per trace: the theme's members (each in its cluster, or Other) projected to two
 * dimensions ({@link Pca2d}), at most {@code limit} of them. Above the limit the points are a stratified sample: every
 * cluster keeps its share of the points (at least one), evenly spread over its members in a fixed order, so the same
 * members give the same map. Members without a vector (not embedded yet) are counted, not drawn. Pure.
 */
public final class TraceMap {

    /** @param clusterId null for Other */
    public record Point(String traceId, String clusterId, float x, float y) {
    }

    /**
     * @param members  the theme's members the clustering knows
     * @param placed   of them, those with a vector (what could be drawn)
     * @param points   what is drawn: {@code placed} or a sample of at most the limit
     */
    public record Result(int members, int placed, List<Point> points) {
        public boolean sampled() {
            return points.size() < placed;
        }
    }

    /** A member: trace and cluster (null for Other). */
    public record Member(String traceId, String clusterId) {
    }

    private TraceMap() {
    }

    public static Result of(List<Member> members, Map<String, float[]> vectors, int limit, long seed) {
        List<Member> placed = members.stream().filter(m -> vectors.containsKey(m.traceId())).toList();
        String[] groups = placed.stream().map(m -> m.clusterId() == null ? "" : m.clusterId()).toArray(String[]::new);
        int[] chosen = sample(groups, limit);
        List<float[]> rows = new ArrayList<>(chosen.length);
        for (int i : chosen) {
            rows.add(vectors.get(placed.get(i).traceId()));
        }
        float[] xy = chosen.length >= 3 ? Pca2d.fit(Vectors.of(rows), seed).xy() : new float[2 * chosen.length];
        List<Point> points = new ArrayList<>(chosen.length);
        for (int k = 0; k < chosen.length; k++) {
            Member m = placed.get(chosen[k]);
            points.add(new Point(m.traceId(), m.clusterId(), xy[2 * k], xy[2 * k + 1]));
        }
        return new Result(members.size(), placed.size(), List.copyOf(points));
    }

    /**
     * At most {@code limit} indices of {@code groups}, ascending: all of them when they fit, else each group's share of
     * the limit (at least one per group, the largest groups giving way when the minimums overflow), evenly spaced.
     */
    public static int[] sample(String[] groups, int limit) {
        int n = groups.length;
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        if (n <= limit) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byGroup.computeIfAbsent(groups[i], g -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> lists = new ArrayList<>(byGroup.values());
        int[] quota = new int[lists.size()];
        int total = 0;
        for (int g = 0; g < quota.length; g++) {
            quota[g] = Math.min(lists.get(g).size(), Math.max(1, (int) ((long) limit * lists.get(g).size() / n)));
            total += quota[g];
        }
        // More groups than the limit, or the minimums pushed it over: the largest quotas give way, one at a time.
        while (total > limit) {
            int largest = 0;
            for (int g = 1; g < quota.length; g++) {
                if (quota[g] > quota[largest]) {
                    largest = g;
                }
            }
            quota[largest]--;
            total--;
        }
        List<Integer> out = new ArrayList<>(total);
        for (int g = 0; g < quota.length; g++) {
            List<Integer> members = lists.get(g);
            for (int k = 0; k < quota[g]; k++) {
                out.add(members.get((int) ((long) k * members.size() / quota[g])));
            }
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
