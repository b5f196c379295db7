package dev.prism.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * No cluster may describe a handful of traces or a single user: a cluster needs at least {@code minClusterSize}
 * members from at least {@code minDistinctUsers} distinct users, otherwise its members go to "Other" (label -1).
 *
 * <p>Members without a user id (null or blank) all count as one and the same unknown user, not as one user each:
 * we cannot tell whether they come from one person, and the rule exists to avoid exposing one person. A theme over
 * traces that never carry user ids therefore needs {@code min_distinct_users: 1} to form clusters. Pure.
 */
public final class MinimumClusterRule {

    /**
     * @param labels   cluster per point, -1 for Other; kept clusters renumbered 0… in their original order
     * @param kept     for each new cluster number, the label it had on input (to carry centroids over)
     * @param demoted  input labels that went to Other
     */
    public record Outcome(int[] labels, int[] kept, List<Integer> demoted) {
        public int clusters() {
            return kept.length;
        }
    }

    private MinimumClusterRule() {
    }

    /**
     * @param labels  cluster per point, negative for points already outside every cluster
     * @param userIds one per point, may contain nulls
     */
    public static Outcome apply(int[] labels, List<String> userIds, int minClusterSize, int minDistinctUsers) {
        if (labels.length != userIds.size()) {
            throw new IllegalArgumentException(labels.length + " labels but " + userIds.size() + " user ids");
        }
        int k = 0;
        for (int l : labels) {
            k = Math.max(k, l + 1);
        }
        int[] sizes = new int[k];
        List<Set<String>> users = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            users.add(new HashSet<>());
        }
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l >= 0) {
                sizes[l]++;
                String user = userIds.get(i);
                // One shared key for every missing id; the NUL prefix cannot collide with a real distinct_id.
                users.get(l).add(user == null || user.isBlank() ? "\0unknown" : user);
            }
        }
        int[] renumber = new int[k];
        List<Integer> keptList = new ArrayList<>();
        List<Integer> demoted = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            if (sizes[c] == 0) {
                renumber[c] = -1;
            } else if (sizes[c] >= minClusterSize && users.get(c).size() >= minDistinctUsers) {
                renumber[c] = keptList.size();
                keptList.add(c);
            } else {
                renumber[c] = -1;
                demoted.add(c);
            }
        }
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i] < 0 ? -1 : renumber[labels[i]];
        }
        return new Outcome(out, keptList.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(demoted));
    }
}
