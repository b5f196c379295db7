package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.common.ModelAnswer;
import dev.prism.llm.OfflineAnalyzer.Analysis;

/**
 * Reads a model's answer against the contract of DESIGN.md §3: one JSON object with {@code theme_relevant} (boolean),
 * {@code title} and {@code summary} (strings; may be empty when not relevant), more fields allowed. Tolerates what
 * models wrap around JSON (code fences, a sentence before it); anything else is a {@link ModelAnswer.Invalid} with the reason, which
 * the caller uses for its one repair attempt. Pure.
 */
public final class AnswerParser {

    private static final String[] SEVERITIES = {"low", "medium", "high"};

    private AnswerParser() {
    }

    public static Analysis parse(String reply) throws ModelAnswer.Invalid {
        ObjectNode o = ModelAnswer.jsonObject(reply);
        JsonNode relevant = o.get("theme_relevant");
        boolean isRelevant;
        if (relevant != null && relevant.isBoolean()) {
            isRelevant = relevant.asBoolean();
        } else if (relevant != null && relevant.isTextual() && (relevant.asText().equalsIgnoreCase("true") || relevant.asText().equalsIgnoreCase("false"))) {
            isRelevant = Boolean.parseBoolean(relevant.asText().toLowerCase());
        } else {
            throw new ModelAnswer.Invalid("\"theme_relevant\" must be true or false");
        }
        String title = text(o, "title", isRelevant);
        String summary = text(o, "summary", isRelevant);
        String severity = "low";
        if (o.path("severity").isTextual()) {
            for (String s : SEVERITIES) {
                if (s.equalsIgnoreCase(o.get("severity").asText())) {
                    severity = s;
                }
            }
        }
        return new Analysis(isRelevant, isRelevant ? title : "", isRelevant ? summary : "", severity);
    }

    private static String text(ObjectNode o, String field, boolean required) throws ModelAnswer.Invalid {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ModelAnswer.Invalid("\"" + field + "\" is missing");
            }
            return "";
        }
        if (!v.isTextual()) {
            throw new ModelAnswer.Invalid("\"" + field + "\" must be a string");
        }
        if (required && v.asText().isBlank()) {
            throw new ModelAnswer.Invalid("\"" + field + "\" is empty although theme_relevant is true");
        }
        String s = v.asText().strip();
        return s.length() > 2_000 ? s.substring(0, 2_000) : s;
    }

    /** The follow-up message of the single repair attempt. */
    public static String repairPrompt(String reason) {
        return "Your previous reply could not be used: " + reason + ". Reply again with one JSON object and nothing else: "
                + "{\"theme_relevant\": true or false, \"title\": \"...\", \"summary\": \"...\"}";
    }
}
