package dev.prism.cluster;

import java.util.Arrays;

/**
 * The shape guard: no cluster may hold more than half of a theme's summaries unless they really are one cause.
 *
 * <p>Automatic k takes the smallest k whose silhouette is within {@link KSelection#NEAR_TIE} of the best (near-ties
 * flip between runs), and the theme's silhouette itself prefers to keep related causes together (their nearest other
 * cluster would be each other), while HDBSCAN merges groups that touch. Either can leave one catch-all cluster that
 * swallows several related causes (rate limits, quota and timeouts as "provider errors"), which names and alerts then
 * treat as one problem. So a cluster holding more than half of the theme is cut in two by k-means (k = 2), and the cut
 * is kept when it is real: both halves keep at least {@code min_cluster_size} members and they separate among the
 * cluster's own members with a silhouette of at least {@value #MIN_PART_SILHOUETTE}. Measured on MiniLM embeddings of
 * paraphrased summaries (IssueCorpus, 80 per cause), one cause cut in two scores 0.11–0.18 and two causes side by side
 * 0.28–0.44; on isotropic synthetic topics one cause scores about 0.003. The larger half may be cut again while it is
 * still a giant, as long as the theme stays within {@code k_max} clusters. The silhouette is computed on a sample of
 * at most {@value #SAMPLE} members, so the cost is bounded whatever the theme's size. Pure and deterministic.
 */
public final class GiantClusterSplit {

    public static final double MAX_SHARE = 0.5;
    public static final double MIN_PART_SILHOUETTE = 0.22;
    static final int SAMPLE = 1_000;
    private static final int MAX_SPLITS = 8;

    /**
     * @param labels cluster per summary, -1 for Other; split clusters' second parts get new numbers after the others
     * @param splits how many clusters were split
     * @param detail what was split or why not, for the run's detail (empty when no cluster was a giant)
     */
    public record Outcome(int[] labels, int splits, String detail) {
    }

    private GiantClusterSplit() {
    }

    public static Outcome apply(Vectors data, int[] labels, ClusteringConfig config, Parallel parallel) {
        int n = labels.length;
        int[] out = labels.clone();
        int k = Arrays.stream(out).max().orElse(-1) + 1;
        int splits = 0;
        String detail = "";
        while (splits < MAX_SPLITS) {
            int[] sizes = sizes(out, k);
            int giant = -1;
            for (int c = 0; c < k; c++) {
                if (sizes[c] > MAX_SHARE * n && (giant < 0 || sizes[c] > sizes[giant])) {
                    giant = c;
                }
            }
            if (giant < 0) {
                break;
            }
            String share = String.format("%.0f %%", 100.0 * sizes[giant] / n);
            if (k >= config.kMax()) {
                detail = "a cluster holds " + share + ", not split: k_max reached";
                break;
            }
            if (sizes[giant] < 2 * config.minClusterSize()) {
                detail = "a cluster holds " + share + ", too small for two halves of min_cluster_size";
                break;
            }
            int[] members = membersOf(out, giant);
            Vectors sub = data.subset(members);
            KMeans.Result halves = KMeans.fitBest(sub, config.kMeansOptions(2), KSelection.RESTARTS, parallel);
            int[] partSizes = halves.sizes();
            if (partSizes[0] < config.minClusterSize() || partSizes[1] < config.minClusterSize()) {
                detail = "a cluster holds " + share + ", one cause (a split leaves a part below min_cluster_size)";
                break;
            }
            double parts = partSilhouette(sub, halves.assignments(), config.seed(), parallel);
            if (parts < MIN_PART_SILHOUETTE) {
                detail = String.format("a cluster holds %s, one cause (its halves separate with silhouette %.3f only)", share, parts);
                break;
            }
            for (int m = 0; m < members.length; m++) {
                if (halves.assignments()[m] == 1) {
                    out[members[m]] = k;
                }
            }
            k++;
            splits++;
            detail = String.format("%d catch-all cluster(s) split (last: %s of the theme, halves' silhouette %.3f)", splits, share, parts);
        }
        return new Outcome(out, splits, detail);
    }

    /** How well the two halves separate among the cluster's own members. */
    static double partSilhouette(Vectors members, int[] halves, long seed, Parallel parallel) {
        int[] rows = Silhouette.sample(members.size(), SAMPLE, seed);
        Vectors sample = members.subset(rows);
        return Silhouette.score(Silhouette.distances(sample, parallel), sample.size(), select(halves, rows));
    }

    private static int[] select(int[] labels, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = labels[rows[i]];
        }
        return out;
    }

    private static int[] sizes(int[] labels, int k) {
        int[] sizes = new int[k];
        for (int l : labels) {
            if (l >= 0) {
                sizes[l]++;
            }
        }
        return sizes;
    }

    private static int[] membersOf(int[] labels, int cluster) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == cluster).toArray();
    }
}
