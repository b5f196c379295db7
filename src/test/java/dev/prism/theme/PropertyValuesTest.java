package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PropertyValuesTest {

    private static JsonNode json(String text) throws Exception {
        return TestTraces.MAPPER.readTree(text);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            "gpt-4o"                 | gpt-4o
            true                     | true
            false                    | false
            200                      | 200
            -0                       | 0
            -0.0                     | 0
            2.50                     | 2.5
            1.0                      | 1
            100.0                    | 100
            1e2                      | 100
            1e-05                    | 0.00001
            0.0125                   | 0.0125
            123456789012345678901234 | 123456789012345678901234
            1.5e21                   | 1500000000000000000000
            """)
    @DisplayName("a scalar's text: strings as themselves, booleans as words, numbers as trimmed plain decimals")
    void text(String json, String expected) throws Exception {
        assertThat(PropertyValues.text(json(json))).isEqualTo(expected);
    }

    @Test
    @DisplayName("null, absent, objects and arrays have no text of their own")
    void noText() throws Exception {
        assertThat(PropertyValues.text(null)).isNull();
        assertThat(PropertyValues.text(json("null"))).isNull();
        assertThat(PropertyValues.text(json("[1]"))).isNull();
        assertThat(PropertyValues.text(json("{\"a\": 1}"))).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "42"      | 42
            "-0.5"    | -0.5
            "007"     | 7
            "1e3"     | 1000
            "1.5E-2"  | 0.015
            12        | 12
            " 42"     |
            "42 "     |
            "+1"      |
            "1."      |
            ".5"      |
            "0x10"    |
            "NaN"     |
            "1e1000"  |
            true      |
            null      |
            """)
    @DisplayName("numbers are JSON numbers and strings matching the numeric pattern; nothing else")
    void number(String json, BigDecimal expected) throws Exception {
        BigDecimal n = PropertyValues.number(json(json));
        if (expected == null) {
            assertThat(n).isNull();
        } else {
            assertThat(n).isEqualByComparingTo(expected);
        }
    }

    @Test
    @DisplayName("scalars inside objects and arrays are found at any depth, nulls and keys left out")
    void scalars() throws Exception {
        assertThat(PropertyValues.scalars(json("{\"k\": [1, \"a\", {\"deep\": [true, null]}], \"e\": {}}")))
                .extracting(PropertyValues::text).containsExactlyInAnyOrder("1", "a", "true");
        assertThat(PropertyValues.scalars(json("\"x\""))).extracting(PropertyValues::text).containsExactly("x");
        assertThat(PropertyValues.scalars(null)).isEmpty();
    }

    @Test
    @DisplayName("a double becomes its shortest round-tripping decimal, as JSON writers print it")
    void shortest() {
        assertThat(PropertyValues.shortest(0.1)).isEqualByComparingTo("0.1");
        assertThat(PropertyValues.shortest(1e23)).isEqualByComparingTo("1e23");
        assertThat(PropertyValues.shortest(2e-3)).isEqualByComparingTo("0.002");
        assertThat(PropertyValues.shortest(5e-324)).isEqualByComparingTo("5e-324");
        assertThat(PropertyValues.shortest(Double.MAX_VALUE)).isEqualByComparingTo("1.7976931348623157e308");
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            BigDecimal s = PropertyValues.shortest(d);
            assertThat(s.doubleValue()).as("round trip of %s", d).isEqualTo(d);
            // Never longer than Java's own printing, which is at most one digit too long.
            BigDecimal java = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            assertThat(s.stripTrailingZeros().precision()).as("digits of %s", d).isLessThanOrEqualTo(java.precision());
        }
    }

    @Test
    @DisplayName("non-finite doubles are not numbers")
    void nonFinite() {
        assertThat(PropertyValues.number(DoubleNode.valueOf(Double.POSITIVE_INFINITY))).isNull();
        assertThat(PropertyValues.text(DoubleNode.valueOf(Double.NaN))).isNull();
    }

    @Test
    @DisplayName("case folding maps ASCII, Latin, Greek and Cyrillic capitals one to one and nothing else")
    void caseFold() {
        assertThat(CaseFold.fold("ÄRGER Über ΣΟΦΙΑ МОСКВА Straße ǅ")).isEqualTo("ärger über σοφια москва straße ǆ");
        assertThat(CaseFold.fold("日本 😀 ﬁ")).isEqualTo("日本 😀 ﬁ");
        assertThat(CaseFold.UPPER).hasSameSizeAs(CaseFold.LOWER).doesNotContain("'", "\\");
        assertThat(CaseFold.fold("already lower")).isSameAs("already lower".intern());
    }
}
