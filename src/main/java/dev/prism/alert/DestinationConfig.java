package dev.prism.alert;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/** Reading a rule's destination object: the checks every destination makes the same way, with 400-worthy messages. */
final class DestinationConfig {

    private static final int SHORT_TEXT = 200;

    private DestinationConfig() {
    }

    /** The non-blank string at {@code field}, or null. */
    static String string(JsonObject config, String field) {
        return config.getValue(field) instanceof String s && !s.isBlank() ? s.strip() : null;
    }

    /**
     * What is wrong with the URL at {@code field}: missing, not absolute http(s), or an address the policy refuses
     * without resolving (an IP literal). The message names the field, never the URL (it may hold a token).
     */
    static String urlProblem(JsonObject config, String field, AddressPolicy policy) {
        String value = string(config, field);
        if (value == null) {
            return field + ": required";
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return field + ": not a valid URL";
        }
        Optional<String> refused = policy.checkWithoutResolving(uri);
        return refused.map(r -> field + ": " + r).orElse(null);
    }

    /** The start of a reply body for a log line: one line, at most {@value #SHORT_TEXT} characters. */
    static String shortText(String body) {
        if (body == null) {
            return "";
        }
        String line = body.replaceAll("\\s+", " ").strip();
        return line.length() > SHORT_TEXT ? line.substring(0, SHORT_TEXT) + "…" : line;
    }
}
