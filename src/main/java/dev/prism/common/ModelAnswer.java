package dev.prism.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON object a model was asked to answer with, found in what it actually sent: models wrap JSON in code fences or
 * put a sentence before it, so the object is read from the first {@code {} to the last {@code }}. Every prompt that
 * asks for JSON (analyses, cluster names) reads its answer through here, and a reader that finds the object unusable
 * throws {@link Invalid} with a reason fit to show the model in its one repair attempt. Pure.
 */
public final class ModelAnswer {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    /** The reply could not be read; {@code reason} is fit to show the model in a repair prompt. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private ModelAnswer() {
    }

    public static ObjectNode jsonObject(String reply) throws Invalid {
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
        return o;
    }
}
