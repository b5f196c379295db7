package dev.prism.theme;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.trace.TraceAssembler;

import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds traces the way production does: events with JSON properties, assembled by {@link TraceAssembler}. */
final class TestTraces {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    private TestTraces() {
    }

    /** An event at T0 + {@code second} seconds; properties as JSON text (numbers stay as written until parsed). */
    static TraceEvent event(String name, int second, String propertiesJson) {
        return new TraceEvent("u" + IDS.incrementAndGet(), name, "user-1", T0.plusSeconds(second), T0.plusSeconds(second),
                json(propertiesJson));
    }

    /** An event sent without a timestamp (the trace gets no latency unless its $ai_trace event gives one). */
    static TraceEvent untimed(String name, String propertiesJson) {
        return new TraceEvent("u" + IDS.incrementAndGet(), name, "user-1", null, T0, json(propertiesJson));
    }

    static AssembledTrace trace(TraceEvent... events) {
        return TraceAssembler.assemble("trace-1", Arrays.asList(events));
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
