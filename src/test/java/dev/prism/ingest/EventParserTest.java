package dev.prism.ingest;

import dev.prism.bus.Failure;
import dev.prism.ingest.EventParser.ParsedEvent;
import dev.prism.ingest.EventParser.ParsedPayload;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventParserTest {

    private static ParsedPayload parse(String json) {
        return EventParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("a batch keeps its valid events and names the index and reason of each invalid one")
    void perEventValidation() {
        ParsedPayload p = parse("""
                {"api_key": "tok", "batch": [
                  {"event": "$ai_generation", "properties": {"$ai_trace_id": "t1"}},
                  {"properties": {"$ai_trace_id": "t1"}},
                  {"event": "$ai_span", "properties": {}},
                  {"event": "$ai_span", "properties": [1, 2]},
                  "not an object",
                  {"event": "$pageview", "properties": {}},
                  {"event": 42},
                  {"event": "$ai_span", "properties": {"$ai_trace_id": {"nested": true}}}
                ]}""");
        assertThat(p.token()).isEqualTo("tok");
        assertThat(p.received()).isEqualTo(8);
        assertThat(p.events()).hasSize(1);
        assertThat(p.ignored()).isEqualTo(1);
        assertThat(p.rejected()).extracting(r -> r.index()).containsExactly(1, 2, 3, 4, 6, 7);
        assertThat(p.rejected().get(0).reason()).contains("missing event name");
        assertThat(p.rejected().get(1).reason()).contains("missing $ai_trace_id");
        assertThat(p.rejected().get(2).reason()).contains("'properties' must be a JSON object, got an array");
        assertThat(p.rejected().get(3).reason()).contains("not a JSON object");
        assertThat(p.rejected().get(4).reason()).contains("'event' must be a string");
        assertThat(p.rejected().get(5).reason()).contains("$ai_trace_id").contains("an object");
    }

    @Test
    @DisplayName("ids sent as numbers become strings, as PostHog does, and the token leaves the stored properties")
    void coercion() {
        ParsedPayload p = parse("""
                {"event": "$ai_span", "distinct_id": 12345, "uuid": "u-1", "timestamp": "2025-03-04T14:20:07.200Z",
                 "properties": {"$ai_trace_id": 987, "$ai_span_id": 5, "$ai_parent_id": 987, "token": "secret"}}""");
        ParsedEvent e = p.events().get(0);
        assertThat(p.token()).isEqualTo("secret");
        assertThat(e.distinctId()).isEqualTo("12345");
        assertThat(e.traceId()).isEqualTo("987");
        assertThat(e.uuid()).isEqualTo("u-1");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-03-04T14:20:07.200Z"));
        assertThat(e.propertiesJson()).contains("\"$ai_span_id\":\"5\"").contains("\"$ai_parent_id\":\"987\"").doesNotContain("secret");
    }

    @Test
    @DisplayName("a bare array is a batch; events without uuid get one; a missing or broken timestamp is left to the receive time")
    void shapesAndDefaults() {
        ParsedPayload p = parse("""
                [{"event": "$ai_generation", "timestamp": "yesterday", "properties": {"$ai_trace_id": "t"}},
                 {"event": "$ai_generation", "timestamp": "2025-01-01T10:00:00", "properties": {"$ai_trace_id": "t"}}]""");
        assertThat(p.token()).isNull();
        assertThat(p.events()).hasSize(2);
        assertThat(p.events().get(0).uuid()).isNotBlank().isNotEqualTo(p.events().get(1).uuid());
        assertThat(p.events().get(0).timestamp()).isNull();
        assertThat(p.events().get(1).timestamp()).isEqualTo(Instant.parse("2025-01-01T10:00:00Z"));
    }

    @Test
    @DisplayName("NUL characters, which PostgreSQL cannot store, are replaced")
    void nulCharacters() {
        ParsedPayload p = parse("{\"event\": \"$ai_span\", \"distinct_id\": \"a\\u0000b\", \"properties\": {\"$ai_trace_id\": \"t\", \"x\": \"nul\\u0000here\"}}");
        assertThat(p.events().get(0).distinctId()).isEqualTo("a\uFFFDb");
        assertThat(p.events().get(0).propertiesJson()).doesNotContain("\\u0000");
    }

    @Test
    @DisplayName("malformed JSON, deep nesting, invalid UTF-8 and a non-array batch are refused as a whole with 400")
    void wholePayloadErrors() {
        assertStatus(() -> parse("{\"event\": "), 400, "invalid_json");
        assertStatus(() -> parse("[".repeat(10_000) + "]".repeat(10_000)), 400, "invalid_json");
        assertStatus(() -> EventParser.parse(new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}), 400, "invalid_json");
        assertStatus(() -> parse("{\"batch\": {}}"), 400, "invalid_payload");
        assertStatus(() -> parse("42"), 400, "invalid_payload");
        assertStatus(() -> parse(""), 400, "invalid_json");
    }

    static void assertStatus(Runnable r, int status, String error) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(Failure.FailureException.class, e -> {
            assertThat(e.failure().status()).isEqualTo(status);
            assertThat(e.failure().error()).isEqualTo(error);
        });
    }

    @Test
    @DisplayName("a generation with model and tokens but no cost is stored with its cost from the configured prices, marked estimated")
    void pricesWrapperEvents() throws Exception {
        String body = """
                {"api_key": "tok", "batch": [
                  {"event": "$ai_generation", "properties": {"$ai_trace_id": "t1", "$ai_model": "acme-chat-v2", "$ai_input_tokens": 1000,
                   "$ai_output_tokens": 500}},
                  {"event": "$ai_generation", "properties": {"$ai_trace_id": "t1", "$ai_model": "acme-chat-v2", "$ai_input_tokens": 1000,
                   "$ai_total_cost_usd": 1.5}}
                ]}""";
        dev.prism.pricing.Pricing pricing = new dev.prism.pricing.Pricing(dev.prism.pricing.Pricing.parse("acme-chat=2/4"));
        ParsedPayload p = EventParser.parse(body.getBytes(StandardCharsets.UTF_8), pricing);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var first = json.readTree(p.events().get(0).propertiesJson());
        assertThat(first.get("$ai_total_cost_usd").asDouble()).isEqualTo((1000 * 2.0 + 500 * 4.0) / 1e6);
        assertThat(first.get("$ai_cost_estimated").asBoolean()).isTrue();
        var second = json.readTree(p.events().get(1).propertiesJson());
        assertThat(second.get("$ai_total_cost_usd").asDouble()).as("the client's cost stands").isEqualTo(1.5);
        assertThat(second.has("$ai_cost_estimated")).isFalse();
        assertThat(parse(body).events().get(0).propertiesJson()).as("acme-chat has no built-in price").doesNotContain("$ai_total_cost_usd");
    }
}
