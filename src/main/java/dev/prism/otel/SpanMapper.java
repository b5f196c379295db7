package dev.prism.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps OTLP spans to the PostHog {@code $ai_*} events every other stage already reads: one event per kept span.
 *
 * <p>Which event: a span whose operation is {@code chat} / {@code text_completion} / {@code generate_content} (or an
 * OpenInference {@code LLM} span, or one with a model but no operation) is an {@code $ai_generation};
 * {@code embeddings} / {@code EMBEDDING} an {@code $ai_embedding}; any other span with AI attributes an
 * {@code $ai_span}, and a root span an {@code $ai_trace}. Spans without AI attributes are kept, as bare
 * {@code $ai_span} / {@code $ai_trace} structure, only when they are ancestors of an AI span of the same request;
 * else dropped. Both are counted.
 *
 * <p>Where content is carried several ways on one span, the first source that yields something wins, newest
 * convention first (see {@link Conventions}): so an OpenInference span that also writes {@code gen_ai.*} is read once.
 */
final class SpanMapper {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
    private static final int MAX_REASONS = 5;

    /**
     * @param events     the PostHog events, in span order
     * @param rejected   spans refused (bad ids); {@code message} says why for the first few
     * @param structure  spans without AI attributes kept as parents of AI spans
     * @param dropped    spans without AI attributes and no AI descendant in the request
     */
    record Mapping(List<ObjectNode> events, int rejected, String message, int structure, int dropped, List<String> awaitedParents) {
        Mapping(List<ObjectNode> events, int rejected, String message, int structure, int dropped) {
            this(events, rejected, message, structure, dropped, List.of());
        }
    }

    private SpanMapper() {
    }

    static Mapping map(List<OtlpSpan> spans) {
        return map(spans, span -> false);
    }

    /**
     * @param awaited whether a span (trace and span id) is the parent of AI spans of an earlier request: kept as
     *                structure with its own ancestors, like a parent in the same request
     * @return also, in {@link Mapping#awaitedParents()}, the {@code trace/span} ids of parents the kept spans name that
     *         this request did not carry, for a later one
     */
    static Mapping map(List<OtlpSpan> spans, java.util.function.Predicate<OtlpSpan> awaited) {
        List<String> reasons = new ArrayList<>();
        int rejected = 0;
        List<OtlpSpan> valid = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            String reason = invalid(spans.get(i));
            if (reason == null) {
                valid.add(spans.get(i));
            } else {
                rejected++;
                if (reasons.size() < MAX_REASONS) {
                    reasons.add("span " + i + " (" + spans.get(i).name() + "): " + reason);
                }
            }
        }
        Set<String> seeds = new HashSet<>();
        for (OtlpSpan span : valid) {
            if (Conventions.isAi(span) || awaited.test(span)) {
                seeds.add(key(span.traceId(), span.spanId()));
            }
        }
        Set<String> kept = ancestorsOf(valid, seeds);
        kept.addAll(seeds);
        Set<String> present = new HashSet<>();
        valid.forEach(span -> present.add(key(span.traceId(), span.spanId())));
        List<ObjectNode> events = new ArrayList<>();
        List<String> awaitedParents = new ArrayList<>();
        int structure = 0;
        int dropped = 0;
        for (OtlpSpan span : valid) {
            boolean ai = Conventions.isAi(span);
            if (!kept.contains(key(span.traceId(), span.spanId()))) {
                dropped++;
                continue;
            }
            if (!ai) {
                structure++;
            }
            if (!span.parentSpanId().isEmpty() && !present.contains(key(span.traceId(), span.parentSpanId()))) {
                awaitedParents.add(key(span.traceId(), span.parentSpanId()));
            }
            events.add(event(span, ai));
        }
        String message = reasons.isEmpty() ? "" : String.join("; ", reasons)
                + (rejected > reasons.size() ? "; and " + (rejected - reasons.size()) + " more" : "");
        return new Mapping(events, rejected, message, structure, dropped, awaitedParents);
    }

    private static String invalid(OtlpSpan span) {
        if (span.traceId().isEmpty()) {
            return "no trace id";
        }
        if (!TRACE_ID.matcher(span.traceId()).matches() || span.traceId().chars().allMatch(c -> c == '0')) {
            return "trace id '" + clip(span.traceId()) + "' is not 32 hex digits";
        }
        if (span.spanId().isEmpty()) {
            return "no span id";
        }
        if (!SPAN_ID.matcher(span.spanId()).matches() || span.spanId().chars().allMatch(c -> c == '0')) {
            return "span id '" + clip(span.spanId()) + "' is not 16 hex digits";
        }
        if (!span.parentSpanId().isEmpty() && !SPAN_ID.matcher(span.parentSpanId()).matches()) {
            return "parent span id '" + clip(span.parentSpanId()) + "' is not 16 hex digits";
        }
        return null;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String key(String traceId, String spanId) {
        return traceId + '/' + spanId;
    }

    /** Every span (by trace and span id) on the way from a seed span up to its root, within this request. */
    private static Set<String> ancestorsOf(List<OtlpSpan> spans, Set<String> seeds) {
        Map<String, String> parentOf = new HashMap<>();
        for (OtlpSpan s : spans) {
            if (!s.parentSpanId().isEmpty()) {
                parentOf.put(key(s.traceId(), s.spanId()), key(s.traceId(), s.parentSpanId()));
            }
        }
        Set<String> kept = new HashSet<>();
        for (OtlpSpan s : spans) {
            if (seeds.contains(key(s.traceId(), s.spanId()))) {
                String parent = parentOf.get(key(s.traceId(), s.spanId()));
                while (parent != null && kept.add(parent)) { // a cycle stops at a span already seen
                    parent = parentOf.get(parent);
                }
            }
        }
        return kept;
    }

    private static ObjectNode event(OtlpSpan span, boolean ai) {
        Map<String, JsonNode> a = span.attributes();
        String kind = ai ? Conventions.eventKind(span) : span.parentSpanId().isEmpty() ? "$ai_trace" : "$ai_span";
        ObjectNode event = NODES.objectNode();
        event.put("event", kind);
        event.put("distinct_id", distinctId(span));
        long end = span.endNanos() > 0 ? span.endNanos() : span.startNanos();
        event.put("timestamp", Instant.ofEpochSecond(0, end).toString());
        ObjectNode p = event.putObject("properties");
        p.put("$ai_trace_id", span.traceId());
        p.put("$ai_span_id", span.spanId());
        String name = ai ? VercelAi.spanName(span) : null;
        p.put("$ai_span_name", name != null ? name : span.name());
        if (span.endNanos() >= span.startNanos() && span.startNanos() > 0) {
            p.put("$ai_latency", (span.endNanos() - span.startNanos()) / 1e9);
        }
        if (!span.parentSpanId().isEmpty()) {
            p.put("$ai_parent_id", span.parentSpanId());
        }
        JsonNode session = Conventions.first(span, "session.id", "gen_ai.conversation.id", "ai.telemetry.metadata.$ai_session_id");
        if (session != null) {
            p.set("$ai_session_id", session);
        }
        if (ai) {
            if (kind.equals("$ai_generation") || kind.equals("$ai_embedding")) {
                Conventions.generation(span, p);
            } else {
                Conventions.state(span, p);
            }
        }
        error(span, p);
        return event;
    }

    /**
     * PostHog's own OTLP route reads {@code posthog.distinct_id} (and, from the Vercel AI SDK, the telemetry metadata
     * {@code posthog_distinct_id}); user ids next; the service names anonymous traffic.
     */
    private static String distinctId(OtlpSpan span) {
        JsonNode id = Conventions.first(span, "posthog.distinct_id", "ai.telemetry.metadata.posthog_distinct_id", "user.id",
                "enduser.id", "service.name");
        return id == null || id.asText().isBlank() ? span.traceId() : id.asText();
    }

    /**
     * Status 2 is an error: the exception event's stack trace says most, then its type and message, then the status
     * message. The HTTP status rides along when the span has one.
     */
    private static void error(OtlpSpan span, ObjectNode p) {
        JsonNode http = span.attributes().get("http.response.status_code");
        if (http == null) {
            http = span.attributes().get("http.status_code");
        }
        if (http != null && http.canConvertToInt()) {
            p.put("$ai_http_status", http.asInt());
        }
        if (span.statusCode() != OtlpSpan.STATUS_ERROR) {
            return;
        }
        p.put("$ai_is_error", true);
        String text = null;
        for (OtlpSpan.Event e : span.events()) {
            if (e.name().equals("exception")) {
                String stack = text(e.attributes().get("exception.stacktrace"));
                String type = text(e.attributes().get("exception.type"));
                String message = text(e.attributes().get("exception.message"));
                text = stack != null ? stack : type != null && message != null ? type + ": " + message : type != null ? type : message;
                break;
            }
        }
        if (text == null) {
            text = !span.statusMessage().isBlank() ? span.statusMessage() : text(span.attributes().get("error.type"));
        }
        p.put("$ai_error", text == null ? "error" : text);
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }

    /** A JSON string parsed when it holds JSON, else the value as it is. */
    static JsonNode parsed(JsonNode node) {
        if (node != null && node.isTextual()) {
            String s = node.asText().trim();
            if (s.startsWith("[") || s.startsWith("{")) {
                try {
                    return MAPPER.readTree(s);
                } catch (java.io.IOException e) {
                    return node;
                }
            }
        }
        return node;
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
