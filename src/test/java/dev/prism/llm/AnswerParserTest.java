package dev.prism.llm;

import dev.prism.llm.OfflineAnalyzer.Analysis;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnswerParserTest {

    @Test
    @DisplayName("a contract answer parses, also inside code fences or after a sentence; extra fields are allowed")
    void parses() throws Exception {
        assertThat(AnswerParser.parse("{\"theme_relevant\": true, \"title\": \"Rate limit\", \"summary\": \"429 twice\", \"severity\": \"HIGH\", \"tags\": [\"x\"]}"))
                .isEqualTo(new Analysis(true, "Rate limit", "429 twice", "high"));
        assertThat(AnswerParser.parse("Here you go:\n```json\n{\"theme_relevant\": \"false\", \"title\": \"\", \"summary\": \"\"}\n```"))
                .isEqualTo(new Analysis(false, "", "", "low"));
    }

    @Test
    @DisplayName("answers that break the contract are refused with a reason fit for the repair prompt")
    void refuses() {
        assertThatThrownBy(() -> AnswerParser.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AnswerParser.parse("I think it is relevant.")).hasMessageContaining("no JSON object");
        assertThatThrownBy(() -> AnswerParser.parse("{\"theme_relevant\": true, \"title\": \"x\"")).hasMessageContaining("no JSON object");
        assertThatThrownBy(() -> AnswerParser.parse("{\"theme_relevant\": true, \"title\": \"x\",}")).hasMessageContaining("does not parse");
        assertThatThrownBy(() -> AnswerParser.parse("{\"theme_relevant\": \"maybe\", \"title\": \"x\", \"summary\": \"y\"}"))
                .hasMessageContaining("theme_relevant");
        assertThatThrownBy(() -> AnswerParser.parse("{\"theme_relevant\": true, \"title\": \"x\"}")).hasMessageContaining("\"summary\" is missing");
        assertThatThrownBy(() -> AnswerParser.parse("{\"theme_relevant\": true, \"title\": 3, \"summary\": \"y\"}")).hasMessageContaining("\"title\" must be a string");
        assertThat(AnswerParser.repairPrompt("\"summary\" is missing")).contains("\"summary\" is missing").contains("theme_relevant");
    }

    @Test
    @DisplayName("the repair call carries the theme, the unusable reply (cut when huge) and the reason, never the trace")
    void repairIsSmall() {
        String repair = ProviderAnalyzer.repairPrompt("Errors", "Sure, here is my analysis.", "no JSON object in the reply");
        assertThat(repair).contains("\"Errors\"").contains("Your previous reply was:\nSure, here is my analysis.")
                .contains("no JSON object in the reply").contains("theme_relevant").doesNotContain("TRACE_DATA");
        String huge = ProviderAnalyzer.repairPrompt("Errors", "x".repeat(1_000_000), "no JSON object in the reply");
        assertThat(huge.length()).isLessThan(ProviderAnalyzer.MAX_REPAIRED_REPLY_CHARS + 1_000);
    }
}
