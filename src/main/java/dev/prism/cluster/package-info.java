/**
 * Clustering of a theme's summary embeddings, the pure core: no Vert.x, no database; everything here is
 * plain computation that callers run on worker threads, passing a {@link dev.prism.cluster.Parallel} to spread the
 * heavy loops over cores.
 *
 * <ul>
 *   <li>{@link dev.prism.cluster.Clustering}: one full run as a theme's {@link dev.prism.cluster.ClusteringConfig}
 *       asks: {@link dev.prism.cluster.KMeans} with k fixed or chosen by {@link dev.prism.cluster.KSelection}
 *       ({@link dev.prism.cluster.Silhouette} on a sample, or size), or {@link dev.prism.cluster.Hdbscan}; then
 *       {@link dev.prism.cluster.GiantClusterSplit} (a cluster of more than half the theme that is several causes is
 *       split) and {@link dev.prism.cluster.MinimumClusterRule} (enough members from enough users, else "Other").</li>
 *   <li>{@link dev.prism.cluster.ClusterMatcher}: stable cluster ids across runs and the lineage events (new, grown,
 *       merged, split, retired) that alerts react to; {@link dev.prism.cluster.NearestCentroid}: streaming assignment of
 *       new summaries between runs. A continued cluster keeps its name unless its content changed materially.</li>
 *   <li>Names: {@link dev.prism.cluster.ClusterNamer} offline (the members' shared or most typical title, told apart
 *       from a namesake by a {@link dev.prism.cluster.CtfIdf} phrase over {@link dev.prism.cluster.Terms}), or an LLM
 *       with {@link dev.prism.cluster.ContrastivePrompt} and {@link dev.prism.cluster.NamingAnswerParser}.</li>
 *   <li>{@link dev.prism.cluster.Pca2d} (map coordinates, ojalgo), {@link dev.prism.cluster.Trends} (hourly and daily
 *       counts, growth, share), {@link dev.prism.cluster.AdjustedRandIndex} (quality tests).</li>
 * </ul>
 *
 * <p>Threading: pure; callers run it on worker threads, never on an event loop. Every result is deterministic for a
 * given input and seed, whatever the number of threads. {@link dev.prism.cluster.Recluster} strings a whole run
 * together (cluster, match, name, place on the map).
 *
 * <p>The Vert.x parts (with {@code ClusterRepository}, and {@code ClusterRunsRepository}, which keeps one instance at a
 * time computing a theme's run when several share the database):
 * <ul>
 *   <li>{@link dev.prism.cluster.ClusterVerticle} owns the per-theme state (centroids, the write queue, the run
 *       cadence): it assigns new summaries as they arrive ({@code prism.embedding.created}), takes traces whose later
 *       version has no vector out of the members ({@code prism.embedding.removed}), schedules re-clusterings per theme
 *       (they compute on the one-thread {@code prism-cluster} worker pool), stores clusters, members, runs and lineage,
 *       answers {@code prism.cluster.refresh} and publishes {@code prism.cluster.updated}. Event loop, one instance.</li>
 *   <li>{@link dev.prism.cluster.ClusterQueryVerticle} answers the reads: {@code prism.cluster.list}, {@code .get},
 *       {@code .of-trace}, {@code .members-since} and {@code .map} (the map's projection on the {@code prism-cluster}
 *       pool). Stateless: reads the store only.</li>
 * </ul>
 */
package dev.prism.cluster;
