package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Gives the clusters of a new run the ids of the clusters they continue, so that links, alerts and names survive
 * re-clustering, and says what happened to each: {@link Event}.
 *
 * <p>Matching is by members first. Only members present in both runs count (summaries that left the date window or
 * arrived since say nothing about identity). Old cluster A and new cluster B are <em>linked</em> when most of A's
 * surviving members went to B, or most of B's known members came from A. Each old cluster's <em>heir</em> is the
 * linked new cluster that received most of its members. A new cluster that is the heir of one old cluster takes its id;
 * of several, it is a merge and keeps the id of the largest, the others retire into it; of none but linked to some, it
 * split off and gets a fresh id (the part that stayed keeps the old one). Clusters left without any member link
 * (disjoint member sets, e.g. the window moved on entirely) are paired by centroid cosine when that is high enough.
 * A new cluster still unmatched whose centroid points the way of a cluster that had <em>ended</em> (retired on its own,
 * not into another, in an earlier run) takes that cluster's id back: it RETURNED, so a problem that went away and came
 * back keeps its links, name, alert state and tickets. What is still unmatched is NEW or RETIRED.
 *
 * <p>Members are expected to be in at most one cluster per run (a partition plus "Other"). Pure and deterministic:
 * fresh ids are drawn in the order of the new clusters.
 */
public final class ClusterMatcher {

    public enum Event { NEW, SAME, GROWN, SHRUNK, MERGED, SPLIT, RETIRED, RETURNED }

    /** A cluster of the previous run. */
    public record Previous(String id, float[] centroid, Set<String> members) {
    }

    /** A cluster of the new run. */
    public record Current(float[] centroid, Set<String> members) {
    }

    /**
     * @param linkShare       share of surviving members that makes a link (majority by default)
     * @param centroidCosine  cosine similarity at which clusters without member links are the same
     * @param materialOverlap a continued cluster changed materially when less than this share of the old cluster's
     *                        surviving members stayed in it, or less than this share of its members known before came
     *                        from the old cluster: summaries moved between clusters
     * @param materialCosine  a continued cluster changed materially when the cosine similarity of its old and new
     *                        centroids falls below this: what its members are about moved
     */
    public record Options(double linkShare, double centroidCosine, double materialOverlap, double materialCosine) {
        public static final Options DEFAULTS = new Options(0.5, 0.9, 0.8, 0.9);
    }

    /**
     * What happened to one cluster.
     *
     * @param index           the new cluster's index, -1 for RETIRED
     * @param sources         old ids this cluster continues: its own for SAME/GROWN/SHRUNK/RETURNED, the kept one first
     *                        and then the absorbed ones for MERGED, the old cluster it came from for SPLIT, none for NEW
     * @param into            for RETIRED, the id of the cluster that absorbed it, or null when it just ended
     * @param jaccard         member Jaccard against the cluster whose id it keeps (0 for NEW and fresh SPLIT parts)
     * @param materialChange  the content changed enough that the name should be made again: always for NEW, fresh SPLIT
     *                        parts and MERGED; otherwise when summaries moved in or out between clusters (member overlap
     *                        below {@link Options#materialOverlap()}, counting only summaries known to both runs) or the
     *                        centroid moved (cosine below {@link Options#materialCosine()}). Growth alone is no material
     *                        change: new summaries about the same thing leave both the overlap and the centroid as they
     *                        were, so a cluster keeps its name while it grows from its first ten members to thousands.
     */
    public record Lineage(String id, Event event, int index, List<String> sources, String into, int previousSize,
                          int size, double jaccard, boolean materialChange) {
    }

    /** One lineage per new cluster, in index order, and one RETIRED lineage per old cluster that did not continue. */
    public record Matching(List<Lineage> clusters, List<Lineage> retired) {

        public String idOf(int index) {
            return clusters.get(index).id();
        }

        /** Old ids that live on as the id of a new cluster. */
        public Set<String> keptIds() {
            Set<String> kept = new HashSet<>();
            for (Lineage l : clusters) {
                if (!l.sources().isEmpty() && l.sources().get(0).equals(l.id())) {
                    kept.add(l.id());
                }
            }
            return kept;
        }
    }

    private ClusterMatcher() {
    }

    public static Matching match(List<Previous> previous, List<Current> current, Supplier<String> freshIds) {
        return match(previous, current, freshIds, Options.DEFAULTS);
    }

    public static Matching match(List<Previous> previous, List<Current> current, Supplier<String> freshIds, Options options) {
        return match(previous, List.of(), current, freshIds, options);
    }

    /**
     * @param ended clusters that retired on their own (not into another) in earlier runs, newest first, with their last
     *              centroid (their members are gone): a new cluster that would be NEW and points their way RETURNED
     */
    public static Matching match(List<Previous> previous, List<Previous> ended, List<Current> current, Supplier<String> freshIds,
                                 Options options) {
        int p = previous.size();
        int c = current.size();
        Set<String> oldUniverse = union(previous.stream().map(Previous::members).toList());
        Map<String, Integer> newClusterOf = new HashMap<>();
        for (int j = 0; j < c; j++) {
            for (String m : current.get(j).members()) {
                newClusterOf.put(m, j);
            }
        }
        int[][] overlap = new int[p][c];
        int[] oldSurviving = new int[p];
        for (int i = 0; i < p; i++) {
            for (String m : previous.get(i).members()) {
                Integer j = newClusterOf.get(m);
                if (j != null) {
                    overlap[i][j]++;
                }
                if (newClusterOf.containsKey(m)) {
                    oldSurviving[i]++;
                }
            }
        }
        int[] newKnown = new int[c];
        for (int j = 0; j < c; j++) {
            for (String m : current.get(j).members()) {
                if (oldUniverse.contains(m)) {
                    newKnown[j]++;
                }
            }
        }
        boolean[][] linked = new boolean[p][c];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < c; j++) {
                int o = overlap[i][j];
                linked[i][j] = o > 0 && (o >= options.linkShare() * oldSurviving[i] || o >= options.linkShare() * newKnown[j]);
            }
        }
        int[] heir = new int[p];
        for (int i = 0; i < p; i++) {
            heir[i] = -1;
            for (int j = 0; j < c; j++) {
                if (linked[i][j] && (heir[i] < 0 || overlap[i][j] > overlap[i][heir[i]]
                        || overlap[i][j] == overlap[i][heir[i]]
                        && cosine(previous.get(i).centroid(), current.get(j).centroid())
                        > cosine(previous.get(i).centroid(), current.get(heir[i]).centroid()))) {
                    heir[i] = j;
                }
            }
        }

        String[] ids = new String[c];
        Event[] events = new Event[c];
        List<List<String>> sources = new ArrayList<>();
        int[] keeper = new int[c];
        boolean[] byCentroid = new boolean[c];
        for (int j = 0; j < c; j++) {
            sources.add(new ArrayList<>());
            keeper[j] = -1;
        }
        String[] retiredInto = new String[p];
        boolean[] continued = new boolean[p];
        for (int j = 0; j < c; j++) {
            List<Integer> claimants = new ArrayList<>();
            for (int i = 0; i < p; i++) {
                if (heir[i] == j) {
                    claimants.add(i);
                }
            }
            if (claimants.isEmpty()) {
                continue;
            }
            int jj = j;
            claimants.sort(Comparator.<Integer>comparingInt(i -> -previous.get(i).members().size())
                    .thenComparingInt(i -> -overlap[i][jj]).thenComparingInt(i -> i));
            int winner = claimants.get(0);
            keeper[j] = winner;
            ids[j] = previous.get(winner).id();
            continued[winner] = true;
            for (int i : claimants) {
                sources.get(j).add(previous.get(i).id());
                if (i != winner) {
                    retiredInto[i] = ids[j];
                }
            }
            events[j] = claimants.size() > 1 ? Event.MERGED : null;
        }
        for (int j = 0; j < c; j++) {
            if (ids[j] != null) {
                continue;
            }
            int parent = -1;
            for (int i = 0; i < p; i++) {
                if (linked[i][j] && (parent < 0 || overlap[i][j] > overlap[parent][j])) {
                    parent = i;
                }
            }
            if (parent >= 0) {
                events[j] = Event.SPLIT;
                sources.get(j).add(previous.get(parent).id());
                int h = heir[parent];
                if (h >= 0 && events[h] == null) {
                    events[h] = Event.SPLIT;
                }
            }
        }
        // Clusters with no member link at all: pair by centroid, most similar pairs first.
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            if (heir[i] >= 0 || isLinkedAnywhere(linked[i])) {
                continue;
            }
            for (int j = 0; j < c; j++) {
                if (ids[j] == null && events[j] == null) {
                    pairs.add(new int[]{i, j});
                }
            }
        }
        pairs.sort(Comparator.<int[]>comparingDouble(pr -> -cosine(previous.get(pr[0]).centroid(), current.get(pr[1]).centroid()))
                .thenComparingInt(pr -> pr[0]).thenComparingInt(pr -> pr[1]));
        boolean[] oldTaken = new boolean[p];
        for (int[] pr : pairs) {
            int i = pr[0];
            int j = pr[1];
            if (oldTaken[i] || ids[j] != null
                    || cosine(previous.get(i).centroid(), current.get(j).centroid()) < options.centroidCosine()) {
                continue;
            }
            oldTaken[i] = true;
            continued[i] = true;
            ids[j] = previous.get(i).id();
            keeper[j] = i;
            byCentroid[j] = true;
            sources.get(j).add(ids[j]);
        }

        // What would be NEW: a comeback of a cluster that had ended, by centroid, most similar pairs first.
        Set<String> active = new HashSet<>();
        previous.forEach(pr -> active.add(pr.id()));
        List<int[]> comebacks = new ArrayList<>();
        for (int e = 0; e < ended.size(); e++) {
            if (active.contains(ended.get(e).id())) {
                continue; // an id is active or ended, never both; a caller mixing them up must not duplicate one
            }
            for (int j = 0; j < c; j++) {
                if (ids[j] == null && events[j] == null
                        && cosine(ended.get(e).centroid(), current.get(j).centroid()) >= options.centroidCosine()) {
                    comebacks.add(new int[]{e, j});
                }
            }
        }
        comebacks.sort(Comparator.<int[]>comparingDouble(pr -> -cosine(ended.get(pr[0]).centroid(), current.get(pr[1]).centroid()))
                .thenComparingInt(pr -> pr[0]).thenComparingInt(pr -> pr[1]));
        boolean[] endedTaken = new boolean[ended.size()];
        Previous[] returnedFrom = new Previous[c];
        for (int[] pr : comebacks) {
            if (endedTaken[pr[0]] || ids[pr[1]] != null) {
                continue;
            }
            endedTaken[pr[0]] = true;
            returnedFrom[pr[1]] = ended.get(pr[0]);
            ids[pr[1]] = ended.get(pr[0]).id();
        }

        List<Lineage> clusters = new ArrayList<>();
        for (int j = 0; j < c; j++) {
            Set<String> members = current.get(j).members();
            if (returnedFrom[j] != null) {
                boolean drifted = cosine(returnedFrom[j].centroid(), current.get(j).centroid()) < options.materialCosine();
                clusters.add(new Lineage(ids[j], Event.RETURNED, j, List.of(ids[j]), null, 0, members.size(), 0, drifted));
                continue;
            }
            if (ids[j] == null) {
                ids[j] = freshIds.get();
                Event e = events[j] == Event.SPLIT ? Event.SPLIT : Event.NEW;
                clusters.add(new Lineage(ids[j], e, j, List.copyOf(sources.get(j)), null, 0, members.size(), 0, true));
                continue;
            }
            int i = keeper[j];
            Previous old = previous.get(i);
            int before = old.members().size();
            double jaccard = jaccard(old.members(), members);
            double retained = oldSurviving[i] == 0 ? 1 : (double) overlap[i][j] / oldSurviving[i];
            double fromOld = newKnown[j] == 0 ? 1 : (double) overlap[i][j] / newKnown[j];
            boolean moved = !byCentroid[j] && Math.min(retained, fromOld) < options.materialOverlap();
            boolean drifted = cosine(old.centroid(), current.get(j).centroid()) < options.materialCosine();
            boolean material = events[j] == Event.MERGED || moved || drifted;
            Event e = events[j] != null ? events[j]
                    : members.size() > before ? Event.GROWN : members.size() < before ? Event.SHRUNK : Event.SAME;
            clusters.add(new Lineage(ids[j], e, j, List.copyOf(sources.get(j)), null, before, members.size(), jaccard, material));
        }
        List<Lineage> retired = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            if (!continued[i]) {
                Previous old = previous.get(i);
                retired.add(new Lineage(old.id(), Event.RETIRED, -1, List.of(), retiredInto[i], old.members().size(), 0, 0, false));
            }
        }
        return new Matching(List.copyOf(clusters), List.copyOf(retired));
    }

    private static boolean isLinkedAnywhere(boolean[] row) {
        for (boolean b : row) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> union(List<Set<String>> sets) {
        Set<String> all = new HashSet<>();
        for (Collection<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }

    static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1;
        }
        Set<String> small = a.size() <= b.size() ? a : b;
        Set<String> large = small == a ? b : a;
        int inter = 0;
        for (String s : small) {
            if (large.contains(s)) {
                inter++;
            }
        }
        return (double) inter / (a.size() + b.size() - inter);
    }

    private static double cosine(float[] a, float[] b) {
        if (a == null || b == null) {
            return -1;
        }
        return 1 - NearestCentroid.cosineDistance(a, b);
    }
}
