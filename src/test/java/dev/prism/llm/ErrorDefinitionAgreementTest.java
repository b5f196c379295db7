package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.support.Fixtures;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What counts as a failed event is decided once ({@link TraceEvent#failed(JsonNode)}): a trace's {@code error_count},
 * the {@code ERROR} lines of its text and the offline analyzer's failures agree on every fixture, and on the shapes
 * where they used to disagree (an HTTP status of 400 or more with no error flag, flags sent as strings).
 */
@DisplayName("One definition of a failed event")
class ErrorDefinitionAgreementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Counts(int errorCount, long failedEvents, long errorLines, int analyzerFailures) {
    }

    private static Counts counts(AssembledTrace trace) {
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        long errorLines = text.lines().map(String::strip).filter(l -> l.startsWith("ERROR")).count();
        long failed = trace.events().stream().filter(TraceEvent::failed).count();
        return new Counts(trace.aggregates().errorCount(), failed, errorLines, TraceSignals.of(trace, text).failures().size());
    }

    @Test
    @DisplayName("on every fixture, error_count = failed events = ERROR lines of the text = the analyzer's failures")
    void fixturesAgree() {
        int withErrors = 0;
        for (Fixtures.Fixture f : Fixtures.all()) {
            Counts c = counts(f.assemble());
            assertThat(List.of((long) c.errorCount(), c.errorLines(), (long) c.analyzerFailures()))
                    .as(f.name() + " " + c).containsOnly(c.failedEvents());
            if (c.failedEvents() > 0) {
                withErrors++;
            }
        }
        assertThat(withErrors).as("fixtures with failed events").isGreaterThanOrEqualTo(5);
    }

    @Test
    @DisplayName("an HTTP error status alone, or a flag sent as \"yes\" or 1, counts everywhere; a 2xx status or a false flag nowhere")
    void edgeShapesAgree() throws Exception {
        String[] failing = {
                "{\"$ai_http_status\": 503}",
                "{\"$ai_http_status\": \"429\"}",
                "{\"$ai_is_error\": \"yes\"}",
                "{\"$ai_is_error\": 1}",
                "{\"$ai_error\": {\"message\": \"boom\"}}"};
        String[] fine = {
                "{\"$ai_http_status\": 200}",
                "{\"$ai_is_error\": false, \"$ai_error\": \"\"}",
                "{\"$ai_is_error\": \"false\", \"$ai_error\": {}}"};
        for (String props : failing) {
            Counts c = counts(trace(props));
            assertThat(c).as(props).isEqualTo(new Counts(1, 1, 1, 1));
        }
        for (String props : fine) {
            Counts c = counts(trace(props));
            assertThat(c).as(props).isEqualTo(new Counts(0, 0, 0, 0));
        }
    }

    /** One generation with an answer, carrying {@code extra} properties. */
    private static AssembledTrace trace(String extra) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode props = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(extra);
        props.put("$ai_trace_id", "t-1").put("$ai_model", "gpt-4o-mini").put("$ai_latency", 1.0);
        props.putArray("$ai_input").addObject().put("role", "user").put("content", "Where is my order?");
        props.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", "It ships tomorrow.");
        List<TraceEvent> events = new ArrayList<>();
        events.add(new TraceEvent("u-1", "$ai_generation", "user-1", Instant.parse("2026-12-01T10:00:00Z"), Instant.EPOCH, props));
        return TraceAssembler.assemble("t-1", events);
    }
}
