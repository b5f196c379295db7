package dev.prism.theme;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeRegexTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", textBlock = """
            ^gpt-4o$           => ^gpt-4o\\z
            [$]x$              => [$]x\\z
            (?i)claude         => (?i)claude
            (a|b$)             => (a|b\\z)
            a|b|               => a|b|
            [-a]               => [\\-a]
            [a-]               => [a\\-]
            [^\\]x]            => [^\\]x]
            [a-z0-9_.\\-]+     => [a-z0-9_.\\-]+
            x{2,5}?y{3,}       => x{2,5}?y{3,}
            \\d+\\.\\d*        => \\d+\\.\\d*
            (?:ab)*c           => (?:ab)*c
            .*error.*          => error
            ^.*error.*$        => error
            ^.*?error          => error
            (?i).*refund       => (?i)refund
            ^error.*           => ^error
            .*a|b.*            => .*a|b.*
            ^.*$               => \\z
            \\.*x              => \\.*x
            """)
    @DisplayName("accepted regexes are given to Java with $ as \\z and redundant outer .* dropped")
    void translation(String regex, String java) {
        assertThat(SafeRegex.of(regex).pattern().pattern()).isEqualTo(java);
        assertThat(SafeRegex.of(regex).source()).isEqualTo(regex);
    }

    @Test
    @DisplayName("'.' matches line breaks and '$' only the very end, as in PostgreSQL")
    void lineBreaks() {
        assertThat(SafeRegex.of("a.b").pattern().matcher("a\nb").find()).isTrue();
        assertThat(SafeRegex.of("b$").pattern().matcher("ab\n").find()).isFalse();
        assertThat(SafeRegex.of("^b").pattern().matcher("a\nb").find()).isFalse();
    }

    @Test
    @DisplayName("(?i) and \\w see ASCII only, as PostgreSQL does under COLLATE \"C\"")
    void asciiOnly() {
        assertThat(SafeRegex.of("(?i)ÄRGER").pattern().matcher("ärger").find()).isFalse();
        assertThat(SafeRegex.of("(?i)ARGER").pattern().matcher("arger").find()).isTrue();
        assertThat(SafeRegex.of("^\\w+$").pattern().matcher("café").find()).isFalse();
    }

    @Test
    @DisplayName("very long or deeply nested regexes are refused before any engine sees them")
    void limits() {
        assertThatThrownBy(() -> SafeRegex.of("(".repeat(51) + ")".repeat(51)))
                .isInstanceOf(SafeRegex.Refused.class).hasMessage("regex: groups nested deeper than 50");
        assertThat(SafeRegex.of("(".repeat(50) + "a" + ")".repeat(50)).pattern().matcher("a").find()).isTrue();
        assertThatThrownBy(() -> SafeRegex.of("a".repeat(1_001)))
                .isInstanceOf(SafeRegex.Refused.class).hasMessage("regex: longer than 1000 characters");
    }
}
