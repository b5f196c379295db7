package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Vercel AI SDK's telemetry spans, read from JSON and from protobuf, mapped without a server. */
class VercelAiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TRACE = "5e2c0d7a9b3f41c8a6d4e1f20b7c9a13";

    /** A generateText call with one tool round trip, as the SDK (v5, one provider call v4-style) exports it. */
    static JsonNode payload(String traceId) throws Exception {
        try (InputStream in = VercelAiTest.class.getResourceAsStream("/otel/vercel-ai.json")) {
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("TRACE_ID", traceId));
        }
    }

    private static Map<String, ObjectNode> bySpan(List<OtlpSpan> spans) {
        SpanMapper.Mapping m = SpanMapper.map(spans);
        assertThat(m.rejected()).isZero();
        assertThat(m.dropped()).isZero();
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        m.events().forEach(e -> out.put(e.path("properties").path("$ai_span_id").asText(), e));
        return out;
    }

    @Test
    @DisplayName("JSON and protobuf bodies of the SDK's spans read the same and map to one trace, two generations and a tool span")
    void kinds() throws Exception {
        JsonNode otlp = payload(TRACE);
        List<OtlpSpan> fromJson = OtlpJsonReader.read(JSON.writeValueAsBytes(otlp));
        List<OtlpSpan> fromProto = OtlpProtoReader.read(OtlpProto.fromJson(otlp).toByteArray());
        assertThat(fromProto).isEqualTo(fromJson);
        Map<String, ObjectNode> e = bySpan(fromProto);
        assertThat(e.values()).extracting(x -> x.path("event").asText())
                .containsExactly("$ai_trace", "$ai_generation", "$ai_span", "$ai_generation");
    }

    @Test
    @DisplayName("a provider call: messages from ai.prompt.messages, tool calls from ai.response.toolCalls, model, provider, tokens, tools, settings")
    void providerCall() throws Exception {
        JsonNode p = bySpan(OtlpJsonReader.read(JSON.writeValueAsBytes(payload(TRACE)))).get("a000000000000002").path("properties");
        assertThat(p.path("$ai_model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(p.path("$ai_provider").asText()).isEqualTo("openai");
        assertThat(p.path("$ai_input").get(0).path("role").asText()).isEqualTo("system");
        assertThat(p.path("$ai_input").get(1).path("content").get(0).path("text").asText()).isEqualTo("What is the weather in Paris right now?");
        JsonNode call = p.path("$ai_output_choices").get(0).path("content").get(0);
        assertThat(call.path("type").asText()).isEqualTo("tool-call");
        assertThat(call.path("toolName").asText()).isEqualTo("weather");
        assertThat(call.path("input").path("city").asText()).isEqualTo("Paris");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(90);
        assertThat(p.path("$ai_output_tokens").asInt()).isEqualTo(14);
        assertThat(p.path("$ai_stop_reason").asText()).isEqualTo("tool-calls");
        assertThat(p.path("$ai_tools").get(0).path("name").asText()).isEqualTo("weather");
        assertThat(p.path("$ai_model_parameters").path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(p.path("$ai_model_parameters").has("maxRetries")).isFalse();
    }

    @Test
    @DisplayName("v4 token names (promptTokens / completionTokens) and ai.response.text as the assistant's text")
    void v4Tokens() throws Exception {
        JsonNode p = bySpan(OtlpJsonReader.read(JSON.writeValueAsBytes(payload(TRACE)))).get("a000000000000004").path("properties");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(60);
        assertThat(p.path("$ai_output_tokens").asInt()).isEqualTo(18);
        assertThat(p.path("$ai_output_choices").get(0).path("content").get(0).path("text").asText())
                .isEqualTo("It is 18 degrees and sunny in Paris.");
        assertThat(p.path("$ai_input")).hasSize(4);
        assertThat(p.path("$ai_model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    @DisplayName("the wrapper is the trace, named by its functionId, with ai.prompt flattened into state and no tokens of its own")
    void wrapper() throws Exception {
        ObjectNode e = bySpan(OtlpJsonReader.read(JSON.writeValueAsBytes(payload(TRACE)))).get("a000000000000001");
        JsonNode p = e.path("properties");
        assertThat(e.path("distinct_id").asText()).isEqualTo("user-4242");
        assertThat(p.path("$ai_span_name").asText()).isEqualTo("weather-bot");
        assertThat(p.path("$ai_input_state").get(0).path("role").asText()).isEqualTo("system");
        assertThat(p.path("$ai_input_state").get(1).path("content").asText()).isEqualTo("What is the weather in Paris right now?");
        assertThat(p.path("$ai_output_state").get(0).path("content").get(0).path("text").asText()).contains("sunny");
        assertThat(p.has("$ai_input_tokens")).isFalse();
    }

    @Test
    @DisplayName("ai.toolCall is a span named after the tool, arguments and result parsed from their JSON strings")
    void toolCall() throws Exception {
        JsonNode p = bySpan(OtlpJsonReader.read(JSON.writeValueAsBytes(payload(TRACE)))).get("a000000000000003").path("properties");
        assertThat(p.path("$ai_span_name").asText()).isEqualTo("weather");
        assertThat(p.path("$ai_input_state").path("city").asText()).isEqualTo("Paris");
        assertThat(p.path("$ai_output_state").path("tempC").asInt()).isEqualTo(18);
    }

    @Test
    @DisplayName("v6 token details: input counts the cache (not exclusive, so cost adds nothing twice), cache read and write from the details")
    void cacheDetails() {
        Map<String, JsonNode> a = new LinkedHashMap<>();
        a.put("ai.operationId", JSON.valueToTree("ai.generateText.doGenerate"));
        a.put("ai.model.id", JSON.valueToTree("claude-sonnet-4-5"));
        a.put("ai.model.provider", JSON.valueToTree("anthropic.messages"));
        a.put("ai.usage.inputTokens", JSON.valueToTree(9500));
        a.put("ai.usage.outputTokens", JSON.valueToTree(300));
        a.put("ai.usage.inputTokenDetails.noCacheTokens", JSON.valueToTree(1000));
        a.put("ai.usage.inputTokenDetails.cacheReadTokens", JSON.valueToTree(8000));
        a.put("ai.usage.inputTokenDetails.cacheWriteTokens", JSON.valueToTree(500));
        OtlpSpan span = new OtlpSpan(TRACE, "b000000000000002", "c000000000000001", "ai.generateText.doGenerate", 3, 1, 2, a,
                List.of(), 0, "", Map.of(), "ai");
        JsonNode p = SpanMapper.map(List.of(span)).events().get(0).path("properties");
        assertThat(p.path("$ai_provider").asText()).isEqualTo("anthropic");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(9500);
        assertThat(p.path("$ai_cache_read_input_tokens").asInt()).isEqualTo(8000);
        assertThat(p.path("$ai_cache_creation_input_tokens").asInt()).isEqualTo(500);
        assertThat(p.path("$ai_cache_reporting_exclusive").isBoolean()).isTrue();
        assertThat(p.path("$ai_cache_reporting_exclusive").asBoolean()).isFalse();
        assertThat(p.path("$ai_framework").asText()).isEqualTo("vercel");

        a.keySet().removeIf(k -> k.startsWith("ai.usage.inputTokenDetails."));
        JsonNode v5 = SpanMapper.map(List.of(span)).events().get(0).path("properties");
        assertThat(v5.has("$ai_cache_reporting_exclusive")).isFalse();
    }

    @Test
    @DisplayName("a span in GenAI and Vercel conventions at once reads gen_ai.* first; v3's ai.result.* is read when nothing newer is there")
    void precedence() {
        Map<String, JsonNode> both = new LinkedHashMap<>();
        both.put("ai.operationId", JSON.valueToTree("ai.streamText.doStream"));
        both.put("gen_ai.input.messages", JSON.valueToTree("[{\"role\":\"user\",\"content\":\"from gen_ai\"}]"));
        both.put("ai.prompt.messages", JSON.valueToTree("[{\"role\":\"user\",\"content\":\"from ai.prompt.messages\"}]"));
        both.put("ai.result.text", JSON.valueToTree("old answer"));
        both.put("gen_ai.usage.input_tokens", JSON.valueToTree(7));
        both.put("ai.usage.inputTokens", JSON.valueToTree(7));
        OtlpSpan span = new OtlpSpan(TRACE, "b000000000000001", "c000000000000001", "ai.streamText.doStream", 3, 1, 2, both,
                List.of(), 0, "", Map.of(), "ai");
        ObjectNode e = SpanMapper.map(List.of(span)).events().get(0);
        JsonNode p = e.path("properties");
        assertThat(e.path("event").asText()).isEqualTo("$ai_generation");
        assertThat(p.path("$ai_input").get(0).path("content").asText()).isEqualTo("from gen_ai");
        assertThat(p.path("$ai_output_choices").get(0).path("content").get(0).path("text").asText()).isEqualTo("old answer");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(7);
    }
}
