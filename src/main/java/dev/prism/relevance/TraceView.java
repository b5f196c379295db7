package dev.prism.relevance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the relevance model reads of one trace: what the users wrote, what the assistant answered (read from the
 * rendered text, so every provider format is handled once, by the formatter) and the structural signals the events
 * carry. Pure.
 *
 * @param userTurns      the users' messages, distinct, in order
 * @param assistantTurns the assistant's replies (tool calls left out), distinct, in order
 */
public record TraceView(List<String> userTurns, List<String> assistantTurns, Structure structure) {

    /**
     * @param errors          failing steps ({@code ERROR} lines of the text, or generations marked as errors)
     * @param recovered       the trace ended with an answer after its last failure ({@link AssembledTrace#recoveredFromFailure})
     * @param answered        the last generation produced an output
     * @param repeatedCalls   generations or tool calls beyond the first with the same model or tool name
     * @param feedback        feedback events with a text
     * @param negativeRatings metrics or ratings at or below zero (thumbs down)
     * @param positiveRatings metrics or ratings above zero (thumbs up, scores)
     */
    public record Structure(int errors, boolean recovered, boolean answered, double latencySeconds, double slowestCallSeconds,
                            double costUsd, long tokens, int generations, int repeatedCalls, int feedback, int negativeRatings,
                            int positiveRatings, int httpErrors) {

        public static final Structure NONE = new Structure(0, false, true, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);
    }

    /** The assistant declining: a capability it lacks or a request it cannot fulfil. Languages the demo apps serve. */
    static final Pattern DECLINE = Pattern.compile("(?i)\\b(can(no|')t|unable|not able|don't have (access|a way|the ability)|isn't (possible|supported)"
            + "|not (supported|available|possible)|no (way|option) to|doesn't support|I'm afraid|outside what I can|only (able|supports?)"
            + "|no puedo|je ne peux pas|ich kann (nicht|keine)|não posso|non posso)\\b");

    public static TraceView of(AssembledTrace trace, String text) {
        List<String> users = new ArrayList<>();
        List<String> assistant = new ArrayList<>();
        int errorLines = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            int user = line.indexOf("[user] ");
            int reply = line.indexOf("[assistant] ");
            if (user >= 0 && user < 8) {
                add(users, line.substring(user + 7));
            } else if (reply >= 0 && reply < 8) {
                String r = line.substring(reply + 12).strip();
                if (!r.startsWith("tool call:")) {
                    add(assistant, r);
                }
            } else if (line.startsWith("ERROR")) {
                errorLines++;
            }
        }
        boolean answered = false;
        double slowest = 0;
        int generations = 0;
        int repeated = 0;
        int httpErrors = 0;
        Map<String, Integer> calls = new HashMap<>();
        for (TraceEvent e : trace.events()) {
            JsonNode p = e.properties();
            boolean generation = e.event().equals("$ai_generation");
            String name = generation ? p.path("$ai_model").asText("") : e.event().equals("$ai_span") ? p.path("$ai_span_name").asText("") : null;
            if (name != null && !name.isEmpty() && calls.merge(e.event() + ':' + name, 1, Integer::sum) > 1) {
                repeated++;
            }
            if (p.path("$ai_http_status").asInt(0) >= 400) {
                httpErrors++;
            }
            if (!generation) {
                continue;
            }
            generations++;
            slowest = Math.max(slowest, p.path("$ai_latency").asDouble(0));
            if (e.flaggedError()) {
                answered = false;
            } else if (e.hasOutput()) {
                answered = true;
            }
        }
        boolean recovered = trace.recoveredFromFailure();
        int feedback = 0;
        int negative = 0;
        int positive = 0;
        for (TraceEvent a : trace.annotations()) {
            JsonNode p = a.properties();
            if (p.hasNonNull("$ai_feedback_text")) {
                feedback++;
            }
            JsonNode value = p.has("$ai_metric_value") ? p.get("$ai_metric_value") : p.get("$ai_feedback_rating");
            if (value != null && value.isNumber()) {
                if (value.asDouble() <= 0) {
                    negative++;
                } else {
                    positive++;
                }
            } else if (value != null && value.isTextual()) {
                String v = value.asText().toLowerCase(java.util.Locale.ROOT);
                if (v.contains("down") || v.contains("bad") || v.contains("negative")) {
                    negative++;
                } else if (v.contains("up") || v.contains("good") || v.contains("positive")) {
                    positive++;
                }
            }
        }
        Double latency = trace.aggregates().latencySeconds();
        int errors = Math.max(errorLines, trace.aggregates().errorCount());
        return new TraceView(users, assistant, new Structure(errors, recovered, answered || generations == 0 && !assistant.isEmpty(),
                latency == null ? 0 : latency, slowest, trace.aggregates().costUsd(),
                trace.aggregates().inputTokens() + trace.aggregates().outputTokens(), generations, repeated, feedback, negative, positive, httpErrors));
    }

    private static void add(List<String> into, String text) {
        String t = text.strip();
        if (!t.isEmpty() && !into.contains(t)) {
            into.add(t);
        }
    }

    /** The sentences the model embeds: users' first (they carry every user-language theme), then the assistant's. */
    public List<String> userSentences() {
        return Sentences.of(userTurns, RelevanceModel.MAX_USER_SENTENCES);
    }

    public List<String> assistantSentences() {
        // The last replies: a decline or a workaround closes the exchange.
        List<String> last = assistantTurns.subList(Math.max(0, assistantTurns.size() - 3), assistantTurns.size());
        return Sentences.of(last, RelevanceModel.MAX_ASSISTANT_SENTENCES);
    }
}
