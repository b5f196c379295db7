package dev.prism.cluster;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A theme's {@code clustering_config} (DESIGN.md §3), parsed once. Keys are snake_case like the rest of the theme; every
 * key is optional:
 *
 * <ul>
 *   <li>{@code method}: {@code "kmeans"} (default) or {@code "hdbscan"}</li>
 *   <li>{@code k}: a number of clusters, or {@code "auto"} (default; k-means only)</li>
 *   <li>{@code auto_k}: how "auto" chooses k: {@code "silhouette"} (default: best silhouette on a sample over
 *       {@code k_min}…{@code k_max}) or {@code "size"} (summaries ÷ {@code expected_cluster_size})</li>
 *   <li>{@code k_min} (default 2), {@code k_max} (default 30), {@code expected_cluster_size} (default 25)</li>
 *   <li>{@code min_cluster_size} (default 5) and {@code min_distinct_users} (default 2): smaller clusters, or clusters
 *       from fewer users, go to "Other" ({@link MinimumClusterRule}); {@code min_cluster_size} is also HDBSCAN's</li>
 *   <li>{@code min_samples}: HDBSCAN's density smoothing (default: {@code min_cluster_size})</li>
 *   <li>{@code seed} (default 42), {@code max_iterations} (default 100)</li>
 *   <li>{@code max_distance}: cosine distance from a centroid beyond which a summary is not a member: k-means members
 *       farther out go to "Other", and a new summary stays unassigned until the next run (default 0.4)</li>
 * </ul>
 *
 * Unknown keys are rejected: a misspelt {@code min_clustersize} would otherwise be silently ignored.
 *
 * @param k null for automatic
 */
public record ClusteringConfig(Method method, Integer k, AutoK autoK, int kMin, int kMax, int expectedClusterSize,
                               int minClusterSize, int minDistinctUsers, int minSamples, long seed, int maxIterations,
                               double maxDistance) {

    public enum Method { KMEANS, HDBSCAN }

    public enum AutoK { SILHOUETTE, SIZE }

    public static final Set<String> KEYS = Set.of("method", "k", "auto_k", "k_min", "k_max", "expected_cluster_size",
            "min_cluster_size", "min_distinct_users", "min_samples", "seed", "max_iterations", "max_distance");

    public static final ClusteringConfig DEFAULTS = fromMap(Map.of());

    public ClusteringConfig {
        List<String> problems = new ArrayList<>();
        if (method == null) {
            problems.add("method: must be \"kmeans\" or \"hdbscan\"");
        }
        if (autoK == null) {
            problems.add("auto_k: must be \"silhouette\" or \"size\"");
        }
        if (k != null && k < 1) {
            problems.add("k: must be \"auto\" or an integer >= 1, got " + k);
        }
        if (kMin < 1) {
            problems.add("k_min: must be an integer >= 1, got " + kMin);
        }
        if (kMax < kMin) {
            problems.add("k_max: must be at least k_min (" + kMin + "), got " + kMax);
        }
        if (expectedClusterSize < 1) {
            problems.add("expected_cluster_size: must be an integer >= 1, got " + expectedClusterSize);
        }
        if (minClusterSize < 2) {
            problems.add("min_cluster_size: must be an integer >= 2, got " + minClusterSize);
        }
        if (minDistinctUsers < 1) {
            problems.add("min_distinct_users: must be an integer >= 1, got " + minDistinctUsers);
        }
        if (minSamples < 1) {
            problems.add("min_samples: must be an integer >= 1, got " + minSamples);
        }
        if (maxIterations < 1) {
            problems.add("max_iterations: must be an integer >= 1, got " + maxIterations);
        }
        if (!(maxDistance >= 0 && maxDistance <= 2)) {
            problems.add("max_distance: must be a cosine distance from 0 to 2, got " + maxDistance);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /**
     * Reads the JSON object as a map (Jackson's {@code convertValue(node, Map.class)} or Vert.x's
     * {@code JsonObject.getMap()}). Numbers may arrive as any {@link Number}; integers must be whole.
     *
     * @throws IllegalArgumentException naming every bad field, e.g. {@code "k_min: must be an integer >= 1, got 0.5"}
     */
    public static ClusteringConfig fromMap(Map<String, ?> map) {
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new LinkedHashSet<>(map.keySet());
        unknown.removeAll(KEYS);
        for (String key : unknown) {
            problems.add(key + ": unknown field; known: " + String.join(", ", KEYS.stream().sorted().toList()));
        }
        Reader r = new Reader(map, problems);
        Method method = r.choice("method", Method.class, Method.KMEANS);
        Integer k = null;
        Object rawK = map.get("k");
        if (rawK != null && !(rawK instanceof String s && s.equalsIgnoreCase("auto"))) {
            int parsed = r.integer("k", 0, "\"auto\" or an integer >= 1");
            if (parsed >= 1) {
                k = parsed;
            } else if (rawK instanceof Number) {
                problems.add("k: must be \"auto\" or an integer >= 1, got " + rawK);
            }
        }
        AutoK autoK = r.choice("auto_k", AutoK.class, AutoK.SILHOUETTE);
        int kMin = r.integer("k_min", 2, "an integer >= 1");
        int kMax = r.integer("k_max", Math.max(30, kMin), "an integer >= k_min");
        int expected = r.integer("expected_cluster_size", 25, "an integer >= 1");
        int minSize = r.integer("min_cluster_size", 5, "an integer >= 2");
        int minUsers = r.integer("min_distinct_users", 2, "an integer >= 1");
        int minSamples = r.integer("min_samples", minSize, "an integer >= 1");
        long seed = r.longValue("seed", 42);
        int maxIterations = r.integer("max_iterations", 100, "an integer >= 1");
        double maxDistance = r.number("max_distance", 0.4, "a cosine distance from 0 to 2");
        ClusteringConfig config = null;
        try {
            config = new ClusteringConfig(method, k, autoK, kMin, kMax, expected, minSize, minUsers, minSamples, seed,
                    maxIterations, maxDistance);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return config;
    }

    /** The smallest {@code min_cluster_size} a sampled theme's clusters are held to (see {@link #sampled}). */
    static final int MIN_SAMPLED_CLUSTER_SIZE = 3;

    /**
     * This configuration for a theme that analyses only a share of its traces: {@code min_cluster_size} counts traces of
     * the traffic, and a sampled member stands for {@code 1 / sampleRate} of them, so the minimum is scaled to the
     * sample, but never below {@value #MIN_SAMPLED_CLUSTER_SIZE} sampled members (two traces are an anecdote, whatever
     * they stand for) nor above the configured value. At 25 % a pattern needs 3 sampled members instead of 5, so a
     * pattern of every tenth success in 150 traces is a cluster, not "Other". {@code min_distinct_users} is not scaled:
     * it protects the people in the sample. HDBSCAN's {@code min_samples} keeps its value.
     */
    public ClusteringConfig sampled(double sampleRate) {
        if (!(sampleRate > 0 && sampleRate < 1) || minClusterSize <= MIN_SAMPLED_CLUSTER_SIZE) {
            return this;
        }
        int scaled = Math.max(MIN_SAMPLED_CLUSTER_SIZE, (int) Math.ceil(minClusterSize * sampleRate));
        return new ClusteringConfig(method, k, autoK, kMin, kMax, expectedClusterSize, Math.min(minClusterSize, scaled),
                minDistinctUsers, minSamples, seed, maxIterations, maxDistance);
    }

    /** The k-means options for a given k. */
    public KMeans.Options kMeansOptions(int k) {
        return KMeans.Options.of(k, seed).withMaxIterations(maxIterations);
    }

    /** Collects a problem per bad field instead of stopping at the first, so one answer names them all. */
    private record Reader(Map<String, ?> map, List<String> problems) {

        <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof String s) {
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(s.replace("-", "").replace("_", ""))) {
                        return e;
                    }
                }
            }
            List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                    .map(e -> "\"" + e.name().toLowerCase(Locale.ROOT) + "\"").toList();
            problems.add(key + ": must be " + String.join(" or ", names) + ", got " + show(v));
            return fallback;
        }

        int integer(String key, int fallback, String expected) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Number num) {
                double d = num.doubleValue();
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            }
            problems.add(key + ": must be " + expected + ", got " + show(v));
            return fallback;
        }

        long longValue(String key, long fallback) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Number num && (num instanceof Long || num instanceof Integer || num instanceof Short
                    || num instanceof Byte || num.doubleValue() == Math.rint(num.doubleValue()))) {
                return num.longValue();
            }
            problems.add(key + ": must be an integer, got " + show(v));
            return fallback;
        }

        double number(String key, double fallback, String expected) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Number num && Double.isFinite(num.doubleValue())) {
                return num.doubleValue();
            }
            problems.add(key + ": must be " + expected + ", got " + show(v));
            return fallback;
        }

        private static String show(Object v) {
            return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        }
    }
}
