package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterValidationTest {

    private static List<String> problems(String json) {
        return FilterValidation.problems(json(json), "theme_filters");
    }

    /** JSON with single quotes, for readability. */
    private static JsonNode json(String singleQuoted) {
        try {
            return TestTraces.MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    @Test
    @DisplayName("valid filters of every kind have no problems")
    void valid() {
        assertThat(problems("""
                [{'key': '$ai_model', 'value': 'gpt-4o', 'operator': 'exact', 'type': 'event'},
                 {'key': '$ai_model', 'value': ['a', 'b'], 'operator': 'is_not', 'type': 'event'},
                 {'key': 'tier', 'value': 'pro', 'operator': 'icontains'},
                 {'key': 'tier', 'value': '(?i)^pro$', 'operator': 'not_regex'},
                 {'key': 'score', 'value': '1e3', 'operator': 'gte'},
                 {'key': 'score', 'operator': 'is_set', 'value': 'is_set'},
                 {'key': 'event', 'value': '$ai_generation', 'type': 'event'},
                 {'key': 'trace.latency', 'value': 2.5, 'operator': 'gt', 'type': 'trace'},
                 {'key': 'trace.tokens', 'value': [100, '200'], 'operator': 'exact'},
                 {'key': 'trace.cost_usd', 'operator': 'is_not_set', 'type': 'trace', 'label': 'ignored'}]""")).isEmpty();
        assertThat(FilterValidation.problems((JsonNode) null, "theme_filters")).isEmpty();
    }

    @Test
    @DisplayName("each problem names the filter's index and field, and all are reported at once")
    void everyProblemNamed() {
        assertThat(problems("""
                [{'key': '$ai_model', 'value': 'x'},
                 {'key': '$ai_model', 'value': 'x', 'operator': 'equals'},
                 {'key': 'trace.duration', 'value': 1, 'operator': 'gt', 'type': 'trace'},
                 {'key': '$ai_model', 'operator': 'exact'},
                 {'key': 'score', 'operator': 'gt', 'value': 'fast'},
                 {'key': 'tier', 'operator': 'regex', 'value': '(abc'},
                 {'operator': 'is_set'},
                 {'key': 'x', 'value': 1, 'type': 'person'}]""")).containsExactly(
                "theme_filters[1].operator: unknown operator 'equals'; expected one of exact, is_not, icontains, "
                        + "not_icontains, regex, not_regex, gt, gte, lt, lte, is_set, is_not_set",
                "theme_filters[2].key: unknown trace-level key 'trace.duration'; expected one of trace.latency, "
                        + "trace.cost_usd, trace.error_count, trace.event_count, trace.tokens, trace.relevance.<theme_id>",
                "theme_filters[3].value: required for operator exact",
                "theme_filters[4].value: gt needs a number (or a numeric string), got \"fast\"",
                "theme_filters[5].value: regex does not compile: unclosed group at index 0",
                "theme_filters[6].key: required",
                "theme_filters[7].type: unsupported type 'person'; expected event or trace");
    }

    @Test
    @DisplayName("values must fit the operator: lists only for exact and is_not, scalars inside, numbers for trace keys")
    void valueShapes() {
        assertThat(problems("""
                [{'key': 'a', 'operator': 'icontains', 'value': ['x']},
                 {'key': 'a', 'operator': 'exact', 'value': []},
                 {'key': 'a', 'operator': 'exact', 'value': ['x', {'y': 1}, null]},
                 {'key': 'a', 'operator': 'exact', 'value': {'y': 1}},
                 {'key': 'a', 'operator': 'icontains', 'value': ''},
                 {'key': 'a', 'operator': 'regex', 'value': 5},
                 {'key': 'trace.latency', 'operator': 'exact', 'value': 'slow'},
                 {'key': 'trace.latency', 'operator': 'icontains', 'value': '1'},
                 {'key': 'a', 'operator': 'lt', 'value': ' 5'},
                 {'key': 'a', 'operator': 'lt', 'value': null}]""")).containsExactly(
                "theme_filters[0].value: icontains takes a single value, not a list",
                "theme_filters[1].value: empty list; give at least one value",
                "theme_filters[2].value[1]: expected a string, number or boolean, got {\"y\":1}",
                "theme_filters[2].value[2]: expected a string, number or boolean, got null",
                "theme_filters[3].value: expected a string, number or boolean (or a list of them), got {\"y\":1}",
                "theme_filters[4].value: empty; icontains needs some text to look for",
                "theme_filters[5].value: regex needs a non-empty regex string, got 5",
                "theme_filters[6].value: trace.latency is a number, got \"slow\"",
                "theme_filters[7].operator: icontains does not apply to the number trace.latency; use exact, is_not, "
                        + "gt, gte, lt, lte, is_set or is_not_set",
                "theme_filters[8].value: lt needs a number (or a numeric string), got \" 5\"",
                "theme_filters[9].value: required for operator lt");
    }

    @Test
    @DisplayName("JSON that is not a list of filter objects is reported by position")
    void shape() {
        assertThat(FilterValidation.problems(json("{'key': 'a'}"), "base_filters"))
                .containsExactly("base_filters: expected a list of filters");
        assertThat(problems("[1, {'key': 5, 'operator': ['exact']}, {'key': 'a', 'value': 'b'}]")).containsExactly(
                "theme_filters[0]: expected a filter object {\"key\", \"value\", \"operator\", \"type\"}",
                "theme_filters[1].key: expected a string, got 5",
                "theme_filters[1].operator: expected a string, got [\"exact\"]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a(?=b)         | lookahead is not supported
            a(?!b)         | lookahead is not supported
            (?<=a)b        | lookbehind is not supported
            (?<!a)b        | lookbehind is not supported
            (a)\\1         | backreferences and octal escapes are not supported
            a*+            | possessive quantifiers are not supported
            (?>a)          | atomic groups are not supported
            (?<name>a)     | named groups are not supported
            (?s)a.b        | inline flags are only supported as a leading (?i)
            a(?i)b         | inline flags are only supported as a leading (?i)
            (?i:a)         | inline flags are only supported as a leading (?i)
            \\p{L}         | \\p{...} classes are not supported
            [[:alpha:]]    | POSIX classes
            \\bword        | the escape \\b is not supported
            \\x41          | the escape \\x is not supported
            end\\Z         | the escape \\Z is not supported
            \\Qa.b\\E      | the escape \\Q is not supported
            a{256}         | bounds above 255
            a{3,2}         | maximum below its minimum
            a{x            | write a literal brace as '\\{'
            {3}            | nothing to repeat
            a**            | a quantifier cannot follow a quantifier
            ^*             | nothing to repeat
            []a]           | write ']' first in a class as '\\]'
            [a-c-e]        | '-' inside [...] must be first, last or between
            [z-a]          | range out of order
            [a&&b]         | '&&' (class intersection) is Java-only
            [\\W]          | \\W inside [...] is not supported
            a]             | write ']' as '\\]'
            (ab            | unclosed group
            ab)            | unmatched ')'
            [ab            | unclosed [
            ab\\           | trailing backslash
            """)
    @DisplayName("regexes outside the subset Java and PostgreSQL agree on are refused, saying why")
    void refusedRegexes(String regex, String reason) {
        List<String> problems = FilterValidation.problems(
                List.of(PropertyFilter.event("$ai_model", "regex", regex)), "theme_filters");
        assertThat(problems).singleElement().asString()
                .startsWith("theme_filters[0].value: regex")
                .contains(reason);
    }

    @Test
    @DisplayName("requireValid throws with every problem")
    void requireValid() {
        assertThatThrownBy(() -> FilterValidation.requireValid(List.of(PropertyFilter.event("a", "gt", "x"),
                PropertyFilter.trace("trace.nope", "gt", 1)), "f"))
                .isInstanceOfSatisfying(InvalidFilterException.class, e -> assertThat(e.problems()).hasSize(2));
    }
}
