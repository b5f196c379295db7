package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Fixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each producer shape, mapped without a server. */
class SpanMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String ROOT = "b7ad6b7169203331";
    private static final String CHILD = "00f067aa0ba902b7";

    private static Map<String, JsonNode> attrs(Object... kv) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], JSON.valueToTree(kv[i + 1]));
        }
        return out;
    }

    private static OtlpSpan span(String id, String parent, Map<String, JsonNode> attributes, List<OtlpSpan.Event> events) {
        return new OtlpSpan(TRACE, id, parent, "span " + id, 1, 1_700_000_000_000_000_000L, 1_700_000_002_500_000_000L,
                attributes, events, 0, "", attrs("service.name", "svc", "user.id", "u-1", "session.id", "sess-9"), "scope");
    }

    private static ObjectNode only(List<OtlpSpan> spans) {
        SpanMapper.Mapping m = SpanMapper.map(spans);
        assertThat(m.events()).hasSize(1);
        return m.events().get(0);
    }

    @Test
    @DisplayName("ids, parent, times, latency, user and session come from the span and its resource")
    void identity() {
        ObjectNode e = only(List.of(span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat", "gen_ai.request.model", "gpt-4o"), List.of())));
        assertThat(e.path("event").asText()).isEqualTo("$ai_generation");
        assertThat(e.path("distinct_id").asText()).isEqualTo("u-1");
        assertThat(e.path("timestamp").asText()).isEqualTo("2023-11-14T22:13:22.500Z");
        JsonNode p = e.path("properties");
        assertThat(p.path("$ai_trace_id").asText()).isEqualTo(TRACE);
        assertThat(p.path("$ai_span_id").asText()).isEqualTo(CHILD);
        assertThat(p.path("$ai_parent_id").asText()).isEqualTo(ROOT);
        assertThat(p.path("$ai_latency").asDouble()).isEqualTo(2.5);
        assertThat(p.path("$ai_session_id").asText()).isEqualTo("sess-9");
        assertThat(p.path("$ai_model").asText()).isEqualTo("gpt-4o");
    }

    @Test
    @DisplayName("current GenAI attributes: structured messages, system instructions first, tokens, cache tokens, finish reason, parameters")
    void genAiCurrent() {
        ObjectNode e = only(List.of(span(CHILD, ROOT, attrs(
                "gen_ai.operation.name", "chat", "gen_ai.provider.name", "anthropic", "gen_ai.request.model", "claude-x",
                "gen_ai.system_instructions", List.of(Map.of("type", "text", "content", "Be brief.")),
                "gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]",
                "gen_ai.output.messages", List.of(Map.of("role", "assistant", "parts", List.of(Map.of("type", "text", "content", "hello")))),
                "gen_ai.usage.input_tokens", 12, "gen_ai.usage.output_tokens", 3,
                "gen_ai.usage.cache_read.input_tokens", 7, "gen_ai.usage.cache_write.input_tokens", 5,
                "gen_ai.response.finish_reasons", List.of("stop"), "gen_ai.request.temperature", 0.2), List.of())));
        JsonNode p = e.path("properties");
        assertThat(p.path("$ai_provider").asText()).isEqualTo("anthropic");
        assertThat(p.path("$ai_input").get(0).path("role").asText()).isEqualTo("system");
        assertThat(p.path("$ai_input").get(0).path("parts").get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(p.path("$ai_input").get(1).path("parts").get(0).path("content").asText()).isEqualTo("hi");
        assertThat(p.path("$ai_output_choices").get(0).path("parts").get(0).path("content").asText()).isEqualTo("hello");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(12);
        assertThat(p.path("$ai_output_tokens").asInt()).isEqualTo(3);
        assertThat(p.path("$ai_cache_read_input_tokens").asInt()).isEqualTo(7);
        assertThat(p.path("$ai_cache_creation_input_tokens").asInt()).isEqualTo(5);
        assertThat(p.path("$ai_stop_reason").asText()).isEqualTo("stop");
        assertThat(p.path("$ai_model_parameters").path("temperature").asDouble()).isEqualTo(0.2);
    }

    @Test
    @DisplayName("OpenLLMetry's indexed gen_ai.prompt.{i} / gen_ai.completion.{i} and prompt_tokens become messages and tokens")
    void openLlmetry() {
        JsonNode p = only(List.of(span(CHILD, ROOT, attrs(
                "gen_ai.system", "openai", "gen_ai.request.model", "gpt-4o-mini",
                "gen_ai.prompt.0.role", "system", "gen_ai.prompt.0.content", "You are terse.",
                "gen_ai.prompt.1.role", "user", "gen_ai.prompt.1.content", "What is 2+2?",
                "gen_ai.completion.0.role", "assistant", "gen_ai.completion.0.content", "4",
                "gen_ai.completion.0.finish_reason", "stop",
                "gen_ai.usage.prompt_tokens", 20, "gen_ai.usage.completion_tokens", 1), List.of()))).path("properties");
        assertThat(p.path("$ai_provider").asText()).isEqualTo("openai");
        assertThat(p.path("$ai_input")).hasSize(2);
        assertThat(p.path("$ai_input").get(1).path("content").asText()).isEqualTo("What is 2+2?");
        assertThat(p.path("$ai_output_choices").get(0).path("content").asText()).isEqualTo("4");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(20);
        assertThat(p.path("$ai_output_tokens").asInt()).isEqualTo(1);
    }

    @Test
    @DisplayName("deprecated per-message span events and gen_ai.choice become input and output")
    void deprecatedMessageEvents() {
        List<OtlpSpan.Event> events = List.of(
                new OtlpSpan.Event("gen_ai.system.message", 1, attrs("content", "Be kind.")),
                new OtlpSpan.Event("gen_ai.user.message", 2, attrs("content", "Hello there")),
                new OtlpSpan.Event("gen_ai.choice", 3, attrs("index", 0, "finish_reason", "stop",
                        "message", Map.of("content", "General Kenobi"))));
        JsonNode p = only(List.of(span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat", "gen_ai.request.model", "m"), events))).path("properties");
        assertThat(p.path("$ai_input").get(0).path("role").asText()).isEqualTo("system");
        assertThat(p.path("$ai_input").get(1).path("content").asText()).isEqualTo("Hello there");
        assertThat(p.path("$ai_output_choices").get(0).path("content").asText()).isEqualTo("General Kenobi");
        assertThat(p.path("$ai_output_choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    @DisplayName("current content carried on the gen_ai.client.inference.operation.details event instead of the span")
    void operationDetailsEvent() {
        List<OtlpSpan.Event> events = List.of(new OtlpSpan.Event("gen_ai.client.inference.operation.details", 1, attrs(
                "gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"ping\"}]}]",
                "gen_ai.system_instructions", List.of(Map.of("type", "text", "content", "Answer in one word.")),
                "gen_ai.output.messages", List.of(Map.of("role", "assistant", "parts", List.of(Map.of("type", "text", "content", "pong")))))));
        JsonNode p = only(List.of(span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat", "gen_ai.request.model", "m"), events))).path("properties");
        assertThat(p.path("$ai_input").get(0).path("role").asText()).isEqualTo("system");
        assertThat(p.path("$ai_input").get(1).path("parts").get(0).path("content").asText()).isEqualTo("ping");
        assertThat(p.path("$ai_output_choices").get(0).path("parts").get(0).path("content").asText()).isEqualTo("pong");
    }

    @Test
    @DisplayName("deprecated gen_ai.content.prompt / completion events carry the whole prompt as JSON")
    void deprecatedContentEvents() {
        List<OtlpSpan.Event> events = List.of(
                new OtlpSpan.Event("gen_ai.content.prompt", 1, attrs("gen_ai.prompt", "[{\"role\":\"user\",\"content\":\"ping\"}]")),
                new OtlpSpan.Event("gen_ai.content.completion", 2, attrs("gen_ai.completion", "[{\"role\":\"assistant\",\"content\":\"pong\"}]")));
        JsonNode p = only(List.of(span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat"), events))).path("properties");
        assertThat(p.path("$ai_input").get(0).path("content").asText()).isEqualTo("ping");
        assertThat(p.path("$ai_output_choices").get(0).path("content").asText()).isEqualTo("pong");
    }

    @Test
    @DisplayName("an OpenInference span that also writes gen_ai.* is read once: gen_ai messages win, tokens are not added up")
    void dualWrite() {
        JsonNode p = only(List.of(span(CHILD, ROOT, attrs(
                "openinference.span.kind", "LLM", "llm.model_name", "gpt-4o",
                "llm.input_messages.0.message.role", "user", "llm.input_messages.0.message.content", "old form",
                "gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"new form\"}]}]",
                "llm.token_count.prompt", 100, "gen_ai.usage.input_tokens", 100), List.of()))).path("properties");
        assertThat(p.path("$ai_input")).hasSize(1);
        assertThat(p.path("$ai_input").get(0).path("parts").get(0).path("content").asText()).isEqualTo("new form");
        assertThat(p.path("$ai_input_tokens").asInt()).isEqualTo(100);
    }

    @Test
    @DisplayName("embeddings operations become $ai_embedding; execute_tool spans carry arguments and result as state")
    void embeddingAndTool() {
        SpanMapper.Mapping m = SpanMapper.map(List.of(
                span(CHILD, ROOT, attrs("gen_ai.operation.name", "embeddings", "gen_ai.request.model", "text-embedding-3-small",
                        "gen_ai.usage.input_tokens", 8), List.of()),
                span("1111111111111111", ROOT, attrs("gen_ai.operation.name", "execute_tool", "gen_ai.tool.name", "lookup",
                        "gen_ai.tool.call.arguments", "{\"q\":\"x\"}", "gen_ai.tool.call.result", "found"), List.of())));
        assertThat(m.events().get(0).path("event").asText()).isEqualTo("$ai_embedding");
        assertThat(m.events().get(0).path("properties").path("$ai_input_tokens").asInt()).isEqualTo(8);
        assertThat(m.events().get(1).path("event").asText()).isEqualTo("$ai_span");
        assertThat(m.events().get(1).path("properties").path("$ai_input_state").path("q").asText()).isEqualTo("x");
        assertThat(m.events().get(1).path("properties").path("$ai_output_state").asText()).isEqualTo("found");
    }

    @Test
    @DisplayName("an OpenInference RETRIEVER span carries its query as input and the documents it found as output")
    void retrieverDocuments() {
        JsonNode e = only(List.of(span(CHILD, ROOT, attrs("openinference.span.kind", "RETRIEVER", "input.value", "refund policy",
                "retrieval.documents.0.document.id", "kb-12", "retrieval.documents.0.document.content", "Refunds within 30 days.",
                "retrieval.documents.0.document.score", 0.91,
                "retrieval.documents.1.document.id", "kb-40", "retrieval.documents.1.document.content", "Store credit otherwise."), List.of())));
        assertThat(e.path("event").asText()).isEqualTo("$ai_span");
        JsonNode p = e.path("properties");
        assertThat(p.path("$ai_input_state").asText()).isEqualTo("refund policy");
        assertThat(p.path("$ai_output_state")).hasSize(2);
        assertThat(p.path("$ai_output_state").get(0).path("document.content").asText()).isEqualTo("Refunds within 30 days.");
        assertThat(p.path("$ai_output_state").get(0).path("document.score").asDouble()).isEqualTo(0.91);
        assertThat(p.path("$ai_output_state").get(1).path("document.id").asText()).isEqualTo("kb-40");
    }

    @Test
    @DisplayName("an OpenLLMetry workflow span (traceloop.*) carries its entity input and output as state")
    void traceloopWorkflow() {
        JsonNode e = only(List.of(span(CHILD, ROOT, attrs("traceloop.span.kind", "workflow", "traceloop.entity.name", "plan_trip",
                "traceloop.entity.input", "{\"args\": [\"Lisbon\"], \"kwargs\": {}}",
                "traceloop.entity.output", "\"3 days in Lisbon\""), List.of())));
        assertThat(e.path("event").asText()).isEqualTo("$ai_span");
        assertThat(e.path("properties").path("$ai_input_state").path("args").get(0).asText()).isEqualTo("Lisbon");
        assertThat(e.path("properties").path("$ai_output_state").asText()).isEqualTo("3 days in Lisbon");
    }

    @Test
    @DisplayName("a parent that comes in a later request than its AI child is kept as structure, and asks for its own parent in turn")
    void parentInALaterRequest() {
        String grand = "3333333333333333";
        SpanMapper.Mapping first = SpanMapper.map(List.of(span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat"), List.of())));
        assertThat(first.events()).hasSize(1);
        String trace = first.events().get(0).path("properties").path("$ai_trace_id").asText();
        assertThat(first.awaitedParents()).containsExactly(trace + "/" + ROOT);

        java.util.Set<String> awaited = new java.util.HashSet<>(first.awaitedParents());
        SpanMapper.Mapping later = SpanMapper.map(List.of(
                        span(ROOT, grand, attrs("http.route", "/chat"), List.of()),
                        span("4444444444444444", grand, attrs("db.system", "postgresql"), List.of())),
                s -> awaited.remove(s.traceId() + "/" + s.spanId()));
        assertThat(later.events()).hasSize(1);
        assertThat(later.events().get(0).path("event").asText()).isEqualTo("$ai_span");
        assertThat(later.structure()).isEqualTo(1);
        assertThat(later.dropped()).as("the unrelated database span").isEqualTo(1);
        assertThat(later.awaitedParents()).containsExactly(trace + "/" + grand);
        assertThat(SpanMapper.map(List.of(span(ROOT, grand, attrs("http.route", "/chat"), List.of()))).dropped())
                .as("without the earlier request it is dropped, as before").isEqualTo(1);
    }

    @Test
    @DisplayName("non-AI spans are kept as structure when they are ancestors of an AI span, else dropped; both counted")
    void structureAndDropped() {
        SpanMapper.Mapping m = SpanMapper.map(List.of(
                span(ROOT, "", attrs("http.route", "/chat"), List.of()),
                span("2222222222222222", ROOT, attrs("db.system", "postgresql"), List.of()),
                span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat"), List.of())));
        assertThat(m.events()).extracting(e -> e.path("event").asText()).containsExactly("$ai_trace", "$ai_generation");
        assertThat(m.structure()).isEqualTo(1);
        assertThat(m.dropped()).isEqualTo(1);
        assertThat(m.rejected()).isZero();
    }

    @Test
    @DisplayName("status 2 is an error: the exception event's type and message, or the status message without one; HTTP status kept")
    void errors() {
        OtlpSpan withException = new OtlpSpan(TRACE, CHILD, ROOT, "chat", 3, 1, 2, attrs("gen_ai.operation.name", "chat",
                "http.response.status_code", 500), List.of(new OtlpSpan.Event("exception", 2,
                attrs("exception.type", "InternalServerError", "exception.message", "upstream failed"))), 2, "boom", Map.of(), "");
        JsonNode p = only(List.of(withException)).path("properties");
        assertThat(p.path("$ai_is_error").asBoolean()).isTrue();
        assertThat(p.path("$ai_error").asText()).isEqualTo("InternalServerError: upstream failed");
        assertThat(p.path("$ai_http_status").asInt()).isEqualTo(500);

        OtlpSpan statusOnly = new OtlpSpan(TRACE, CHILD, ROOT, "chat", 3, 1, 2, attrs("gen_ai.operation.name", "chat"),
                List.of(), 2, "deadline exceeded", Map.of(), "");
        assertThat(only(List.of(statusOnly)).path("properties").path("$ai_error").asText()).isEqualTo("deadline exceeded");
    }

    @Test
    @DisplayName("bad ids reject that span only, with a reason naming it")
    void badIds() {
        SpanMapper.Mapping m = SpanMapper.map(List.of(
                new OtlpSpan("", CHILD, "", "no trace", 1, 1, 2, attrs("gen_ai.operation.name", "chat"), List.of(), 0, "", Map.of(), ""),
                new OtlpSpan(TRACE, "xyz", "", "bad span", 1, 1, 2, attrs("gen_ai.operation.name", "chat"), List.of(), 0, "", Map.of(), ""),
                new OtlpSpan("0".repeat(32), CHILD, "", "zero trace", 1, 1, 2, attrs("gen_ai.operation.name", "chat"), List.of(), 0, "", Map.of(), ""),
                span(CHILD, ROOT, attrs("gen_ai.operation.name", "chat"), List.of())));
        assertThat(m.rejected()).isEqualTo(3);
        assertThat(m.events()).hasSize(1);
        assertThat(m.message()).contains("span 0 (no trace): no trace id").contains("span id 'xyz'").contains("zero trace");
    }

    @Test
    @DisplayName("the protobuf and JSON readers read every fixture into the same spans")
    void readersAgree() throws Exception {
        for (var fixture : Fixtures.all()) {
            if (!fixture.json().has("otlp")) {
                continue;
            }
            JsonNode otlp = fixture.json().get("otlp");
            List<OtlpSpan> fromJson = OtlpJsonReader.read(JSON.writeValueAsBytes(otlp));
            List<OtlpSpan> fromProto = OtlpProtoReader.read(OtlpProto.fromJson(otlp).toByteArray());
            assertThat(fromProto).as(fixture.name()).isEqualTo(fromJson);
            assertThat(fromJson).isNotEmpty();
        }
    }
}
