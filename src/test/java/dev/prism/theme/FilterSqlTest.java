package dev.prism.theme;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterSqlTest {

    @Test
    @DisplayName("no filters compile to TRUE with no parameters")
    void empty() {
        FilterSql.Compiled c = FilterSql.compile(List.of(), 1);
        assertThat(c.sql()).isEqualTo("TRUE");
        assertThat(c.params()).isEmpty();
    }

    @Test
    @DisplayName("parameters are numbered from the given index, in order, each used by its own filter")
    void numbering() {
        FilterSql.Compiled c = FilterSql.compile(List.of(
                PropertyFilter.event("$ai_model", "exact", "gpt-4o"),
                PropertyFilter.trace("trace.latency", "gt", 2),
                PropertyFilter.event("tier", "is_set", null)), 3);
        assertThat(c.params()).containsExactly("$ai_model", "gpt-4o", 2.0, "tier");
        Matcher m = Pattern.compile("\\$(\\d+)::").matcher(c.sql());
        java.util.Set<Integer> used = new java.util.TreeSet<>();
        while (m.find()) {
            used.add(Integer.parseInt(m.group(1)));
        }
        assertThat(used).containsExactly(3, 4, 5, 6);
        assertThat(c.sql()).contains("COALESCE(t.latency_seconds > $5::float8, false)");
    }

    @Test
    @DisplayName("keys and values never reach the SQL text, however hostile")
    void noInjection() {
        String key = "x'); DROP TABLE events; --";
        String value = "'; DELETE FROM traces WHERE 'a' = 'a";
        FilterSql.Compiled c = FilterSql.compile(List.of(
                PropertyFilter.event(key, "exact", value),
                PropertyFilter.event(key, "icontains", value),
                PropertyFilter.event(key, "regex", "^a' OR '1'='1"),
                PropertyFilter.event(key, "gt", "1e3"),
                PropertyFilter.event(key, "is_not", List.of(value, "$$"))), 1);
        assertThat(c.sql()).doesNotContain("DROP", "DELETE", "OR '1'", "1e3", "1000", "$$");
        assertThat(c.params()).contains(key, value, "^a' OR '1'='1", "1000");
        assertThat(c.params()).anySatisfy(p -> assertThat(p).isEqualTo(new String[]{value, "$$"}));
    }

    @Test
    @DisplayName("event filters look for one event of the trace; negatives are the complement on that event")
    void eventShape() {
        String sql = FilterSql.compile(List.of(PropertyFilter.event("$ai_model", "is_not", "gpt-4o")), 1).sql();
        assertThat(sql).startsWith("(EXISTS (SELECT 1 FROM events e")
                .contains("e.project_id = t.project_id AND e.trace_id = t.trace_id")
                .contains("e.properties -> $1::text")
                .contains("NOT COALESCE(");
        assertThat(FilterSql.compile(List.of(PropertyFilter.event("event", "exact", "$ai_span")), 1).sql())
                .contains("to_jsonb(e.event)");
    }

    @Test
    @DisplayName("trace-level keys compare columns of t with float8 parameters")
    void traceColumns() {
        FilterSql.Compiled c = FilterSql.compile(List.of(
                PropertyFilter.trace("trace.tokens", "exact", List.of(100, "200")),
                PropertyFilter.trace("trace.cost_usd", "lte", "0.5"),
                PropertyFilter.trace("trace.error_count", "gte", 1),
                PropertyFilter.trace("trace.event_count", "lt", 10),
                PropertyFilter.trace("trace.latency", "is_not_set", null)), 1);
        assertThat(c.sql()).contains("(t.input_tokens + t.output_tokens) = ANY($1::float8[])", "COALESCE(t.cost_usd <= $2::float8, false)",
                "t.error_count >= $3::float8", "t.event_count < $4::float8", "NOT COALESCE(t.latency_seconds IS NOT NULL, false)");
        assertThat(c.params().get(0)).isEqualTo(new Double[]{100.0, 200.0});
        assertThat(c.params().subList(1, 4)).containsExactly(0.5, 1.0, 10.0);
    }

    @Test
    @DisplayName("invalid filters and parameter numbers are refused")
    void refused() {
        assertThatThrownBy(() -> FilterSql.compile(List.of(PropertyFilter.event("a", "regex", "(?=x)")), 1))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("filters[0].value: regex: lookahead");
        assertThatThrownBy(() -> FilterSql.compile(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
