package dev.prism.web;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The messages a WebSocket client has not been able to take yet, bounded whatever the client does.
 *
 * <p>A message with a key (the latest progress of a run, the latest state of a cluster) replaces the older one with the
 * same key, which leaves its place: the newer one goes to the end. So the messages that do get through keep the order
 * in which they were published, and a client that catches up receives each key's latest state once. Messages without
 * a key (summaries, alerts) each count; beyond the bound the oldest of them is dropped, then, if only keyed ones are
 * left, the oldest keyed one. Control messages (replies to the client's own requests) are never dropped: the caller
 * stops reading requests while anything is buffered, so at most a few of them can wait here.
 *
 * <p>Not thread-safe: one client's buffer lives on its connection's event loop.
 */
final class CoalescingBuffer {

    /**
     * One message for one client.
     *
     * @param key     null: not coalescable; otherwise the latest message with this key replaces older ones
     * @param control a reply to the client's request: never dropped
     * @param text    the JSON text, often shared by every client receiving the same event
     */
    record Entry(String key, boolean control, String text) {
        static Entry event(String key, String text) {
            return new Entry(key, false, text);
        }

        static Entry control(String text) {
            return new Entry(null, true, text);
        }

        boolean droppable() {
            return key == null && !control;
        }
    }

    /** What an offer did besides keeping the new message. */
    record Offer(boolean coalesced, int dropped) {
    }

    private final int maxMessages;
    private final long maxChars;
    /** In delivery order. Keyed entries under their key, the others under a sequence number (a Long, never equal to a key). */
    private final LinkedHashMap<Object, Entry> entries = new LinkedHashMap<>();
    /** Map keys of the droppable entries, oldest first, so the victim is found without a scan. */
    private final ArrayDeque<Long> droppable = new ArrayDeque<>();
    private long sequence;
    private long chars;
    private long droppedSinceNotice;

    CoalescingBuffer(int maxMessages, long maxChars) {
        if (maxMessages < 1 || maxChars < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.maxMessages = maxMessages;
        this.maxChars = maxChars;
    }

    Offer offer(Entry entry) {
        boolean coalesced = false;
        Object mapKey;
        if (entry.key() != null) {
            Entry old = entries.remove(entry.key());
            if (old != null) {
                chars -= old.text().length();
                coalesced = true;
            }
            mapKey = entry.key();
        } else {
            Long seq = sequence++;
            mapKey = seq;
            if (entry.droppable()) {
                droppable.addLast(seq);
            }
        }
        entries.put(mapKey, entry);
        chars += entry.text().length();
        int dropped = 0;
        while ((entries.size() > maxMessages || chars > maxChars) && evictOne()) {
            dropped++;
        }
        droppedSinceNotice += dropped;
        return new Offer(coalesced, dropped);
    }

    /** The oldest droppable entry, else the oldest keyed one; false when only control messages are left. */
    private boolean evictOne() {
        Long oldest = droppable.pollFirst();
        if (oldest != null) {
            chars -= entries.remove(oldest).text().length();
            return true;
        }
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.control()) {
                it.remove();
                chars -= e.text().length();
                return true;
            }
        }
        return false;
    }

    /** The next message to send, or null. */
    Entry poll() {
        Iterator<Map.Entry<Object, Entry>> it = entries.entrySet().iterator();
        if (!it.hasNext()) {
            return null;
        }
        Entry e = it.next().getValue();
        it.remove();
        chars -= e.text().length();
        if (e.droppable()) {
            droppable.pollFirst(); // the oldest droppable entry is the head's, as both keep publication order
        }
        return e;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }

    long chars() {
        return chars;
    }

    /** Messages dropped since the last call: what the next {@code dropped} notice reports. */
    long takeDropped() {
        long n = droppedSinceNotice;
        droppedSinceNotice = 0;
        return n;
    }

    /** Forgets everything (the client left); returns how many messages were held. */
    int clear() {
        int n = entries.size();
        entries.clear();
        droppable.clear();
        chars = 0;
        return n;
    }
}
