package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PropertyFilterTest {

    @Test
    @DisplayName("PostHog's filter JSON reads into the record and writes back unchanged")
    void jsonRoundTrip() throws Exception {
        String json = "{\"key\":\"$ai_model\",\"value\":[\"gpt-4o\",\"gpt-4o-mini\"],\"operator\":\"exact\",\"type\":\"event\"}";
        PropertyFilter f = TestTraces.MAPPER.readValue(json, PropertyFilter.class);
        assertThat(f.key()).isEqualTo("$ai_model");
        assertThat(f.operator()).isEqualTo("exact");
        assertThat(f.type()).isEqualTo("event");
        assertThat(f.value().isArray()).isTrue();
        assertThat(TestTraces.MAPPER.writeValueAsString(f)).isEqualTo(json);
        assertThat(f.toJson()).isEqualTo(TestTraces.MAPPER.readTree(json));
    }

    @Test
    @DisplayName("fields PostHog adds are ignored and absent fields stay absent")
    void lenientShape() throws Exception {
        PropertyFilter f = TestTraces.MAPPER.readValue("{\"key\":\"tier\",\"operator\":\"is_set\",\"label\":\"Tier\"}",
                PropertyFilter.class);
        assertThat(f).isEqualTo(new PropertyFilter("tier", null, "is_set", null));
        assertThat(TestTraces.MAPPER.writeValueAsString(f)).isEqualTo("{\"key\":\"tier\",\"operator\":\"is_set\"}");
    }

    @Test
    @DisplayName("a JSON list becomes filters; null is no filters; wrong shapes are named")
    void listFrom() throws Exception {
        JsonNode list = TestTraces.MAPPER.readTree("[{\"key\":\"a\",\"value\":1,\"operator\":\"gt\",\"type\":\"event\"}]");
        assertThat(PropertyFilter.listFrom(list, "f")).containsExactly(PropertyFilter.event("a", "gt", 1));
        assertThat(PropertyFilter.listFrom(null, "f")).isEmpty();
        assertThat(PropertyFilter.toJson(PropertyFilter.listFrom(list, "f"))).isEqualTo(list);
        assertThatThrownBy(() -> PropertyFilter.listFrom(TestTraces.MAPPER.readTree("[\"a\"]"), "f"))
                .isInstanceOfSatisfying(InvalidFilterException.class, e -> assertThat(e.problems())
                        .containsExactly("f[0]: expected a filter object {\"key\", \"value\", \"operator\", \"type\"}"));
    }

    @Test
    @DisplayName("operators know their negation, their value and whether they take lists")
    void operators() {
        assertThat(FilterOperator.fromWire("not_icontains")).contains(FilterOperator.NOT_ICONTAINS);
        assertThat(FilterOperator.fromWire("EXACT")).isEmpty();
        assertThat(List.of(FilterOperator.values())).filteredOn(FilterOperator::negative)
                .containsExactly(FilterOperator.IS_NOT, FilterOperator.NOT_ICONTAINS, FilterOperator.NOT_REGEX, FilterOperator.IS_NOT_SET);
        assertThat(FilterOperator.IS_NOT_SET.positive()).isEqualTo(FilterOperator.IS_SET);
        assertThat(FilterOperator.IS_NOT.acceptsList()).isTrue();
        assertThat(FilterOperator.GT.acceptsList()).isFalse();
        assertThat(FilterOperator.IS_SET.takesValue()).isFalse();
    }
}
