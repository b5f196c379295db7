package dev.prism.theme;

import dev.prism.bus.AssembledTrace;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.prism.theme.TestTraces.event;
import static dev.prism.theme.TestTraces.trace;
import static dev.prism.theme.TestTraces.untimed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class TraceFilterTest {

    /** Three events: the trace itself, a successful gpt-4o call and a failed claude call. */
    private static final AssembledTrace CHECKOUT = trace(
            event("$ai_trace", 3, """
                    {"$ai_trace_name": "Checkout", "$ai_latency": 2.5, "tier": "Pro", "note": "Ärger über Straße, ΣΟΦΙΑ"}"""),
            event("$ai_generation", 1, """
                    {"$ai_model": "gpt-4o", "$ai_input_tokens": 100, "$ai_output_tokens": 20, "$ai_total_cost_usd": 0.0125,
                     "$ai_http_status": 200, "score": "42", "flag": true, "nothing": null, "empty": "",
                     "tags": ["vip", "Beta"], "meta": {"region": "eu-west", "retries": 3, "deep": [[{"k": "needle"}]]},
                     "ratio": 2.50, "big": "1e3", "padded": " 7", "multiline": "gpt-4o\\nnext line"}"""),
            event("$ai_generation", 2, """
                    {"$ai_model": "claude-3-haiku", "$ai_http_status": "429", "$ai_is_error": true, "$ai_output_tokens": 5,
                     "empty_list": []}"""));

    /** One event only, so a negative operator has nowhere else to hold. */
    private static final AssembledTrace SINGLE = trace(event("$ai_generation", 1, """
            {"$ai_model": "gpt-4o", "tier": null, "tags": ["vip"], "n": 5}"""));

    private static boolean matches(AssembledTrace trace, PropertyFilter... filters) {
        return TraceFilter.matches(trace, List.of(filters));
    }

    private static PropertyFilter ev(String key, String operator, Object value) {
        return PropertyFilter.event(key, operator, value);
    }

    private static PropertyFilter tr(String key, String operator, Object value) {
        return PropertyFilter.trace(key, operator, value);
    }

    static Stream<Arguments> exact() {
        return Stream.of(
                arguments("a string equals itself", ev("$ai_model", "exact", "gpt-4o"), true),
                arguments("string comparison is case-sensitive", ev("$ai_model", "exact", "GPT-4o"), false),
                arguments("a list means any of", ev("$ai_model", "exact", List.of("mistral", "claude-3-haiku")), true),
                arguments("a list with no present value fails", ev("$ai_model", "exact", List.of("mistral", "llama")), false),
                arguments("a number property equals a number value", ev("$ai_http_status", "exact", 200), true),
                arguments("a number property equals the same digits as a string", ev("$ai_http_status", "exact", "200"), true),
                arguments("a numeric string property equals a number value by text", ev("$ai_http_status", "exact", 429), true),
                arguments("a boolean property equals a boolean value", ev("flag", "exact", true), true),
                arguments("a boolean property equals its text", ev("flag", "exact", "true"), true),
                arguments("a boolean property does not equal the other boolean", ev("flag", "exact", false), false),
                arguments("a number written 2.50 reads as 2.5", ev("ratio", "exact", "2.5"), true),
                arguments("a number value is canonical too (2.50 is 2.5)", ev("ratio", "exact", 2.50), true),
                arguments("a string value stays as written", ev("ratio", "exact", "2.50"), false),
                arguments("a null property has no text", ev("nothing", "exact", "null"), false),
                arguments("an absent property never equals", ev("absent", "exact", "x"), false),
                arguments("an empty string equals the empty string", ev("empty", "exact", ""), true),
                arguments("an array matches through its elements", ev("tags", "exact", "vip"), true),
                arguments("an object matches through nested values", ev("meta", "exact", "eu-west"), true),
                arguments("nested numbers count too", ev("meta", "exact", 3), true),
                arguments("values deep inside arrays of objects count", ev("meta", "exact", "needle"), true),
                arguments("object keys are not values", ev("meta", "exact", "region"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("exact compares the property's text with the value, or any of a list")
    void exact(String why, PropertyFilter filter, boolean expected) {
        assertThat(matches(CHECKOUT, filter)).isEqualTo(expected);
    }

    static Stream<Arguments> isNot() {
        return Stream.of(
                arguments("another event has another model", CHECKOUT, ev("$ai_model", "is_not", "gpt-4o"), true),
                arguments("the only event has that model", SINGLE, ev("$ai_model", "is_not", "gpt-4o"), false),
                arguments("the only event has another model", SINGLE, ev("$ai_model", "is_not", "claude"), true),
                arguments("none of a list: the only event has one of them", SINGLE,
                        ev("$ai_model", "is_not", List.of("claude", "gpt-4o")), false),
                arguments("an event without the property satisfies is_not", SINGLE, ev("absent", "is_not", "x"), true),
                arguments("an event with a null property satisfies is_not", SINGLE, ev("tier", "is_not", "x"), true),
                arguments("an array containing the value does not satisfy is_not", SINGLE, ev("tags", "is_not", "vip"), false),
                arguments("a number compared by its text", SINGLE, ev("n", "is_not", "5"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("is_not holds when some event does not satisfy exact, including events without the property")
    void isNot(String why, AssembledTrace trace, PropertyFilter filter, boolean expected) {
        assertThat(matches(trace, filter)).isEqualTo(expected);
    }

    static Stream<Arguments> icontains() {
        return Stream.of(
                arguments("ASCII case is ignored", ev("$ai_model", "icontains", "GPT"), true),
                arguments("a substring of another event's value", ev("$ai_model", "icontains", "Claude-3"), true),
                arguments("absent text fails", ev("$ai_model", "icontains", "llama"), false),
                arguments("upper-case value, mixed-case property", ev("tier", "icontains", "PRO"), true),
                arguments("accented capitals fold (Ä, Ü)", ev("note", "icontains", "ärger ÜBER"), true),
                arguments("Greek capitals fold", ev("note", "icontains", "σοφια"), true),
                arguments("ß is not expanded to ss", ev("note", "icontains", "STRASSE"), false),
                arguments("numbers are searched as text", ev("$ai_http_status", "icontains", "20"), true),
                arguments("a number value is searched as its text", ev("$ai_http_status", "icontains", 42), true),
                arguments("booleans are searched as text", ev("flag", "icontains", "RU"), true),
                arguments("arrays are searched element by element", ev("tags", "icontains", "BETA"), true),
                arguments("elements are not joined", ev("tags", "icontains", "vipbeta"), false),
                arguments("nulls have no text", ev("nothing", "icontains", "nul"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("icontains is a case-insensitive substring test on some event")
    void icontains(String why, PropertyFilter filter, boolean expected) {
        assertThat(matches(CHECKOUT, filter)).isEqualTo(expected);
    }

    @Test
    @DisplayName("not_icontains holds when some event's value lacks the text, including events without the property")
    void notIcontains() {
        assertThat(matches(SINGLE, ev("$ai_model", "not_icontains", "GPT"))).isFalse();
        assertThat(matches(SINGLE, ev("$ai_model", "not_icontains", "claude"))).isTrue();
        assertThat(matches(SINGLE, ev("absent", "not_icontains", "x"))).isTrue();
        assertThat(matches(SINGLE, ev("tags", "not_icontains", "VI"))).isFalse();
        assertThat(matches(CHECKOUT, ev("$ai_model", "not_icontains", "gpt"))).isTrue();
    }

    static Stream<Arguments> regex() {
        return Stream.of(
                arguments("anchored prefix", ev("$ai_model", "regex", "^gpt-4"), true),
                arguments("case-sensitive by default", ev("$ai_model", "regex", "^CLAUDE"), false),
                arguments("a leading (?i) ignores ASCII case", ev("$ai_model", "regex", "(?i)^CLAUDE"), true),
                arguments("numbers are matched as text", ev("$ai_http_status", "regex", "^\\d{3}$"), true),
                arguments("'.' matches a line break, as in PostgreSQL", ev("multiline", "regex", "4o.next"), true),
                arguments("'$' is the very end, not before a final line break", ev("multiline", "regex", "4o$"), false),
                arguments("'$' at the very end matches", ev("multiline", "regex", "line$"), true),
                arguments("array elements are matched one by one", ev("tags", "regex", "^Beta$"), true),
                arguments("the event name is the key 'event'", ev("event", "regex", "^\\$ai_(span|generation)$"), true),
                arguments("absent properties never match", ev("absent", "regex", ".*"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("regex searches the text of some event's value")
    void regex(String why, PropertyFilter filter, boolean expected) {
        assertThat(matches(CHECKOUT, filter)).isEqualTo(expected);
    }

    @Test
    @DisplayName("not_regex holds when some event's value does not match, including events without the property")
    void notRegex() {
        assertThat(matches(SINGLE, ev("$ai_model", "not_regex", "^gpt"))).isFalse();
        assertThat(matches(SINGLE, ev("$ai_model", "not_regex", "^claude"))).isTrue();
        assertThat(matches(SINGLE, ev("tier", "not_regex", ".*"))).isTrue();
        assertThat(matches(CHECKOUT, ev("$ai_model", "not_regex", "^gpt"))).isTrue();
    }

    static Stream<Arguments> comparisons() {
        return Stream.of(
                arguments("number > number", ev("$ai_http_status", "gt", 199), true),
                arguments("numeric strings count as numbers (\"429\" is not > 429)", ev("$ai_http_status", "gt", 429), false),
                arguments("numeric strings count as numbers (\"429\" >= 429)", ev("$ai_http_status", "gte", 429), true),
                arguments("a numeric string value compares as a number", ev("$ai_http_status", "gte", "4.29e2"), true),
                arguments("\"42\" < 100", ev("score", "lt", 100), true),
                arguments("\"42\" is not < 42", ev("score", "lt", 42), false),
                arguments("\"42\" <= 42", ev("score", "lte", 42), true),
                arguments("exponent strings are numbers (\"1e3\" > 999)", ev("big", "gt", 999), true),
                arguments("2.50 > 2.4", ev("ratio", "gt", 2.4), true),
                arguments("2.50 is not < 2.5", ev("ratio", "lt", 2.5), false),
                arguments("strings with spaces are not numbers", ev("padded", "gt", 0), false),
                arguments("other strings are not numbers", ev("tier", "gte", 0), false),
                arguments("booleans are not numbers", ev("flag", "gt", 0), false),
                arguments("nulls are not numbers", ev("nothing", "lt", 1), false),
                arguments("numbers inside objects count", ev("meta", "gt", 2), true),
                arguments("absent properties never compare", ev("absent", "lt", 1e9), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("gt, gte, lt and lte compare numbers and numeric strings; anything else fails")
    void comparisons(String why, PropertyFilter filter, boolean expected) {
        assertThat(matches(CHECKOUT, filter)).isEqualTo(expected);
    }

    static Stream<Arguments> isSet() {
        return Stream.of(
                arguments("a string is set", CHECKOUT, ev("$ai_model", "is_set", null), true),
                arguments("an empty string is set", CHECKOUT, ev("empty", "is_set", null), true),
                arguments("an empty array is set", CHECKOUT, ev("empty_list", "is_set", "is_set"), true),
                arguments("a null is not set", SINGLE, ev("tier", "is_set", null), false),
                arguments("an absent key is not set", SINGLE, ev("absent", "is_set", null), false),
                arguments("is_not_set: a null", SINGLE, ev("tier", "is_not_set", null), true),
                arguments("is_not_set: an absent key", SINGLE, ev("absent", "is_not_set", null), true),
                arguments("is_not_set: every event has it", SINGLE, ev("$ai_model", "is_not_set", null), false),
                arguments("is_not_set: the $ai_trace event lacks it", CHECKOUT, ev("$ai_model", "is_not_set", null), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("is_set means present and not null on some event; is_not_set absent or null on some event")
    void isSet(String why, AssembledTrace trace, PropertyFilter filter, boolean expected) {
        assertThat(matches(trace, filter)).isEqualTo(expected);
    }

    @Test
    @DisplayName("the key 'event' filters on event names")
    void eventName() {
        assertThat(matches(CHECKOUT, ev("event", "exact", "$ai_generation"))).isTrue();
        assertThat(matches(CHECKOUT, ev("event", "exact", "$ai_span"))).isFalse();
        assertThat(matches(CHECKOUT, ev("event", "icontains", "GENERATION"))).isTrue();
        assertThat(matches(SINGLE, ev("event", "is_not", "$ai_generation"))).isFalse();
        assertThat(matches(CHECKOUT, ev("event", "is_not", "$ai_generation"))).isTrue();
        assertThat(matches(SINGLE, ev("event", "is_set", null))).isTrue();
    }

    static Stream<Arguments> traceKeys() {
        // CHECKOUT: latency 2.5 (from $ai_trace), cost 0.0125, 1 error, 3 events, 100 + 25 tokens.
        return Stream.of(
                arguments(tr("trace.latency", "gt", 2), true),
                arguments(tr("trace.latency", "gt", 2.5), false),
                arguments(tr("trace.latency", "gte", 2.5), true),
                arguments(tr("trace.latency", "exact", 2.5), true),
                arguments(tr("trace.latency", "is_not", 2.5), false),
                arguments(tr("trace.latency", "is_set", null), true),
                arguments(tr("trace.latency", "is_not_set", null), false),
                arguments(tr("trace.cost_usd", "gt", 0.01), true),
                arguments(tr("trace.cost_usd", "lte", "0.0125"), true),
                arguments(tr("trace.cost_usd", "lt", 0.0125), false),
                arguments(tr("trace.error_count", "exact", 1), true),
                arguments(tr("trace.error_count", "gte", 2), false),
                arguments(tr("trace.event_count", "exact", List.of(2, 3)), true),
                arguments(tr("trace.event_count", "is_not", List.of(2, 3)), false),
                arguments(tr("trace.event_count", "lt", 3), false),
                arguments(tr("trace.tokens", "exact", 125), true),
                arguments(tr("trace.tokens", "gt", "124.5"), true),
                arguments(tr("trace.tokens", "lte", 124), false),
                arguments(new PropertyFilter("trace.tokens", TestTraces.MAPPER.valueToTree(125), "exact", null), true));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    @DisplayName("trace-level keys compare the trace's aggregates")
    void traceKeys(PropertyFilter filter, boolean expected) {
        assertThat(matches(CHECKOUT, filter)).isEqualTo(expected);
    }

    @Test
    @DisplayName("a trace without latency fails positive latency filters and satisfies negative ones")
    void missingLatency() {
        AssembledTrace untimed = trace(untimed("$ai_generation", "{\"$ai_model\": \"gpt-4o\"}"));
        assertThat(untimed.aggregates().latencySeconds()).isNull();
        assertThat(matches(untimed, tr("trace.latency", "is_set", null))).isFalse();
        assertThat(matches(untimed, tr("trace.latency", "is_not_set", null))).isTrue();
        assertThat(matches(untimed, tr("trace.latency", "gte", 0))).isFalse();
        assertThat(matches(untimed, tr("trace.latency", "lt", 1e9))).isFalse();
        assertThat(matches(untimed, tr("trace.latency", "is_not", 1))).isTrue();
    }

    @Test
    @DisplayName("all filters must hold, each on any event of its own; no filters accept every trace")
    void conjunction() {
        PropertyFilter gpt = ev("$ai_model", "exact", "gpt-4o");
        PropertyFilter error = ev("$ai_is_error", "exact", true);
        PropertyFilter cheap = tr("trace.cost_usd", "lt", 0.001);
        assertThat(matches(CHECKOUT, gpt, error)).isTrue(); // different events satisfy each filter
        assertThat(matches(CHECKOUT, gpt, error, cheap)).isFalse();
        assertThat(matches(CHECKOUT)).isTrue();
    }

    @Test
    @DisplayName("invalid filters are refused, not silently ignored")
    void invalidFiltersThrow() {
        assertThatThrownBy(() -> matches(CHECKOUT, ev("$ai_model", "equals", "x")))
                .isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("filters[0].operator: unknown operator 'equals'");
    }

    @Test
    @DisplayName("a prepared filter gives the same answers as the one-shot method")
    void prepared() {
        TraceFilter filter = TraceFilter.of(List.of(ev("$ai_model", "icontains", "gpt")));
        assertThat(filter.test(CHECKOUT)).isTrue();
        assertThat(filter.test(trace(event("$ai_span", 0, "{}")))).isFalse();
    }

    @Test
    @DisplayName("a regex that backtracks without end stops with an error instead of stalling the thread")
    void runawayRegex() {
        AssembledTrace trace = trace(event("$ai_generation", 1, "{\"text\": \"" + "a".repeat(40) + "c\"}"));
        assertThatThrownBy(() -> matches(trace, ev("text", "regex", "(.*){20}b")))
                .isInstanceOf(RegexBudget.Exceeded.class)
                .hasMessageContaining("backtracks too much");
        assertThat(matches(trace, ev("text", "regex", "^a*c$"))).isTrue();
    }
}
