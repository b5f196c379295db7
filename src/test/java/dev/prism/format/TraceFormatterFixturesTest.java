package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import dev.prism.trace.TraceAssembler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TraceFormatterFixturesTest {

    static Stream<Fixture> fixtures() {
        return Fixtures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    @DisplayName("each fixture renders with every expected string and none of the forbidden ones")
    void rendersFixture(Fixture f) {
        String text = TraceFormatter.format(f.assemble(), TraceFormatter.Options.defaults());
        f.json().get("expect").get("must_contain").forEach(s -> assertThat(text).as(f.name()).contains(s.asText()));
        f.json().get("expect").get("must_not_contain").forEach(s -> assertThat(text).as(f.name()).doesNotContain(s.asText()));
        assertThat(text).as(f.name()).doesNotContain("[object Object]").doesNotContainPattern("\\\\u[0-9a-fA-F]{4}");
    }
}
