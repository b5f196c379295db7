package dev.prism.bus;

/**
 * How much of the last window one ingestion instance spent with requests in hand.
 *
 * @param source      the instance (one per core)
 * @param busyNanos   time with at least one request being handled during the window
 * @param windowNanos length of the window
 * @param queued      events waiting for the store at the end of the window
 */
public record IngestLoad(String source, long busyNanos, long windowNanos, int queued) {
}
