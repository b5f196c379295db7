package dev.prism.bus;

import java.util.List;

/**
 * What happened to the events of one ingestion request. Every event is either accepted (stored), ignored
 * (not an {@code $ai_*} event) or rejected with a reason.
 */
public record CaptureResult(String projectId, int received, int accepted, int ignored, List<Rejection> rejected) {

    /** @param index position of the event in the request's batch */
    public record Rejection(int index, String reason) {
    }
}
