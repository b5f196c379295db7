package dev.prism.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the model's answer to a {@link ContrastivePrompt}: one JSON object with {@code title} (required) and
 * {@code description}. Tolerates what models wrap around JSON (a ```json fence, a sentence before it); the title is
 * flattened to one line, stripped of quotes and a final period, and cut to {@value ClusterNamer#MAX_TITLE_WORDS} words,
 * since a longer one would not fit the dashboard. Pure.
 */
public final class NamingAnswerParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_DESCRIPTION_CHARS = 1_000;

    public record Naming(String title, String description) {
    }

    /** The reply could not be read; {@code reason} is fit to show the model in a repair prompt. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private NamingAnswerParser() {
    }

    public static Naming parse(String reply) throws Invalid {
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
        if (!json.isObject()) {
            throw new Invalid("expected a JSON object");
        }
        JsonNode title = json.get("title");
        if (title == null || !title.isTextual() || title.asText().isBlank()) {
            throw new Invalid("\"title\" must be a non-empty string");
        }
        JsonNode description = json.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            throw new Invalid("\"description\" must be a string");
        }
        String text = description == null || description.isNull() ? "" : description.asText().replaceAll("\\s+", " ").strip();
        if (text.length() > MAX_DESCRIPTION_CHARS) {
            text = text.substring(0, MAX_DESCRIPTION_CHARS - 1) + "…";
        }
        return new Naming(cleanTitle(title.asText()), text);
    }

    static String cleanTitle(String raw) {
        String t = raw.replaceAll("\\s+", " ").strip();
        t = t.replaceAll("^[\"'“”‘’`*#]+|[\"'“”‘’`*]+$", "").strip();
        String[] words = t.split(" ");
        if (words.length > ClusterNamer.MAX_TITLE_WORDS) {
            t = String.join(" ", java.util.Arrays.copyOf(words, ClusterNamer.MAX_TITLE_WORDS));
        }
        while (t.endsWith(".") && !t.endsWith("..")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        return t.replaceAll("[,;:–—-]+$", "").strip();
    }
}
