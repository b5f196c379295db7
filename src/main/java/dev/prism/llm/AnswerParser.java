package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.llm.OfflineAnalyzer.Analysis;

/**
 * Reads a model's answer against the contract of DESIGN.md §3: one JSON object with {@code theme_relevant} (boolean),
 * {@code title} and {@code summary} (strings; may be empty when not relevant), more fields allowed. Tolerates what
 * models wrap around JSON (code fences, a sentence before it); anything else is a {@link Invalid} with the reason, which
 * the caller uses for its one repair attempt. Pure.
 */
public final class AnswerParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] SEVERITIES = {"low", "medium", "high"};

    /** The reply could not be read as the contract; {@code reason} is fit to show the model in a repair prompt. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private AnswerParser() {
    }

    public static Analysis parse(String reply) throws Invalid {
        if (reply == null || reply.isBlank()) {
            throw new Invalid("the reply is empty");
        }
        int start = reply.indexOf('{');
        int end = reply.lastIndexOf('}');
        if (start < 0 || end <= start) {
            throw new Invalid("no JSON object in the reply");
        }
        JsonNode json;
        try {
            json = MAPPER.readTree(reply.substring(start, end + 1));
        } catch (Exception e) {
            throw new Invalid("the JSON object does not parse: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(json instanceof ObjectNode o)) {
            throw new Invalid("expected a JSON object");
        }
        JsonNode relevant = o.get("theme_relevant");
        boolean isRelevant;
        if (relevant != null && relevant.isBoolean()) {
            isRelevant = relevant.asBoolean();
        } else if (relevant != null && relevant.isTextual() && (relevant.asText().equalsIgnoreCase("true") || relevant.asText().equalsIgnoreCase("false"))) {
            isRelevant = Boolean.parseBoolean(relevant.asText().toLowerCase());
        } else {
            throw new Invalid("\"theme_relevant\" must be true or false");
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

    private static String text(ObjectNode o, String field, boolean required) throws Invalid {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new Invalid("\"" + field + "\" is missing");
            }
            return "";
        }
        if (!v.isTextual()) {
            throw new Invalid("\"" + field + "\" must be a string");
        }
        if (required && v.asText().isBlank()) {
            throw new Invalid("\"" + field + "\" is empty although theme_relevant is true");
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
