package dev.prism.bus;

import java.time.Instant;

/**
 * A page of a project's traces, newest activity first.
 *
 * @param cursor opaque cursor of the previous page, or null for the first page
 * @param since  inclusive lower bound on the trace's last event time, or null
 * @param until  exclusive upper bound on the trace's last event time, or null
 * @param status "pending", "completed" or null for both
 */
public record TraceListQuery(String projectId, int limit, String cursor, Instant since, Instant until, String status) {
}
