package dev.prism.bus;

import java.time.Instant;

/**
 * A page of a project's traces, newest activity first.
 *
 * @param cursor     opaque cursor of the previous page, or null for the first page
 * @param since      inclusive lower bound on the trace's last event time, or null
 * @param until      exclusive upper bound on the trace's last event time, or null
 * @param status     "pending", "completed" or null for both
 * @param errors     true: only traces with a failed event; false: only traces without; null: both
 * @param model      only traces that called this model, or null
 * @param user       only traces with an event of this distinct id, or null
 * @param minCost    only traces costing at least this (USD), or null
 * @param minLatency only traces taking at least this long (seconds), or null
 */
public record TraceListQuery(String projectId, int limit, String cursor, Instant since, Instant until, String status,
                             Boolean errors, String model, String user, Double minCost, Double minLatency) {

    public TraceListQuery(String projectId, int limit, String cursor, Instant since, Instant until, String status) {
        this(projectId, limit, cursor, since, until, status, null, null, null, null, null);
    }
}
