package dev.prism.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark provider's cache follows OpenAI's documented rules. */
class PromptCacheModelTest {

    private static String chars(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    @Test
    @DisplayName("a prompt sharing 1,024 or more tokens with an answered one has the common part cached, in steps of 128 tokens")
    void sharedPrefixInSteps() {
        PromptCacheModel cache = new PromptCacheModel();
        String shared = chars('t', 5_000 * 4); // 5,000 tokens of trace
        cache.store(shared + chars('a', 800), 0);
        // 5,000 common tokens: 39 steps of 128 = 4,992.
        assertThat(cache.cachedTokens(shared + chars('b', 800), 1_000)).isEqualTo(4_992);
        // 1,100 common tokens: 1,024 cached; 1,000 common tokens: nothing.
        assertThat(cache.cachedTokens(chars('t', 1_100 * 4) + "x" + chars('c', 9_000), 1_000)).isEqualTo(1_024);
        assertThat(cache.cachedTokens(chars('t', 1_000 * 4) + "x" + chars('c', 9_000), 1_000)).isZero();
    }

    @Test
    @DisplayName("nothing is cached before a prompt is answered, for a different start, or after five idle minutes")
    void missesAndExpiry() {
        PromptCacheModel cache = new PromptCacheModel();
        String prompt = chars('t', 8_000) + chars('a', 400);
        assertThat(cache.cachedTokens(prompt, 0)).as("not answered yet").isZero();
        cache.store(prompt, 0);
        assertThat(cache.cachedTokens("x" + prompt, 10)).as("differs in the first token").isZero();
        assertThat(cache.cachedTokens(prompt, PromptCacheModel.TTL_MILLIS)).isEqualTo(2_048);
        assertThat(cache.cachedTokens(prompt, 2 * PromptCacheModel.TTL_MILLIS)).as("used at TTL, so still there").isEqualTo(2_048);
        assertThat(cache.cachedTokens(prompt, 3 * PromptCacheModel.TTL_MILLIS + 1)).as("idle longer than the TTL").isZero();
        assertThat(cache.cachedTokens(chars('s', 3_000), 0)).as("under 1,024 tokens").isZero();
    }

    @Test
    @DisplayName("the benchmark's old layout puts the theme's instructions before the trace, keeping every word")
    void legacyLayout() {
        String prompt = "{{trace_text}}\n\nReview the trace above for one analysis theme, \"{{theme_name}}\".\n\nLook for:\n- x\n\n"
                + "Reply with one JSON object and nothing else: theme_relevant, title, summary";
        String legacy = LlmBench.legacyLayout(prompt);
        assertThat(legacy).startsWith("Review the trace below for one analysis theme")
                .contains("- x\n\n{{trace_text}}\n\nReply with one JSON object");
        assertThat(legacy.length()).isEqualTo(prompt.length());
    }

    @Test
    @DisplayName("the benchmark lengthens a trace with earlier turns after its first generation's system message")
    void addContext() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode generation = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree("""
                {"event": "$ai_generation", "properties": {"$ai_input": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "Where is my order?"}]}}""");
        com.fasterxml.jackson.databind.node.ObjectNode gemini = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree("""
                {"event": "$ai_generation", "properties": {"$ai_input": {"contents": [{"parts": [{"text": "hi"}]}]}}}""");
        String untouched = gemini.toString();
        LlmBench.addContext(java.util.List.of(gemini, generation), 3_000, new java.util.Random(1));
        com.fasterxml.jackson.databind.JsonNode input = generation.get("properties").get("$ai_input");
        assertThat(gemini.toString()).isEqualTo(untouched);
        assertThat(input.get(0).get("content").asText()).isEqualTo("Be brief.");
        assertThat(input.get(input.size() - 1).get("content").asText()).isEqualTo("Where is my order?");
        assertThat(input.toString().length()).isGreaterThan(3_000);
        assertThat(input.get(1).get("content").asText().length()).isLessThan(1_000);
    }
}
