package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.Main;
import dev.prism.eval.CorpusFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class EvalCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("eval --json measures a generated corpus, saves it, and measures the saved copy the same way with --corpus")
    void generatedAndSavedCorpusMeasureAlike(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("corpus");
        Path first = dir.resolve("first.json");
        assertThat(Main.run("eval", "--split", "tune", "--seed", "4", "--traces", "56", "--json", "--save-corpus", corpus.toString(),
                "--out", first.toString())).isZero();
        assertThat(corpus.resolve(CorpusFiles.EVENTS)).exists();
        assertThat(Files.readAllLines(corpus.resolve(CorpusFiles.LABELS))).hasSize(56);
        JsonNode generated = JSON.readTree(first.toFile());
        assertThat(generated.get("source").asText()).contains("split tune, seed 4, 56 traces");
        assertThat(generated.get("themes")).hasSize(5);
        for (JsonNode theme : generated.get("themes")) {
            assertThat(theme.get("sampled").asInt()).as(theme.get("theme").asText()).isPositive();
            assertThat(theme.has("precision") && theme.has("recall") && theme.has("ari") && theme.has("nmi") && theme.has("names")).isTrue();
        }
        JsonNode errors = generated.get("themes").get(0);
        assertThat(errors.get("theme").asText()).isEqualTo("error_analysis");
        assertThat(errors.get("positives").asInt()).isPositive();

        String stdout = run("eval", "--corpus", corpus.toString(), "--json");
        JsonNode saved = JSON.readTree(stdout);
        assertThat(saved.get("source").asText()).contains("corpus");
        for (int i = 0; i < 5; i++) {
            JsonNode a = generated.get("themes").get(i);
            JsonNode b = saved.get("themes").get(i);
            assertThat(b.get("positives")).as(a.get("theme").asText()).isEqualTo(a.get("positives"));
            assertThat(b.get("precision")).as(a.get("theme").asText()).isEqualTo(a.get("precision"));
            assertThat(b.get("recall")).as(a.get("theme").asText()).isEqualTo(a.get("recall"));
        }
    }

    @Test
    @DisplayName("an unknown split is refused with a message naming the choices")
    void unknownSplit() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(Main.run("eval", "--split", "train")).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("eval or tune");
    }

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
}
