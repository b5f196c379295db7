package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixtures' OTLP payloads, mapped, render the same text as their PostHog events (the server path is in OtlpServerTest). */
class FixtureParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Fixture> withOtlp() {
        return Fixtures.all().stream().filter(f -> f.json().has("otlp"));
    }

    static String render(String traceId, List<JsonNode> events) {
        List<TraceEvent> list = new ArrayList<>();
        int i = 0;
        for (JsonNode e : events) {
            list.add(TraceEvent.fromCapture(e, "uuid-" + i++, Instant.EPOCH));
        }
        return TraceFormatter.format(TraceAssembler.assemble(traceId, list), new TraceFormatter.Options(false, 0));
    }

    /** Both sides without the user line: the OTLP payloads carry no user id, only a service name (see README). */
    static String withoutUser(String text) {
        return text.replaceAll("(?m)^.*(emp_onboard_5521|usr_quiz_301|usr_homebuyer_88|usr_thesis_42|it-helpdesk-agent|classroom-tools|mortgage-helper|thesis-helper).*$\\n?", "");
    }

    @ParameterizedTest
    @MethodSource("withOtlp")
    @DisplayName("a fixture's OTLP spans render as its PostHog events do")
    void sameText(Fixture fixture) throws Exception {
        SpanMapper.Mapping mapping = SpanMapper.map(OtlpJsonReader.read(JSON.writeValueAsBytes(fixture.json().get("otlp"))));
        assertThat(mapping.rejected()).isZero();
        String expected = render(fixture.traceId(), fixture.events());
        String actual = render(fixture.traceId(), new ArrayList<>(mapping.events()));
        assertThat(withoutUser(actual)).isEqualTo(withoutUser(expected));
        assertThat(mapping.events()).hasSize(fixture.events().size());
        for (JsonNode s : fixture.json().path("expect").path("must_contain")) {
            assertThat(actual).contains(s.asText());
        }
    }
}
