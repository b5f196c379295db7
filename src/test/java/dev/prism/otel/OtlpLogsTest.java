package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Log records read, sorted and joined without a server. */
class OtlpLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SPAN = "00f067aa0ba902b7";

    /** An OTLP JSON logs request: the old SDKs' {@code event.name} attribute on the first records, the field on the rest. */
    static JsonNode request(String traceId, String spanId) throws Exception {
        return JSON.readTree("""
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"support-bot"}}]},
                 "scopeLogs":[{"scope":{"name":"opentelemetry.instrumentation.openai_v2"},"logRecords":[
                  {"timeUnixNano":"1765000000100000000","traceId":"%1$s","spanId":"%2$s",
                   "attributes":[{"key":"event.name","value":{"stringValue":"gen_ai.system.message"}},{"key":"gen_ai.system","value":{"stringValue":"openai"}}],
                   "body":{"kvlistValue":{"values":[{"key":"content","value":{"stringValue":"You help with refunds."}}]}}},
                  {"timeUnixNano":"1765000000200000000","traceId":"%1$s","spanId":"%2$s",
                   "attributes":[{"key":"event.name","value":{"stringValue":"gen_ai.user.message"}}],
                   "body":{"kvlistValue":{"values":[{"key":"content","value":{"stringValue":"Where is my refund for order 1182?"}}]}}},
                  {"timeUnixNano":"1765000000900000000","traceId":"%1$s","spanId":"%2$s","eventName":"gen_ai.choice",
                   "body":{"kvlistValue":{"values":[{"key":"index","value":{"intValue":"0"}},{"key":"finish_reason","value":{"stringValue":"stop"}},
                     {"key":"message","value":{"kvlistValue":{"values":[{"key":"role","value":{"stringValue":"assistant"}},
                       {"key":"content","value":{"stringValue":"Refund 1182 was issued yesterday."}}]}}}]}}},
                  {"timeUnixNano":"1765000001000000000","traceId":"%1$s","spanId":"%2$s","eventName":"gen_ai.evaluation.result",
                   "attributes":[{"key":"gen_ai.evaluation.name","value":{"stringValue":"relevance"}},
                     {"key":"gen_ai.evaluation.score.value","value":{"doubleValue":0.25}},
                     {"key":"gen_ai.evaluation.score.label","value":{"stringValue":"not_relevant"}},
                     {"key":"gen_ai.evaluation.explanation","value":{"stringValue":"The answer names no date."}}]},
                  {"timeUnixNano":"1765000001100000000","body":{"stringValue":"GET /health 200"}},
                  {"timeUnixNano":"1765000001200000000","eventName":"gen_ai.user.message","body":{"stringValue":"no ids"}}
                 ]}]}]}""".formatted(traceId, spanId));
    }

    @Test
    @DisplayName("JSON and protobuf logs read the same; event name from the attribute or the field")
    void readersAgree() throws Exception {
        JsonNode otlp = request(TRACE, SPAN);
        List<OtlpLog> json = OtlpLogReader.json(JSON.writeValueAsBytes(otlp));
        List<OtlpLog> proto = OtlpLogReader.protobuf(OtlpProto.logsFromJson(otlp).toByteArray());
        assertThat(json).hasSize(6);
        assertThat(proto).extracting(OtlpLog::eventName).containsExactlyElementsOf(json.stream().map(OtlpLog::eventName).toList());
        assertThat(proto).extracting(OtlpLog::body).containsExactlyElementsOf(json.stream().map(OtlpLog::body).toList());
        assertThat(proto).extracting(OtlpLog::traceId).containsExactlyElementsOf(json.stream().map(OtlpLog::traceId).toList());
        assertThat(json.get(0).eventName()).isEqualTo("gen_ai.system.message");
        assertThat(json.get(2).eventName()).isEqualTo("gen_ai.choice");
    }

    @Test
    @DisplayName("messages to join, an evaluation as $ai_metric, an application log ignored, a message without ids refused with a reason")
    void sorted() throws Exception {
        LogMapper.Sorted s = LogMapper.sort(OtlpLogReader.json(JSON.writeValueAsBytes(request(TRACE, SPAN))));
        assertThat(s.messages()).extracting(m -> m.event().name())
                .containsExactly("gen_ai.system.message", "gen_ai.user.message", "gen_ai.choice");
        assertThat(s.messages().get(1).event().attributes().get("content").asText()).isEqualTo("Where is my refund for order 1182?");
        assertThat(s.ignored()).isEqualTo(1);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(s.message()).contains("log record 5 (gen_ai.user.message): no valid trace id");
        ObjectNode metric = s.evaluations().get(0);
        assertThat(metric.path("event").asText()).isEqualTo("$ai_metric");
        assertThat(metric.path("distinct_id").asText()).isEqualTo("support-bot");
        JsonNode p = metric.path("properties");
        assertThat(p.path("$ai_trace_id").asText()).isEqualTo(TRACE);
        assertThat(p.path("$ai_metric_name").asText()).isEqualTo("relevance");
        assertThat(p.path("$ai_metric_value").asDouble()).isEqualTo(0.25);
        assertThat(p.path("$ai_feedback_label").asText()).isEqualTo("not_relevant");
        assertThat(p.path("$ai_feedback_explanation").asText()).isEqualTo("The answer names no date.");
    }

    @Test
    @DisplayName("joined records are read as the deprecated per-message span events: input and output of the generation")
    void joinedContent() throws Exception {
        LogMapper.Sorted s = LogMapper.sort(OtlpLogReader.json(JSON.writeValueAsBytes(request(TRACE, SPAN))));
        OtlpSpan span = new OtlpSpan(TRACE, SPAN, "", "chat gpt-4o", 3, 1, 2, Map.of("gen_ai.operation.name", JSON.valueToTree("chat")),
                s.messages().stream().map(LogMapper.Message::event).toList(), 0, "", Map.of(), "");
        JsonNode p = SpanMapper.map(List.of(span)).events().get(0).path("properties");
        assertThat(p.path("$ai_input").get(0).path("content").asText()).isEqualTo("You help with refunds.");
        assertThat(p.path("$ai_input").get(1).path("role").asText()).isEqualTo("user");
        assertThat(p.path("$ai_output_choices").get(0).path("content").asText()).isEqualTo("Refund 1182 was issued yesterday.");
    }

    @Test
    @DisplayName("a gen_ai.client.inference.operation.details record (content in its attributes, protobuf event_name) joins like the per-message ones")
    void operationDetailsRecord() throws Exception {
        JsonNode otlp = JSON.readTree("""
                {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"%s","spanId":"%s","eventName":"gen_ai.client.inference.operation.details",
                 "attributes":[{"key":"gen_ai.input.messages","value":{"stringValue":"[{\\"role\\":\\"user\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"Is the store open?\\"}]}]"}},
                   {"key":"gen_ai.output.messages","value":{"stringValue":"[{\\"role\\":\\"assistant\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"Until 8 pm.\\"}]}]"}}]}
                 ]}]}]}""".formatted(TRACE, SPAN));
        LogMapper.Sorted s = LogMapper.sort(OtlpLogReader.protobuf(OtlpProto.logsFromJson(otlp).toByteArray()));
        assertThat(s.messages()).hasSize(1);
        OtlpSpan span = new OtlpSpan(TRACE, SPAN, "", "chat gpt-4o", 3, 1, 2, Map.of("gen_ai.operation.name", JSON.valueToTree("chat")),
                List.of(), 0, "", Map.of(), "");
        assertThat(Conventions.awaitsContent(span)).isTrue();
        OtlpSpan joined = new OtlpSpan(TRACE, SPAN, "", "chat gpt-4o", 3, 1, 2, span.attributes(), List.of(s.messages().get(0).event()),
                0, "", Map.of(), "");
        assertThat(Conventions.awaitsContent(joined)).isFalse();
        JsonNode p = SpanMapper.map(List.of(joined)).events().get(0).path("properties");
        assertThat(p.path("$ai_input").get(0).path("parts").get(0).path("content").asText()).isEqualTo("Is the store open?");
        assertThat(p.path("$ai_output_choices").get(0).path("parts").get(0).path("content").asText()).isEqualTo("Until 8 pm.");
    }

    private static OtlpSpan.Event event(String name, long time) {
        return new OtlpSpan.Event(name, time, Map.of());
    }

    @Test
    @DisplayName("a record waits for its span and is claimed in time order; a held span takes the records that come after it")
    void join() {
        LogJoin join = new LogJoin(1_000, 1_000, 10, 10);
        String key = LogJoin.key("p", TRACE, SPAN);
        assertThat(join.offer(key, event("gen_ai.choice", 2), 0)).isEqualTo(LogJoin.Offer.WAITING);
        assertThat(join.offer(key, event("gen_ai.user.message", 1), 0)).isEqualTo(LogJoin.Offer.WAITING);
        assertThat(join.claim(LogJoin.key("other-project", TRACE, SPAN))).isEmpty();
        assertThat(join.claim(key)).extracting(OtlpSpan.Event::name).containsExactly("gen_ai.user.message", "gen_ai.choice");
        assertThat(join.waitingRecords()).isZero();

        assertThat(join.hold(List.of(key))).isTrue();
        assertThat(join.offer(key, event("gen_ai.user.message", 5), 10)).isEqualTo(LogJoin.Offer.JOINED);
        assertThat(join.release(key)).hasSize(1);
        assertThat(join.heldSpans()).isZero();
        assertThat(join.offer(key, event("gen_ai.choice", 6), 20)).isEqualTo(LogJoin.Offer.WAITING);
    }

    @Test
    @DisplayName("bounded: records beyond the limit are refused, spans beyond it are not held; records past their wait expire, counted")
    void bounds() {
        // The record wait (1 s) is its own, longer than the span hold (0.2 s): a span may come a whole batch later.
        LogJoin join = new LogJoin(200, 1_000, 2, 1);
        assertThat(join.offer("a", event("x", 1), 0)).isEqualTo(LogJoin.Offer.WAITING);
        assertThat(join.offer("b", event("x", 1), 500)).isEqualTo(LogJoin.Offer.WAITING);
        assertThat(join.offer("c", event("x", 1), 500)).isEqualTo(LogJoin.Offer.FULL);
        assertThat(join.hold(List.of("s1", "s2"))).isFalse();
        assertThat(join.hold(List.of("s1"))).isTrue();
        assertThat(join.expire(999)).isZero();
        assertThat(join.expire(1_000)).isEqualTo(1);
        assertThat(join.waitingRecords()).isEqualTo(1);
        assertThat(join.offer("c", event("x", 1), 1_000)).isEqualTo(LogJoin.Offer.WAITING);
        assertThat(join.expire(10_000)).isEqualTo(2);

        LogJoin off = new LogJoin(0, 1_000, 10, 10);
        assertThat(off.offer("a", event("x", 1), 0)).isEqualTo(LogJoin.Offer.OFF);
        assertThat(off.hold(List.of("s"))).isFalse();
    }
}
