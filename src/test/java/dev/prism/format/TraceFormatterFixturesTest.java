package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shared fixture renders with what its {@code expect} block asks for, and without what it forbids. */
class TraceFormatterFixturesTest {

    static Stream<Arguments> fixtures() {
        return TestTraces.fixtureFiles().stream().map(p -> Arguments.of(p.getFileName().toString().replace(".json", ""), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    @DisplayName("a fixture's text contains every must_contain string and no must_not_contain string")
    void meetsExpectations(String name, Path file) {
        JsonNode fixture = TestTraces.read(file);
        String text = TestTraces.render(TestTraces.fixtureTrace(fixture));

        List<String> missing = new ArrayList<>();
        fixture.path("expect").path("must_contain").forEach(s -> {
            if (!text.contains(s.asText())) {
                missing.add(s.asText());
            }
        });
        List<String> present = new ArrayList<>();
        fixture.path("expect").path("must_not_contain").forEach(s -> {
            if (text.contains(s.asText())) {
                present.add(s.asText());
            }
        });
        assertThat(missing).as("must_contain strings missing from:\n%s", text).isEmpty();
        assertThat(present).as("must_not_contain strings present in:\n%s", text).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    @DisplayName("no fixture's text shows JSON escapes, \\u escapes or [object Object]")
    void readableText(String name, Path file) {
        String text = TestTraces.render(TestTraces.fixtureTrace(TestTraces.read(file)));

        assertThat(text).doesNotContain("\\\"").doesNotContain("[object Object]").doesNotContainPattern("\\\\u[0-9a-fA-F]{4}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    @DisplayName("every fixture renders numbered and within a small budget")
    void numberedAndBudgeted(String name, Path file) {
        AssembledTrace trace = TestTraces.fixtureTrace(TestTraces.read(file));

        String text = TraceFormatter.format(trace, new TraceFormatter.Options(true, 1500));

        assertThat(text.length()).isLessThanOrEqualTo(1500);
        assertThat(text.lines()).isNotEmpty().allMatch(l -> l.matches("^L\\d+:.*"));
    }

    @Test
    @DisplayName("all 25 fixtures are found, so a moved directory cannot make the suite pass vacuously")
    void allFixturesFound() {
        assertThat(TestTraces.fixtureFiles()).hasSize(25);
    }

    @Test
    @DisplayName("the 2 MB crawl log is cut: the text stays a few kilobytes and names how much was cut")
    void hugeValueIsCut() {
        Path file = TestTraces.fixtureFiles().stream().filter(p -> p.getFileName().toString().startsWith("s24")).findFirst().orElseThrow();

        String text = TestTraces.render(TestTraces.fixtureTrace(TestTraces.read(file)));

        assertThat(text.length()).isLessThan(20_000);
        assertThat(text).containsPattern("… \\[2,0\\d\\d,\\d{3} chars cut] …");
    }
}
