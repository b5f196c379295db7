package dev.prism.cluster;

import dev.prism.bus.EmbeddingCreated;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Recent placements an instance wrote for one theme, with when: another instance's run that computed meanwhile did not
 * see them and may have retired their clusters, so once its run is found they are placed again with its centroids.
 * Bounded by count and age. Pure and single-threaded.
 */
final class RecentPlacements {

    /** Placements remembered at most... */
    static final int MAX = 10_000;
    /** ...and for this long: longer than a run computes. */
    static final long MAX_AGE_MILLIS = 15 * 60_000;

    private record Placed(EmbeddingCreated e, long atMillis) {
    }

    private final ArrayDeque<Placed> placed = new ArrayDeque<>();

    void add(List<EmbeddingCreated> batch, long nowMillis) {
        batch.forEach(e -> placed.add(new Placed(e, nowMillis)));
        while (!placed.isEmpty() && (placed.size() > MAX || placed.peek().atMillis() < nowMillis - MAX_AGE_MILLIS)) {
            placed.poll();
        }
    }

    /** Forgets placements (of a trace whose later version has no vector). */
    void forget(Predicate<EmbeddingCreated> which) {
        placed.removeIf(p -> which.test(p.e()));
    }

    /** Takes out the placements written at or after {@code sinceMillis}, oldest first. */
    List<EmbeddingCreated> since(long sinceMillis) {
        List<EmbeddingCreated> out = new ArrayList<>();
        placed.removeIf(p -> {
            if (p.atMillis() >= sinceMillis) {
                out.add(p.e());
                return true;
            }
            return false;
        });
        return out;
    }

    int size() {
        return placed.size();
    }
}
