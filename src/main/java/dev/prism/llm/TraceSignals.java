package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the offline analyzer can know about a trace without a model: structured figures from the events and what the
 * users wrote, read from the rendered text (its {@code [user]} and {@code ERROR} lines), so that every provider format
 * is handled once, by the formatter. Pure.
 */
record TraceSignals(List<String> userTexts, List<String> errors, boolean recovered, boolean answered, double latencySeconds,
                    double slowestCallSeconds, String slowestModel, double costUsd, long tokens, List<String> frustration,
                    List<String> requests, List<String> feedback, boolean thanked, List<ErrorCause.Failure> failures, boolean cutOff,
                    boolean declined, int toolCalls, boolean clarified) {

    /** Stop reasons that say a generation ran out of output tokens. */
    private static final java.util.Set<String> TOKEN_LIMIT_STOPS = java.util.Set.of("length", "max_tokens", "max_output_tokens",
            "finish_reason_length", "model_length", "token_limit");

    static final Pattern FRUSTRATION = Pattern.compile("(?i)(\\bagain\\b|still (not|doesn|don|wrong)|that's wrong|not what i"
            + "|i (said|asked|told)|third time|why is this|seriously|useless|frustrat|annoy|ridiculous|\\?\\?|!!|doesn't work"
            + "|not working|literally said)");
    static final Pattern REQUEST = Pattern.compile("(?i)(can you (also |please )?(export|send|email|integrate|connect|sync|schedule|remind|add)"
            + "|could you (also )?(export|send|email|integrate|connect|sync)|i wish|would be (great|nice|useful)|is there a way"
            + "|please add|every (monday|tuesday|wednesday|thursday|friday|week|day|morning)|support for)");
    /** The assistant saying it cannot do something (a missing capability). */
    static final Pattern DECLINE = Pattern.compile("(?i)\\b(can(no|')t|unable|not able|don't have (access|a way|the ability)|isn't (possible|supported)"
            + "|not (supported|available|possible)|no (way|option) to|doesn't support|I'm afraid|no puedo|je ne peux pas|ich kann (nicht|keine)|não posso)\\b");
    private static final Pattern THANKS = Pattern.compile("(?i)\\b(thanks|thank you|perfect|great, |gracias|merci)\\b");

    static TraceSignals of(AssembledTrace trace, String text) {
        List<String> users = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        boolean declined = false;
        int toolCalls = 0;
        // A clarifying exchange: an assistant reply ending in a question, a user turn answering it (not mere thanks),
        // then another reply. Replies span several lines, indented under their [assistant] label. A short history is
        // printed again in every call's input: a turn already read (and its lines) is skipped.
        java.util.Set<String> turnsRead = new java.util.HashSet<>();
        int repeatIndent = -1;
        int replyIndent = -1;
        String replyEnd = "";
        boolean questionOpen = false;
        boolean questionAnswered = false;
        boolean clarified = false;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            int indent = raw.length() - raw.stripLeading().length();
            int user = line.indexOf("[user] ");
            int reply = line.indexOf("[assistant] ");
            if (reply >= 0 && reply < 8 && DECLINE.matcher(line).find()) {
                declined = true;
            }
            if (repeatIndent >= 0 && indent > repeatIndent && !line.isEmpty()) {
                continue;
            }
            repeatIndent = -1;
            if ((reply >= 0 && reply < 8 || user >= 0 && user < 8) && !turnsRead.add(line)) {
                repeatIndent = indent;
                if (replyIndent >= 0) {
                    questionOpen = replyEnd.endsWith("?");
                    replyIndent = -1;
                }
                continue;
            }
            if (reply >= 0 && reply < 8) {
                String r = line.substring(reply + 12).strip();
                if (r.startsWith("tool call:")) {
                    toolCalls++;
                    replyIndent = -1;
                } else {
                    clarified |= questionAnswered;
                    questionAnswered = false;
                    replyIndent = indent;
                    replyEnd = r;
                }
                continue;
            }
            if (replyIndent >= 0 && indent > replyIndent && !line.isEmpty()) {
                replyEnd = line;
                continue;
            }
            if (replyIndent >= 0) {
                questionOpen = replyEnd.endsWith("?");
                replyIndent = -1;
            }
            if (user >= 0 && user < 8) {
                String u = line.substring(user + 7).strip();
                questionAnswered = questionOpen && !u.isEmpty() && !THANKS.matcher(u).find();
                questionOpen = false;
                if (!u.isEmpty() && !users.contains(u)) {
                    users.add(u);
                }
            } else if (line.startsWith("ERROR") && !errors.contains(line)) {
                errors.add(line);
            }
        }
        double slowest = 0;
        String slowestModel = null;
        boolean answered = false;
        boolean cutOff = false;
        List<ErrorCause.Failure> failures = new ArrayList<>();
        java.util.Set<String> parents = new java.util.HashSet<>();
        for (TraceEvent e : trace.events()) {
            String parent = e.properties().path("$ai_parent_id").asText("");
            if (!parent.isEmpty()) {
                parents.add(parent);
            }
        }
        for (TraceEvent e : trace.events()) {
            JsonNode p = e.properties();
            ErrorCause.Failure failure = failure(e, parents);
            if (failure != null) {
                failures.add(failure);
            }
            cutOff |= e.event().equals("$ai_generation") && TOKEN_LIMIT_STOPS.contains(p.path("$ai_stop_reason").asText("").toLowerCase(Locale.ROOT));
            double latency = p.path("$ai_latency").asDouble(0);
            if (e.event().equals("$ai_generation") && latency > slowest) {
                slowest = latency;
                slowestModel = p.path("$ai_model").asText(null);
            }
            if (e.event().equals("$ai_generation")) {
                if (e.flaggedError()) {
                    answered = false;
                } else if (e.hasOutput()) {
                    answered = true;
                }
            }
        }
        boolean recovered = trace.recoveredFromFailure();
        List<String> frustration = matching(users, FRUSTRATION);
        List<String> feedback = new ArrayList<>();
        for (TraceEvent a : trace.annotations()) {
            JsonNode p = a.properties();
            if (p.hasNonNull("$ai_feedback_text")) {
                feedback.add(p.get("$ai_feedback_text").asText());
            }
            if (a.event().equals("$ai_metric") && p.path("$ai_metric_value").isNumber() && p.get("$ai_metric_value").asDouble() <= 0) {
                feedback.add(p.path("$ai_metric_name").asText("metric") + " = " + p.get("$ai_metric_value").asText());
            }
        }
        boolean thanked = users.stream().anyMatch(u -> THANKS.matcher(u).find());
        Double latency = trace.aggregates().latencySeconds();
        return new TraceSignals(users, errors, recovered, answered, latency == null ? 0 : latency, slowest, slowestModel,
                trace.aggregates().costUsd(), trace.aggregates().inputTokens() + trace.aggregates().outputTokens(),
                frustration, sentences(users, REQUEST), feedback, thanked, failures, cutOff, declined, toolCalls, clarified);
    }

    /**
     * The event's failure as {@link ErrorCause} reads it, or null when it did not fail. A span that other events name as
     * their parent is a wrapper (a chain, an agent, a graph node), not a tool: its error repeats what failed beneath it.
     */
    private static ErrorCause.Failure failure(TraceEvent e, java.util.Set<String> parents) {
        JsonNode p = e.properties();
        JsonNode error = p.get("$ai_error");
        boolean hasError = error != null && !error.isNull() && !(error.isBoolean() && !error.booleanValue())
                && !(error.isTextual() && error.asText().isBlank()) && !(error.isContainerNode() && error.isEmpty());
        double httpStatus = p.path("$ai_http_status").asDouble(0);
        Integer status = httpStatus >= 400 && httpStatus < 600 ? (int) httpStatus : null;
        if (!e.failed()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        if (hasError) {
            text.append(error.isTextual() ? error.asText() : error.toString());
        }
        JsonNode stack = p.get("$ai_error_stack");
        if (stack != null && stack.isTextual() && !stack.asText().isBlank()) {
            text.append('\n').append(stack.asText(), 0, Math.min(stack.asText().length(), 4000));
        }
        if (text.isEmpty() && status != null) {
            text.append("HTTP ").append(status);
        }
        String kind = e.event().startsWith("$ai_") ? e.event().substring(4) : e.event();
        String spanId = p.path("$ai_span_id").asText("");
        if (kind.equals("span") && !spanId.isEmpty() && parents.contains(spanId)) {
            kind = "chain";
        }
        return new ErrorCause.Failure(kind, p.path("$ai_span_name").asText(null), p.path("$ai_model").asText(null),
                p.path("$ai_provider").asText(null), status, text.toString());
    }

    private static List<String> matching(List<String> texts, Pattern p) {
        List<String> out = new ArrayList<>();
        for (String t : texts) {
            if (p.matcher(t).find()) {
                out.add(t);
            }
        }
        return out;
    }

    /** The sentence around each match: the request in the user's own words. */
    private static List<String> sentences(List<String> texts, Pattern p) {
        List<String> out = new ArrayList<>();
        for (String t : texts) {
            Matcher m = p.matcher(t);
            if (m.find()) {
                int start = Math.max(Math.max(t.lastIndexOf(". ", m.start()), t.lastIndexOf("? ", m.start())),
                        Math.max(t.lastIndexOf("! ", m.start()), t.lastIndexOf(" - ", m.start())));
                int end = t.length();
                for (String stop : new String[]{". ", "? ", "! "}) {
                    int i = t.indexOf(stop, m.end());
                    if (i >= 0 && i < end) {
                        end = i + 1;
                    }
                }
                out.add(t.substring(start < 0 ? 0 : start + 2, end).strip());
            }
        }
        return out;
    }

    boolean slow() {
        return latencySeconds >= 30 || slowestCallSeconds >= 20;
    }

    boolean expensive() {
        return costUsd >= 0.5 || tokens >= 100_000;
    }

    boolean frustrated() {
        return !frustration.isEmpty() || !feedback.isEmpty();
    }

    String lowerText() {
        return String.join("\n", userTexts).toLowerCase(Locale.ROOT);
    }
}
