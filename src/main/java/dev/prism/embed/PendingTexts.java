package dev.prism.embed;

import dev.prism.bus.SummaryCreated;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Summaries waiting for their vector, in arrival order, bounded by bytes ({@code embed.maxPendingBytes}). Used on the
 * writer's event loop only.
 */
final class PendingTexts {

    /** Per-text bookkeeping beyond its characters, for the bound. */
    private static final int ITEM_OVERHEAD_BYTES = 256;

    /** A summary waiting for its vector. */
    record Item(SummaryCreated summary, String text, String hash, long arrivedNanos) {
        long bytes() {
            return 2L * text.length() + ITEM_OVERHEAD_BYTES;
        }

        String key() {
            SummaryCreated s = summary;
            return s.projectId() + '\n' + s.themeId() + '\n' + s.traceId() + '\n' + s.traceVersion() + '\n' + hash;
        }
    }

    enum Offer { QUEUED, ALREADY_QUEUED, OVER_BOUND }

    private final List<Item> items = new ArrayList<>();
    /** Keys of the texts pending or in flight, so the sweep does not queue them twice. */
    private final Set<String> queued = new HashSet<>();
    private final long maxBytes;
    private final AtomicLong gauge;
    private long bytes;

    /** @param gauge the level {@code prism_embed_pending_bytes}, kept equal to the bytes waiting */
    PendingTexts(long maxBytes, AtomicLong gauge) {
        this.maxBytes = maxBytes;
        this.gauge = gauge;
    }

    Offer offer(Item item) {
        if (queued.contains(item.key())) {
            return Offer.ALREADY_QUEUED;
        }
        if (bytes + item.bytes() > maxBytes) {
            return Offer.OVER_BOUND;
        }
        queued.add(item.key());
        add(item.bytes());
        items.add(item);
        return Offer.QUEUED;
    }

    /** Removes the oldest {@code max} texts; they stay known as queued until {@link #finished}. */
    List<Item> take(int max) {
        int n = Math.min(max, items.size());
        List<Item> batch = new ArrayList<>(items.subList(0, n));
        items.subList(0, n).clear();
        add(-batch.stream().mapToLong(Item::bytes).sum());
        return batch;
    }

    /** The batch is stored or left to the sweep: its texts may be queued again. */
    void finished(List<Item> batch) {
        batch.forEach(item -> queued.remove(item.key()));
    }

    /** Drops the texts of the trace's versions before {@code s}'s in its theme: they would only be embedded to be removed. */
    void dropEarlier(SummaryCreated s) {
        for (Iterator<Item> it = items.iterator(); it.hasNext(); ) {
            Item item = it.next();
            SummaryCreated p = item.summary();
            if (p.traceVersion() < s.traceVersion() && p.traceId().equals(s.traceId()) && p.themeId().equals(s.themeId())
                    && p.projectId().equals(s.projectId())) {
                it.remove();
                queued.remove(item.key());
                add(-item.bytes());
            }
        }
    }

    private void add(long delta) {
        bytes += delta;
        gauge.addAndGet(delta);
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    int size() {
        return items.size();
    }

    Item first() {
        return items.get(0);
    }

    long bytes() {
        return bytes;
    }
}
