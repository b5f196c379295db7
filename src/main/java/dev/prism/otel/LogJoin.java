package dev.prism.otel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins per-message log records to their span, whichever arrives first. Shared by every {@link OtlpVerticle} instance
 * (a record and its span may reach different event loops), so every method holds the lock; all of them are short.
 *
 * <ul>
 * <li>A record whose span has not come yet waits here ({@link #offer}) at most {@code recordWaitMillis}; a span arriving
 * in that time takes its records ({@link #claim}) before it is mapped. The wait is longer than the hold below because
 * it costs the exporter nothing (the log export is answered at once) while the span may be late by a whole batch: an
 * SDK's batch span processor exports every 5 s by default, its log processor every second.</li>
 * <li>A generation span arriving with no content at all (the shape of instrumentations that send content as log records)
 * and no record waiting for it is held for {@code holdMillis} ({@link #hold}): records arriving meanwhile are put on it,
 * and it is mapped when the window closes ({@link #release}). The export is answered then, so the exporter still hears
 * back-pressure from the capture of those spans.</li>
 * <li>Bounded: at most {@code maxRecords} waiting records and {@code maxHeld} held spans. Beyond, a record is refused
 * (reported in the partial success, counted) and a span is not held (mapped at once, without the later records).</li>
 * <li>A record that finds no span within its wait is dropped and counted ({@link #expire}): a message without its
 * span has no trace node to belong to, and the span may have been sent with content of its own.</li>
 * </ul>
 * A hold of 0 turns joining off. Keys are project, trace id and span id, so one project's records never join another's
 * span.
 */
final class LogJoin {

    enum Offer { JOINED, WAITING, FULL, OFF }

    private record Waiting(OtlpSpan.Event event, long since) {
    }

    private final long holdMillis;
    private final long recordWaitMillis;
    private final int maxRecords;
    private final int maxHeld;
    private final LinkedHashMap<String, List<Waiting>> waiting = new LinkedHashMap<>();
    private final Map<String, List<OtlpSpan.Event>> held = new HashMap<>();
    private int waitingCount;

    LogJoin(long holdMillis, long recordWaitMillis, int maxRecords, int maxHeld) {
        this.holdMillis = holdMillis;
        this.recordWaitMillis = recordWaitMillis;
        this.maxRecords = maxRecords;
        this.maxHeld = maxHeld;
    }

    boolean on() {
        return holdMillis > 0;
    }

    /** How long a content-less generation span is held for its records. */
    long holdMillis() {
        return holdMillis;
    }

    /** How long a record waits for its span. */
    long recordWaitMillis() {
        return recordWaitMillis;
    }

    static String key(String projectId, String traceId, String spanId) {
        return projectId + '/' + traceId + '/' + spanId;
    }

    /**
     * A message record: put on its held span, else kept waiting for its span, else refused when the buffer is full;
     * {@link Offer#OFF} when joining is off (hold 0).
     */
    synchronized Offer offer(String key, OtlpSpan.Event event, long nowMillis) {
        List<OtlpSpan.Event> span = held.get(key);
        if (span != null) {
            span.add(event);
            return Offer.JOINED;
        }
        if (!on()) {
            return Offer.OFF;
        }
        if (waitingCount >= maxRecords) {
            return Offer.FULL;
        }
        waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(new Waiting(event, nowMillis));
        waitingCount++;
        return Offer.WAITING;
    }

    /** The records waiting for this span, taken (in their time order); empty when none. */
    synchronized List<OtlpSpan.Event> claim(String key) {
        List<Waiting> found = waiting.remove(key);
        if (found == null) {
            return List.of();
        }
        waitingCount -= found.size();
        return found.stream().map(Waiting::event).sorted(Comparator.comparingLong(OtlpSpan.Event::timeNanos)).toList();
    }

    /** Holds these spans for records to come; false (nothing held) when holding is off or the spans would not fit. */
    synchronized boolean hold(Collection<String> keys) {
        if (!on() || held.size() + keys.size() > maxHeld) {
            return false;
        }
        keys.forEach(k -> held.putIfAbsent(k, new ArrayList<>()));
        return true;
    }

    /** The records that arrived for a held span, which is no longer held. */
    synchronized List<OtlpSpan.Event> release(String key) {
        List<OtlpSpan.Event> events = held.remove(key);
        if (events == null) {
            return List.of();
        }
        events.sort(Comparator.comparingLong(OtlpSpan.Event::timeNanos));
        return events;
    }

    /** Drops the records that waited longer than {@code recordWaitMillis}; answers how many. */
    synchronized int expire(long nowMillis) {
        int dropped = 0;
        for (Iterator<List<Waiting>> it = waiting.values().iterator(); it.hasNext(); ) {
            List<Waiting> records = it.next();
            int before = records.size();
            records.removeIf(w -> nowMillis - w.since() >= recordWaitMillis);
            dropped += before - records.size();
            if (records.isEmpty()) {
                it.remove();
            }
        }
        waitingCount -= dropped;
        return dropped;
    }

    synchronized int waitingRecords() {
        return waitingCount;
    }

    synchronized int heldSpans() {
        return held.size();
    }
}
