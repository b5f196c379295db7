package dev.prism.ingest;

import dev.prism.ingest.EventParser.ParsedEvent;
import io.vertx.core.Future;

import java.util.List;

/**
 * Where capture hands accepted events: the store directly ({@link EventWriter}), or Kafka ({@link KafkaEventSink}) when
 * it is configured. Either way the returned future completes only once the events are durable, so an acknowledged
 * request is never lost; it fails with a 503 {@code Failure} under back-pressure.
 */
interface EventSink {

    Future<Void> write(String projectId, List<ParsedEvent> events);

    /** Events accepted but not yet durable, for the load report later stages yield to. */
    int queuedEvents();

    /** Completes once nothing is in hand any more. */
    Future<Void> idle();

    /** Waits for what is in hand, then releases connections; called on stop. */
    default Future<Void> close() {
        return idle();
    }
}
