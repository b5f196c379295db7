package dev.prism.trace;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.prism.bus.TraceEvent;
import dev.prism.trace.TraceRepository.TraceKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What a trace version brought: the events received since the previous version completed")
class VersionEventsTest {

    private static final Instant COMPLETED = Instant.parse("2026-12-01T10:00:00Z");

    private static TraceEvent event(String name, Instant receivedAt) {
        return new TraceEvent(name + "@" + receivedAt, name, "u", receivedAt, receivedAt, JsonNodeFactory.instance.objectNode());
    }

    private static final List<TraceEvent> FIRST = List.of(event("$ai_generation", COMPLETED.minusSeconds(30)),
            event("$ai_span", COMPLETED.minusSeconds(20)), event("$ai_trace", COMPLETED.minusSeconds(10)));

    private static List<TraceEvent> with(TraceEvent... later) {
        List<TraceEvent> all = new java.util.ArrayList<>(FIRST);
        all.addAll(List.of(later));
        return all;
    }

    @Test
    @DisplayName("a first version has none: everything in it is new")
    void firstVersion() {
        assertThat(TraceRepository.versionEvents(new TraceKey("p", "t", 1), FIRST)).isNull();
    }

    @Test
    @DisplayName("a later version lists the distinct names of the events received after the previous completion, sorted")
    void laterVersion() {
        TraceKey key = new TraceKey("p", "t", 2, COMPLETED, 3);
        assertThat(TraceRepository.versionEvents(key, with(event("$ai_feedback", COMPLETED.plusSeconds(60)),
                event("$ai_metric", COMPLETED.plusSeconds(61)), event("$ai_feedback", COMPLETED.plusSeconds(62)))))
                .containsExactly("$ai_feedback", "$ai_metric");
        assertThat(TraceRepository.versionEvents(key, with(event("$ai_generation", COMPLETED.plusSeconds(5)))))
                .containsExactly("$ai_generation");
    }

    @Test
    @DisplayName("an event received before the previous completion but not part of it makes what changed unknown (empty)")
    void racedEvent() {
        // Written while the previous version completed: received before it, committed after, so not among its 3 events.
        TraceKey key = new TraceKey("p", "t", 2, COMPLETED, 3);
        assertThat(TraceRepository.versionEvents(key, with(event("$ai_generation", COMPLETED.minusMillis(5)),
                event("$ai_feedback", COMPLETED.plusSeconds(60))))).isEmpty();
        // Without the previous count (completed before Prism recorded it), the times alone decide.
        TraceKey unknownCount = new TraceKey("p", "t", 2, COMPLETED, null);
        assertThat(TraceRepository.versionEvents(unknownCount, with(event("$ai_feedback", COMPLETED.plusSeconds(60)))))
                .containsExactly("$ai_feedback");
    }
}
