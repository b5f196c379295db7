package dev.prism.cli;

import dev.prism.Main;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FormatCommandTest {

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(Main.run(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("format prints a fixture's trace as text with everything the fixture expects")
    void formatsFixture() {
        Fixture f = Fixtures.named("s06");
        String text = run("format", Fixtures.DIR.resolve(f.name() + ".json").toString());
        f.json().get("expect").get("must_contain").forEach(s -> assertThat(text).contains(s.asText()));
        f.json().get("expect").get("must_not_contain").forEach(s -> assertThat(text).doesNotContain(s.asText()));
    }

    @Test
    @DisplayName("format reads JSON Lines, renders events without a trace id, and honours --line-numbers")
    void jsonLinesAndOptions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, """
                {"event": "$ai_generation", "properties": {"$ai_trace_id": "jl-1", "$ai_model": "gpt-4o-mini", "$ai_input": "Bonjour, ça va ?"}}
                {"event": "$ai_generation", "properties": {"$ai_model": "claude-3-5-haiku", "$ai_input": "no trace id here"}}
                """);
        String text = run("format", "--line-numbers", file.toString());
        assertThat(text).contains("gpt-4o-mini").contains("Bonjour, ça va ?").contains("claude-3-5-haiku").contains("no trace id here");
        assertThat(text.lines().filter(l -> !l.isBlank())).allMatch(l -> l.matches("^L\\d+:.*"));
    }

    @Test
    @DisplayName("format prices events sent with model and tokens but no cost, as the server does")
    void pricesLikeTheServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wrapper.jsonl");
        Files.writeString(file, """
                {"event": "$ai_generation", "properties": {"$ai_trace_id": "w-1", "$ai_provider": "openai", "$ai_model": "gpt-4o-mini-2024-07-18", "$ai_input_tokens": 1000000, "$ai_output_tokens": 200000}}
                """);
        assertThat(run("format", file.toString())).contains("cost: $0.2700 ");
    }
}
