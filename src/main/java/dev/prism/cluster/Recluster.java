package dev.prism.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One re-clustering of a theme, start to finish but without storage: cluster the summaries as the theme's
 * configuration asks ({@link Clustering}), give the clusters the ids of the ones they continue ({@link ClusterMatcher}),
 * name the new and materially changed ones offline ({@link ClusterNamer}) and keep the other names, and place every
 * cluster on the 2-D map ({@link Pca2d}: the mean of its members' coordinates). Pure; the verticle runs it on a worker.
 */
public final class Recluster {

    /**
     * A summary to cluster.
     *
     * @param userId the trace's user, for the minimum-users rule; null when unknown
     * @param text   title and summary, for names; null when not at hand
     * @param title  the summary's title alone, the stuff offline names are made of; null when not at hand
     */
    public record Item(String traceId, int traceVersion, float[] vector, String userId, String text, String title) {
    }

    /** An active cluster of the previous run, with its name. */
    public record Known(String id, float[] centroid, Set<String> members, String title, String description) {
    }

    /**
     * @param members   indices into the items
     * @param distances cosine distance of each member to the centroid, in the order of {@code members}
     * @param renamed   the name was made in this run (a new cluster, or a material change of its members)
     */
    public record Planned(String id, ClusterMatcher.Lineage lineage, float[] centroid, int[] members, double[] distances,
                          String title, String description, boolean renamed, double x, double y) {
    }

    /**
     * @param labels    cluster index per item, -1 for Other
     * @param distances per item, cosine distance to its cluster's centroid, or to the nearest centroid for Other
     *                  (NaN when there are no clusters)
     */
    public record Plan(List<Planned> clusters, List<ClusterMatcher.Lineage> retired, int[] labels, double[] distances,
                       int outliers, String detail) {

        public int renamed() {
            return (int) clusters.stream().filter(Planned::renamed).count();
        }

        public Map<String, Integer> lineageCounts() {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (Planned p : clusters) {
                counts.merge(p.lineage().event().name(), 1, Integer::sum);
            }
            for (ClusterMatcher.Lineage l : retired) {
                counts.merge(l.event().name(), 1, Integer::sum);
            }
            return counts;
        }
    }

    private Recluster() {
    }

    public static Plan plan(List<Item> items, List<Known> previous, ClusteringConfig config, Parallel parallel,
                            Supplier<String> freshIds) {
        return plan(items, previous, List.of(), config, parallel, freshIds);
    }

    /**
     * @param ended clusters that retired on their own in earlier runs (newest first, no members): a new cluster pointing
     *              their way takes the id, and the name, back ({@link ClusterMatcher.Event#RETURNED})
     */
    public static Plan plan(List<Item> items, List<Known> previous, List<Known> ended, ClusteringConfig config, Parallel parallel,
                            Supplier<String> freshIds) {
        int n = items.size();
        List<ClusterMatcher.Previous> before = previous.stream()
                .map(k -> new ClusterMatcher.Previous(k.id(), k.centroid(), k.members())).toList();
        if (n == 0) {
            ClusterMatcher.Matching m = ClusterMatcher.match(before, List.of(), freshIds);
            return new Plan(List.of(), m.retired(), new int[0], new double[0], 0, "no summaries");
        }
        Vectors data = Vectors.of(items.stream().map(Item::vector).toList());
        int[] labels;
        List<float[]> centroids;
        String detail;
        if (n < config.minClusterSize()) {
            labels = new int[n];
            java.util.Arrays.fill(labels, -1);
            centroids = List.of();
            detail = n + " summaries, fewer than min_cluster_size " + config.minClusterSize();
        } else {
            Clustering.Outcome outcome = Clustering.run(data, items.stream().map(Item::userId).toList(), config, parallel);
            labels = outcome.labels();
            centroids = outcome.centroids();
            detail = outcome.detail();
        }
        int k = centroids.size();
        List<List<Integer>> memberIdx = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            memberIdx.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                memberIdx.get(labels[i]).add(i);
            }
        }
        List<ClusterMatcher.Current> current = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            Set<String> ids = memberIdx.get(c).stream().map(i -> items.get(i).traceId()).collect(Collectors.toCollection(HashSet::new));
            current.add(new ClusterMatcher.Current(centroids.get(c), ids));
        }
        List<ClusterMatcher.Previous> gone = ended.stream().map(e -> new ClusterMatcher.Previous(e.id(), e.centroid(), Set.of())).toList();
        ClusterMatcher.Matching matching = ClusterMatcher.match(before, gone, current, freshIds, ClusterMatcher.Options.DEFAULTS);

        double[] distances = new double[n];
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                distances[i] = NearestCentroid.cosineDistance(items.get(i).vector(), centroids.get(labels[i]));
            } else {
                double best = Double.NaN;
                for (float[] centroid : centroids) {
                    double d = NearestCentroid.cosineDistance(items.get(i).vector(), centroid);
                    best = Double.isNaN(best) || d < best ? d : best;
                }
                distances[i] = best;
            }
        }

        // A name stays unless the cluster is new or its content changed materially; the others are made against each
        // other, with Other as contrast, and must not repeat a name that stays.
        Map<String, Known> knownById = java.util.stream.Stream.concat(previous.stream(), ended.stream())
                .collect(Collectors.toMap(Known::id, kn -> kn, (a, b) -> a));
        boolean[] rename = new boolean[k];
        List<ClusterNamer.Cluster> toName = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            Known old = knownById.get(matching.clusters().get(c).id());
            List<ClusterNamer.Member> members = new ArrayList<>();
            boolean hasText = false;
            for (int i : memberIdx.get(c)) {
                Item item = items.get(i);
                members.add(new ClusterNamer.Member(item.title(), item.text(), distances[i]));
                hasText |= item.text() != null || item.title() != null;
            }
            boolean hasOldName = old != null && old.title() != null;
            // Without texts (they are no longer listed) a new name could only be worse than the one it has.
            rename[c] = !hasOldName || matching.clusters().get(c).materialChange() && hasText;
            toName.add(new ClusterNamer.Cluster(members, rename[c] ? null : old.title()));
        }
        List<String> other = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 && items.get(i).text() != null) {
                other.add(items.get(i).text());
            }
        }
        List<ClusterNamer.Name> names = k == 0 ? List.of() : ClusterNamer.name(toName, other);

        float[] xy = n >= 3 ? Pca2d.fit(data, config.seed()).xy() : new float[2 * n];
        int outliers = 0;
        for (int l : labels) {
            outliers += l < 0 ? 1 : 0;
        }

        List<Planned> planned = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            ClusterMatcher.Lineage lineage = matching.clusters().get(c);
            String title = names.get(c).title();
            String description = rename[c] ? names.get(c).description() : knownById.get(lineage.id()).description();
            boolean renamed = rename[c];
            int[] members = memberIdx.get(c).stream().mapToInt(Integer::intValue).toArray();
            double[] memberDistances = new double[members.length];
            double x = 0;
            double y = 0;
            for (int m = 0; m < members.length; m++) {
                memberDistances[m] = distances[members[m]];
                x += xy[2 * members[m]];
                y += xy[2 * members[m] + 1];
            }
            planned.add(new Planned(lineage.id(), lineage, centroids.get(c), members, memberDistances, title, description, renamed,
                    members.length == 0 ? 0 : x / members.length, members.length == 0 ? 0 : y / members.length));
        }
        return new Plan(List.copyOf(planned), matching.retired(), labels, distances, outliers, detail);
    }
}
