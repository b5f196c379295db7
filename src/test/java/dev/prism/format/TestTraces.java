package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.support.Fixtures;
import dev.prism.trace.TraceAssembler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Builds traces for the formatter's tests: from the repository's fixtures, or from small hand-written events. */
final class TestTraces {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Events without a timestamp sort after the others, as if received later. */
    private static final Instant RECEIVED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

    private TestTraces() {
    }

    /** The repository's fixtures directory ({@code examples/traces}). */
    static Path fixturesDir() {
        return Fixtures.DIR;
    }

    static List<Path> fixtureFiles() {
        try (Stream<Path> files = Files.list(fixturesDir())) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture's trace, assembled as the server would; events without a trace id get a synthetic one. */
    static AssembledTrace fixtureTrace(JsonNode fixture) {
        List<TraceEvent> events = new ArrayList<>();
        int i = 0;
        String traceId = null;
        for (JsonNode e : fixture.get("events")) {
            events.add(event(e, i++));
            JsonNode id = e.path("properties").path("$ai_trace_id");
            if (traceId == null && id.isTextual() && !id.asText().isBlank()) {
                traceId = id.asText();
            }
        }
        return TraceAssembler.assemble(traceId == null ? "synthetic-trace-id" : traceId, events);
    }

    /** A captured event ({@code event, distinct_id, timestamp, properties}) as stored; uuid and timestamp may be absent. */
    static TraceEvent event(JsonNode e, int index) {
        return TraceEvent.fromCapture(e, "test-uuid-" + index, RECEIVED);
    }

    /** A JSON object written in a test. */
    static ObjectNode props(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An event of the given type at {@code second} seconds into the test's trace. */
    static TraceEvent event(String type, int second, String propsJson) {
        return new TraceEvent("uuid-" + type + "-" + second, type, "user-1", T0.plusSeconds(second), RECEIVED, props(propsJson));
    }

    /** A trace of the given events. */
    static AssembledTrace trace(TraceEvent... events) {
        return TraceAssembler.assemble("trace-1", List.of(events));
    }

    /** The text of a trace holding one generation with these properties (a JSON object). */
    static String generation(String propsJson) {
        return render(trace(event("$ai_generation", 1, propsJson)));
    }

    /** The text of a trace holding one span with these properties. */
    static String span(String propsJson) {
        return render(trace(event("$ai_span", 1, propsJson)));
    }

    static String render(AssembledTrace trace) {
        return TraceFormatter.format(trace, TraceFormatter.Options.defaults());
    }
}
