package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sorts OTLP log records by what Prism does with them:
 * <ul>
 * <li>the deprecated GenAI per-message events ({@code gen_ai.system.message}, {@code gen_ai.user.message},
 * {@code gen_ai.assistant.message}, {@code gen_ai.tool.message}, {@code gen_ai.choice}) and the current
 * {@code gen_ai.client.inference.operation.details} become span events of the span they name (trace and span id), to
 * be joined to it ({@link LogJoin}); the record's body holds the message (the details event: its attributes hold the
 * content), as the event's attributes did when these were span events, so {@link Conventions} reads both forms the
 * same;</li>
 * <li>{@code gen_ai.evaluation.result} becomes an {@code $ai_metric} annotation of its trace: the evaluation's name and
 * score ({@code score.value}, else its {@code score.label}), the label and explanation as {@code $ai_feedback_*}
 * details (which the text shows beside the metric);</li>
 * <li>any other record (an application's own logs) is ignored, counted, not refused.</li>
 * </ul>
 * A message or evaluation without the ids it needs is refused, with a reason, as the OTLP partial success reports.
 */
final class LogMapper {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Set<String> MESSAGES = Set.of("gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message",
            "gen_ai.tool.message", "gen_ai.choice", Conventions.OPERATION_DETAILS);
    static final String EVALUATION = "gen_ai.evaluation.result";
    private static final int MAX_REASONS = 5;

    /** A message to join: the span it belongs to (trace id / span id) and the span event it becomes. */
    record Message(String traceId, String spanId, OtlpSpan.Event event) {
    }

    record Sorted(List<Message> messages, List<ObjectNode> evaluations, int ignored, int rejected, String message) {
    }

    private LogMapper() {
    }

    static Sorted sort(List<OtlpLog> logs) {
        List<Message> messages = new ArrayList<>();
        List<ObjectNode> evaluations = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        int ignored = 0;
        int rejected = 0;
        for (int i = 0; i < logs.size(); i++) {
            OtlpLog log = logs.get(i);
            boolean message = MESSAGES.contains(log.eventName());
            boolean evaluation = log.eventName().equals(EVALUATION);
            if (!message && !evaluation) {
                ignored++;
                continue;
            }
            String reason = !valid(log.traceId(), TRACE_ID) ? "no valid trace id"
                    : message && !valid(log.spanId(), SPAN_ID) ? "no valid span id to join it to" : null;
            if (evaluation && reason == null && SpanMapper.text(attribute(log, "gen_ai.evaluation.name")) == null) {
                reason = "gen_ai.evaluation.name is missing";
            }
            if (reason != null) {
                rejected++;
                if (reasons.size() < MAX_REASONS) {
                    reasons.add("log record " + i + " (" + log.eventName() + "): " + reason);
                }
            } else if (message) {
                messages.add(new Message(log.traceId(), log.spanId(), new OtlpSpan.Event(log.eventName(), log.timeNanos(), content(log))));
            } else {
                evaluations.add(evaluation(log));
            }
        }
        String text = reasons.isEmpty() ? "" : String.join("; ", reasons)
                + (rejected > reasons.size() ? "; and " + (rejected - reasons.size()) + " more" : "");
        return new Sorted(messages, evaluations, ignored, rejected, text);
    }

    private static boolean valid(String id, Pattern pattern) {
        return pattern.matcher(id).matches() && !id.chars().allMatch(c -> c == '0');
    }

    /**
     * The body's fields (a string body is the message's content), as a span event's attributes. The operation-details
     * event carries the inference span's own attributes ({@code gen_ai.input.messages}, …): those are kept too.
     */
    private static Map<String, JsonNode> content(OtlpLog log) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (log.eventName().equals(Conventions.OPERATION_DETAILS)) {
            out.putAll(log.attributes());
        }
        if (log.body().isObject()) {
            log.body().fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue()));
        } else if (!log.body().isNull()) {
            out.put("content", log.body());
        }
        return out;
    }

    /** Semantic-convention events carry their data as attributes; some SDKs put it in the body: both are read. */
    private static JsonNode attribute(OtlpLog log, String key) {
        JsonNode v = log.attributes().get(key);
        return v != null ? v : log.body().isObject() ? log.body().get(key) : null;
    }

    private static ObjectNode evaluation(OtlpLog log) {
        ObjectNode event = NODES.objectNode();
        event.put("event", "$ai_metric");
        event.put("distinct_id", distinctId(log));
        if (log.timeNanos() > 0) {
            event.put("timestamp", Instant.ofEpochSecond(0, log.timeNanos()).toString());
        }
        ObjectNode p = event.putObject("properties");
        p.put("$ai_trace_id", log.traceId());
        if (valid(log.spanId(), SPAN_ID)) {
            p.put("$ai_parent_id", log.spanId()); // the evaluated span
        }
        p.set("$ai_metric_name", attribute(log, "gen_ai.evaluation.name"));
        JsonNode value = attribute(log, "gen_ai.evaluation.score.value");
        JsonNode label = attribute(log, "gen_ai.evaluation.score.label");
        p.set("$ai_metric_value", value != null ? value : label != null ? label : NODES.nullNode());
        if (value != null && label != null) {
            p.set("$ai_feedback_label", label);
        }
        put(p, "$ai_feedback_explanation", attribute(log, "gen_ai.evaluation.explanation"));
        put(p, "$ai_feedback_response_id", attribute(log, "gen_ai.response.id"));
        put(p, "$ai_feedback_error", attribute(log, "error.type"));
        return event;
    }

    private static String distinctId(OtlpLog log) {
        for (Map<String, JsonNode> a : List.of(log.attributes(), log.resource())) {
            for (String key : new String[] {"posthog.distinct_id", "user.id", "enduser.id", "service.name"}) {
                String v = SpanMapper.text(a.get(key));
                if (v != null) {
                    return v;
                }
            }
        }
        return log.traceId();
    }

    private static void put(ObjectNode p, String key, JsonNode v) {
        if (v != null && !v.isNull()) {
            p.set(key, v);
        }
    }
}
