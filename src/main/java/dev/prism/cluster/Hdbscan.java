package dev.prism.cluster;

import dev.prism.common.VectorMath;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HDBSCAN (Campello, Moulavi and Sander 2013; the steps of McInnes' {@code hdbscan} library) over cosine distance:
 * core distances, the minimum spanning tree of mutual reachability, the single-linkage hierarchy, the tree condensed by
 * {@code minClusterSize}, and the clusters of greatest stability ("excess of mass"). Points in no selected cluster are
 * outliers with label -1, which is the point of using it: summaries that resemble nothing else stay out of clusters.
 *
 * <p>Cost: all pairwise distances are computed once and kept, {@code n²/2} dot products and {@code 2 n²} bytes, then
 * Prim's algorithm runs in {@code O(n²)}. Up to {@code maxPoints} (default {@value #DEFAULT_MAX_POINTS}: 32 MB, about a
 * second on two cores) that is the whole input. Beyond it a seeded sample of {@code maxPoints} is clustered, and every
 * other point joins the cluster with the nearest centroid if it lies within that cluster's radius (the largest distance
 * of a sampled member to the centroid), else stays an outlier; {@link Result#sampled()} says when that happened.
 *
 * <p>Deterministic: ties in the tree are broken by point index, and clusters are numbered by their first member.
 * Vectors are expected L2-normalised (cosine distance = 1 - dot); others are normalised on a copy. Pure; callers run it
 * on worker threads.
 */
public final class Hdbscan {

    public static final int DEFAULT_MAX_POINTS = 4_000;
    /** Distances below this are float noise; flooring them keeps lambda = 1/distance finite for duplicate summaries. */
    private static final float MIN_DISTANCE = 1e-6f;

    /**
     * @param minClusterSize smallest group that counts as a cluster
     * @param minSamples     neighbours (counting the point itself) that define a point's core distance; higher values
     *                       make more points outliers
     */
    public record Options(int minClusterSize, int minSamples, int maxPoints, long seed) {
        public Options {
            if (minClusterSize < 2) {
                throw new IllegalArgumentException("minClusterSize must be at least 2, got " + minClusterSize);
            }
            if (minSamples < 1) {
                throw new IllegalArgumentException("minSamples must be at least 1, got " + minSamples);
            }
            if (maxPoints < 2) {
                throw new IllegalArgumentException("maxPoints must be at least 2, got " + maxPoints);
            }
        }

        public static Options of(int minClusterSize) {
            return new Options(minClusterSize, minClusterSize, DEFAULT_MAX_POINTS, 42);
        }

        public static Options from(ClusteringConfig config) {
            return new Options(config.minClusterSize(), config.minSamples(), DEFAULT_MAX_POINTS, config.seed());
        }
    }

    /**
     * @param labels   cluster per point, -1 for outliers; clusters are numbered 0… in the order of their first point
     * @param clusters number of clusters
     * @param sampled  the input exceeded {@code maxPoints} and points outside the sample were attached by centroid
     */
    public record Result(int[] labels, int clusters, boolean sampled) {
        public int outliers() {
            int count = 0;
            for (int l : labels) {
                count += l < 0 ? 1 : 0;
            }
            return count;
        }
    }

    private Hdbscan() {
    }

    public static Result fit(Vectors data, Options options, Parallel parallel) {
        Vectors unit = data.normalised();
        int n = unit.size();
        if (n <= options.maxPoints()) {
            return numbered(cluster(unit, options, parallel), false);
        }
        int[] rows = Silhouette.sample(n, options.maxPoints(), options.seed());
        int[] sampleLabels = cluster(unit.subset(rows), options, parallel);
        int[] labels = attach(unit, rows, sampleLabels, parallel);
        return numbered(labels, true);
    }

    private static int[] cluster(Vectors v, Options options, Parallel parallel) {
        int n = v.size();
        if (n < options.minClusterSize()) {
            int[] none = new int[n];
            Arrays.fill(none, -1);
            return none;
        }
        Distances dist = Distances.of(v, parallel);
        float[] core = coreDistances(dist, options.minSamples(), parallel);
        double[][] mst = minimumSpanningTree(dist, core);
        int[][] tree = singleLinkage(n, mst);
        return Condensed.of(n, tree, mst, options.minClusterSize()).labels();
    }

    /** Cosine distances between all pairs, upper triangle packed row by row. */
    private record Distances(float[] packed, int n) {

        static Distances of(Vectors v, Parallel parallel) {
            int n = v.size();
            int d = v.dim();
            float[] x = v.data();
            float[] packed = new float[(int) ((long) n * (n - 1) / 2)];
            int rowsPerChunk = 8;
            parallel.forEach((n + rowsPerChunk - 1) / rowsPerChunk, ch -> {
                for (int i = ch * rowsPerChunk, end = Math.min(n, i + rowsPerChunk); i < end; i++) {
                    int base = rowStart(i, n);
                    for (int j = i + 1; j < n; j++) {
                        packed[base + j - i - 1] = Math.max(MIN_DISTANCE, 1f - VectorMath.dot(x, i * d, x, j * d, d));
                    }
                }
            });
            return new Distances(packed, n);
        }

        static int rowStart(int i, int n) {
            return (int) ((long) i * (2L * n - i - 1) / 2);
        }

        float get(int i, int j) {
            if (i == j) {
                return 0f;
            }
            return i < j ? packed[rowStart(i, n) + j - i - 1] : packed[rowStart(j, n) + i - j - 1];
        }
    }

    /** Distance to the (minSamples - 1)-th nearest other point: minSamples neighbours counting the point itself. */
    private static float[] coreDistances(Distances dist, int minSamples, Parallel parallel) {
        int n = dist.n();
        int kth = Math.min(minSamples - 1, n - 1);
        float[] core = new float[n];
        if (kth <= 0) {
            return core;
        }
        int rowsPerChunk = 16;
        parallel.forEach((n + rowsPerChunk - 1) / rowsPerChunk, ch -> {
            float[] nearest = new float[kth];
            for (int i = ch * rowsPerChunk, end = Math.min(n, i + rowsPerChunk); i < end; i++) {
                Arrays.fill(nearest, Float.POSITIVE_INFINITY);
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        continue;
                    }
                    float dd = dist.get(i, j);
                    if (dd < nearest[kth - 1]) {
                        int p = kth - 1;
                        while (p > 0 && nearest[p - 1] > dd) {
                            nearest[p] = nearest[p - 1];
                            p--;
                        }
                        nearest[p] = dd;
                    }
                }
                core[i] = nearest[kth - 1];
            }
        });
        return core;
    }

    /**
     * Prim's algorithm on the complete mutual-reachability graph, O(n²) time and O(n) extra memory. Returns n - 1
     * edges {a, b, weight} sorted by weight; equal weights keep the order Prim added them in.
     */
    private static double[][] minimumSpanningTree(Distances dist, float[] core) {
        int n = dist.n();
        boolean[] inTree = new boolean[n];
        float[] best = new float[n];
        int[] from = new int[n];
        Arrays.fill(best, Float.POSITIVE_INFINITY);
        double[][] edges = new double[n - 1][];
        int current = 0;
        inTree[0] = true;
        for (int e = 0; e < n - 1; e++) {
            int next = -1;
            float nextWeight = Float.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (inTree[j]) {
                    continue;
                }
                float w = Math.max(dist.get(current, j), Math.max(core[current], core[j]));
                if (w < best[j]) {
                    best[j] = w;
                    from[j] = current;
                }
                if (best[j] < nextWeight) {
                    nextWeight = best[j];
                    next = j;
                }
            }
            inTree[next] = true;
            edges[e] = new double[]{from[next], next, nextWeight};
            current = next;
        }
        Arrays.sort(edges, (a, b) -> Double.compare(a[2], b[2]));
        return edges;
    }

    /**
     * Single-linkage dendrogram from the sorted tree edges: row e is the node n + e merging {left, right, size}.
     * Children are node ids: below n a point, else an earlier merge.
     */
    private static int[][] singleLinkage(int n, double[][] edges) {
        int[] parent = new int[2 * n - 1];
        int[] size = new int[2 * n - 1];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
            size[i] = i < n ? 1 : 0;
        }
        int[][] tree = new int[n - 1][];
        for (int e = 0; e < n - 1; e++) {
            int a = find(parent, (int) edges[e][0]);
            int b = find(parent, (int) edges[e][1]);
            int node = n + e;
            parent[a] = node;
            parent[b] = node;
            size[node] = size[a] + size[b];
            tree[e] = new int[]{Math.min(a, b), Math.max(a, b), size[node]};
        }
        return tree;
    }

    private static int find(int[] parent, int i) {
        int root = i;
        while (parent[root] != root) {
            root = parent[root];
        }
        while (parent[i] != root) {
            int next = parent[i];
            parent[i] = root;
            i = next;
        }
        return root;
    }

    /**
     * The condensed tree: only splits where both sides have at least minClusterSize points create clusters; smaller
     * sides are points "falling out" of their cluster at lambda = 1 / distance. Clusters are numbered from n (the
     * root) upward, children always after their parent.
     */
    private record Condensed(int n, List<int[]> edges, List<Double> lambdas, int clusterCount) {

        static Condensed of(int n, int[][] tree, double[][] mst, int minClusterSize) {
            int root = 2 * n - 2;
            int[] relabel = new int[2 * n - 1];
            boolean[] ignore = new boolean[2 * n - 1];
            relabel[root] = n;
            int nextLabel = n + 1;
            List<int[]> edges = new ArrayList<>();
            List<Double> lambdas = new ArrayList<>();
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            queue.add(root);
            while (!queue.isEmpty()) {
                int node = queue.poll();
                if (node < n || ignore[node]) {
                    continue;
                }
                int[] row = tree[node - n];
                int left = row[0];
                int right = row[1];
                double lambda = 1.0 / mst[node - n][2];
                int leftSize = left < n ? 1 : tree[left - n][2];
                int rightSize = right < n ? 1 : tree[right - n][2];
                boolean leftBig = leftSize >= minClusterSize;
                boolean rightBig = rightSize >= minClusterSize;
                if (leftBig && rightBig) {
                    relabel[left] = nextLabel++;
                    edges.add(new int[]{relabel[node], relabel[left], leftSize});
                    lambdas.add(lambda);
                    relabel[right] = nextLabel++;
                    edges.add(new int[]{relabel[node], relabel[right], rightSize});
                    lambdas.add(lambda);
                    queue.add(left);
                    queue.add(right);
                } else {
                    for (int side : new int[]{left, right}) {
                        boolean big = side == left ? leftBig : rightBig;
                        if (big) {
                            relabel[side] = relabel[node];
                            queue.add(side);
                        } else {
                            fallOut(side, n, tree, relabel[node], lambda, edges, lambdas, ignore);
                        }
                    }
                }
            }
            return new Condensed(n, edges, lambdas, nextLabel - n);
        }

        private static void fallOut(int subtree, int n, int[][] tree, int cluster, double lambda,
                                    List<int[]> edges, List<Double> lambdas, boolean[] ignore) {
            ArrayDeque<Integer> stack = new ArrayDeque<>();
            stack.push(subtree);
            List<Integer> points = new ArrayList<>();
            while (!stack.isEmpty()) {
                int node = stack.pop();
                ignore[node] = true;
                if (node < n) {
                    points.add(node);
                } else {
                    stack.push(tree[node - n][1]);
                    stack.push(tree[node - n][0]);
                }
            }
            points.sort(null);
            for (int p : points) {
                edges.add(new int[]{cluster, p, 1});
                lambdas.add(lambda);
            }
        }

        /** Excess-of-mass selection; the root is never a cluster (as with the library's default). */
        int[] labels() {
            int count = clusterCount;
            double[] birth = new double[count];
            double[] stability = new double[count];
            int[] parentOf = new int[count];
            Arrays.fill(parentOf, -1);
            List<List<Integer>> children = new ArrayList<>();
            for (int c = 0; c < count; c++) {
                children.add(new ArrayList<>());
            }
            for (int e = 0; e < edges.size(); e++) {
                int[] edge = edges.get(e);
                if (edge[1] >= n) {
                    birth[edge[1] - n] = lambdas.get(e);
                    parentOf[edge[1] - n] = edge[0] - n;
                    children.get(edge[0] - n).add(edge[1] - n);
                }
            }
            for (int e = 0; e < edges.size(); e++) {
                int[] edge = edges.get(e);
                int c = edge[0] - n;
                stability[c] += (Math.min(lambdas.get(e), 1.0 / MIN_DISTANCE) - birth[c]) * edge[2];
            }
            boolean[] selected = new boolean[count];
            for (int c = count - 1; c >= 1; c--) {
                double childSum = 0;
                for (int child : children.get(c)) {
                    childSum += stability[child];
                }
                if (!children.get(c).isEmpty() && childSum > stability[c]) {
                    stability[c] = childSum;
                } else {
                    selected[c] = true;
                    ArrayDeque<Integer> stack = new ArrayDeque<>(children.get(c));
                    while (!stack.isEmpty()) {
                        int desc = stack.pop();
                        selected[desc] = false;
                        stack.addAll(children.get(desc));
                    }
                }
            }
            int[] labels = new int[n];
            Arrays.fill(labels, -1);
            for (int[] edge : edges) {
                if (edge[1] < n) {
                    int c = edge[0] - n;
                    while (c > 0 && !selected[c]) {
                        c = parentOf[c];
                    }
                    labels[edge[1]] = c > 0 ? c : -1;
                }
            }
            return labels;
        }
    }

    /** Points outside the sample join the nearest cluster centroid when within that cluster's radius. */
    private static int[] attach(Vectors unit, int[] rows, int[] sampleLabels, Parallel parallel) {
        int n = unit.size();
        int d = unit.dim();
        int clusters = 0;
        for (int l : sampleLabels) {
            clusters = Math.max(clusters, l + 1);
        }
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        if (clusters == 0) {
            return labels;
        }
        // Cluster ids from the condensed tree are sparse; compact them first.
        int[] compact = new int[clusters];
        Arrays.fill(compact, -1);
        int k = 0;
        for (int l : sampleLabels) {
            if (l >= 0 && compact[l] < 0) {
                compact[l] = k++;
            }
        }
        float[] centroids = new float[k * d];
        int[] sizes = new int[k];
        for (int s = 0; s < rows.length; s++) {
            if (sampleLabels[s] >= 0) {
                int c = compact[sampleLabels[s]];
                sizes[c]++;
                for (int j = 0; j < d; j++) {
                    centroids[c * d + j] += unit.data()[rows[s] * d + j];
                }
            }
        }
        for (int c = 0; c < k; c++) {
            Vectors.normaliseInPlace(centroids, c * d, d);
        }
        float[] radius = new float[k];
        boolean[] inSample = new boolean[n];
        for (int s = 0; s < rows.length; s++) {
            inSample[rows[s]] = true;
            if (sampleLabels[s] >= 0) {
                int c = compact[sampleLabels[s]];
                labels[rows[s]] = c;
                float dd = 1f - VectorMath.dot(unit.data(), rows[s] * d, centroids, c * d, d);
                radius[c] = Math.max(radius[c], dd);
            }
        }
        int chunk = 256;
        int kk = k;
        parallel.forEach((n + chunk - 1) / chunk, ch -> {
            for (int i = ch * chunk, end = Math.min(n, i + chunk); i < end; i++) {
                if (inSample[i]) {
                    continue;
                }
                int best = -1;
                float bestDistance = Float.POSITIVE_INFINITY;
                for (int c = 0; c < kk; c++) {
                    float dd = 1f - VectorMath.dot(unit.data(), i * d, centroids, c * d, d);
                    if (dd < bestDistance) {
                        bestDistance = dd;
                        best = c;
                    }
                }
                labels[i] = bestDistance <= radius[best] ? best : -1;
            }
        });
        return labels;
    }

    /** Clusters renumbered 0… in the order of their first point, so equal clusterings print equally. */
    private static Result numbered(int[] labels, boolean sampled) {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        int[] map = new int[max + 1];
        Arrays.fill(map, -1);
        int next = 0;
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l < 0) {
                out[i] = -1;
            } else {
                if (map[l] < 0) {
                    map[l] = next++;
                }
                out[i] = map[l];
            }
        }
        return new Result(out, next, sampled);
    }
}
