package dev.prism.cluster;

import dev.prism.bus.ClusterCommand;
import dev.prism.bus.EmbeddingCreated;
import io.vertx.core.Future;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** What {@link ClusterVerticle}'s event loop keeps of a theme between runs. Event-loop confined. */
final class ThemeState {

    /** Placements remembered for another instance's run that may have retired their clusters, at most. */
    static final int REMEMBERED_PLACEMENTS = 10_000;
    /** ...and for this long: longer than a run computes. */
    static final long REMEMBERED_MILLIS = 15 * 60_000;

    final String projectId;
    final String themeId;
    Future<Void> loaded;
    List<ClusterRepository.Centroid> centroids = List.of();
    /** The stored run the centroids are from (0: none yet); a write finding a later one places its batch again. */
    long runId;
    double maxDistance = ClusteringConfig.DEFAULTS.maxDistance();
    /** The theme's {@code min_cluster_size}: twice this many summaries make its first run worth it. */
    int minClusterSize = ClusteringConfig.DEFAULTS.minClusterSize();
    /** New summaries since the last run started. */
    int fresh;
    boolean dirty;
    /** Summaries in the last run: the theme's size, which sets how many new ones make a run worth it. */
    int size;
    /** End (epoch ms) and duration of the last run, for the automatic cadence. */
    long lastRunEnd;
    long lastRunMillis;
    boolean autoQueued;
    Future<ClusterCommand.RunResult> running;
    Future<ClusterCommand.RunResult> queued;
    /**
     * One writer per theme: assignments wait here and leave in batches, never while a run stores its result.
     * Run and assignments used to write in separate transactions that locked members and clusters in opposite
     * orders, and PostgreSQL broke the resulting deadlocks by failing one of them.
     */
    final ArrayDeque<EmbeddingCreated> waiting = new ArrayDeque<>();
    boolean writing;
    boolean saving;
    Future<Void> lastWrite = Future.succeededFuture();
    int failures;
    long retryTimer = -1;
    /** Assignments written while a run computed: made against the old centroids, so made again after it stored. */
    List<EmbeddingCreated> duringRun;
    /**
     * Recent placements this instance wrote, with when: another instance's run that computed meanwhile did not see them
     * and may have retired their clusters, so once its run is found they are placed again with its centroids.
     */
    private final ArrayDeque<Placed> placed = new ArrayDeque<>();

    private record Placed(EmbeddingCreated e, long atMillis) {
    }

    ThemeState(String projectId, String themeId) {
        this.projectId = projectId;
        this.themeId = themeId;
    }

    void placed(List<EmbeddingCreated> batch, long nowMillis) {
        batch.forEach(e -> placed.add(new Placed(e, nowMillis)));
        while (!placed.isEmpty() && (placed.size() > REMEMBERED_PLACEMENTS || placed.peek().atMillis() < nowMillis - REMEMBERED_MILLIS)) {
            placed.poll();
        }
    }

    /** Forgets remembered placements (of a trace whose later version has no vector). */
    void forget(java.util.function.Predicate<EmbeddingCreated> which) {
        placed.removeIf(p -> which.test(p.e()));
    }

    /**
     * Adopts a run another instance stored: its centroids and cadence, as if this instance had run it; the placements
     * written since it started go back to the front of the queue.
     */
    void adopt(ClusterCommand.RunResult run, List<ClusterRepository.Centroid> stored) {
        centroids = stored;
        runId = run.runId();
        size = run.items();
        long end = run.at().toEpochMilli();
        lastRunEnd = Math.max(lastRunEnd, end);
        lastRunMillis = run.elapsedMillis();
        fresh = 0;
        // A second of slack for clocks of instances that differ a little.
        long started = end - run.elapsedMillis() - 1_000;
        List<EmbeddingCreated> again = new ArrayList<>();
        placed.removeIf(p -> {
            if (p.atMillis() >= started) {
                again.add(p.e());
                return true;
            }
            return false;
        });
        for (int i = again.size() - 1; i >= 0; i--) {
            waiting.addFirst(again.get(i));
        }
    }
}
