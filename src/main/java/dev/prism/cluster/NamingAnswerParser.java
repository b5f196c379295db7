package dev.prism.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.common.ModelAnswer;

/**
 * Reads the model's answer to a {@link ContrastivePrompt}: one JSON object with {@code title} (required) and
 * {@code description}. Tolerates what models wrap around JSON (a ```json fence, a sentence before it); the title is
 * flattened to one line, stripped of quotes and a final period, and cut to {@value ClusterNamer#MAX_TITLE_WORDS} words,
 * since a longer one would not fit the dashboard. Pure.
 */
public final class NamingAnswerParser {

    private static final int MAX_DESCRIPTION_CHARS = 1_000;

    public record Naming(String title, String description) {
    }

    private NamingAnswerParser() {
    }

    public static Naming parse(String reply) throws ModelAnswer.Invalid {
        ObjectNode json = ModelAnswer.jsonObject(reply);
        JsonNode title = json.get("title");
        if (title == null || !title.isTextual() || title.asText().isBlank()) {
            throw new ModelAnswer.Invalid("\"title\" must be a non-empty string");
        }
        JsonNode description = json.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            throw new ModelAnswer.Invalid("\"description\" must be a string");
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
