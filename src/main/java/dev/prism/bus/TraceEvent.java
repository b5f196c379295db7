package dev.prism.bus;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A stored {@code $ai_*} event. {@code properties} is shared, never modified after parsing.
 *
 * @param timestamp the client's time, null when it sent none
 */
public record TraceEvent(String uuid, String event, String distinctId, Instant timestamp, Instant receivedAt, ObjectNode properties) {

    /** The client's time, or the server's receive time for events sent without one. */
    public Instant effectiveTime() {
        return timestamp != null ? timestamp : receivedAt;
    }
}
