package dev.prism.eval;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NameShapeTest {

    @Test
    @DisplayName("Names a person would write are phrases")
    void phrases() {
        assertThat(NameShape.isPhrase("Provider rate limits (HTTP 429)")).isTrue();
        assertThat(NameShape.isPhrase("Users ask to export data to Excel")).isTrue();
        assertThat(NameShape.isPhrase("Expired credentials, token refresh fails")).isTrue();
        assertThat(NameShape.isPhrase("Slow model calls")).isTrue();
    }

    @Test
    @DisplayName("Lists of extracted terms, identifiers and fragments are not")
    void notPhrases() {
        assertThat(NameShape.isPhrase("Provider rate, failing step, answer, Nothing recovered")).as("three commas").isFalse();
        assertThat(NameShape.isPhrase("RateLimitError | 429 | openai")).as("separators").isFalse();
        assertThat(NameShape.isPhrase("Timeouts")).as("one word").isFalse();
        assertThat(NameShape.isPhrase("gpt-4o-mini 429 RESOURCE_EXHAUSTED 2025")).as("codes, not words").isFalse();
        assertThat(NameShape.isPhrase("Requests for export and")).as("dangling connector").isFalse();
        assertThat(NameShape.isPhrase("  ")).isFalse();
        assertThat(NameShape.isPhrase(null)).isFalse();
    }
}
