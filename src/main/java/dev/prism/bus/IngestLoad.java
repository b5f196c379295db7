package dev.prism.bus;

/**
 * How much of the last window one ingestion writer spent writing to the store.
 *
 * @param source      the writer (one per ingestion verticle instance)
 * @param busyNanos   time with a write in flight during the window
 * @param windowNanos length of the window
 * @param queued      events waiting for the store at the end of the window
 */
public record IngestLoad(String source, long busyNanos, long windowNanos, int queued) {
}
