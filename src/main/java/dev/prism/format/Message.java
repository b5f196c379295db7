package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One turn of a conversation in a provider-neutral form: what {@link MessageParser} makes of the many SDK shapes and
 * {@link MessageRenderer} prints.
 *
 * @param role  normalised: user, assistant, system, developer, tool, or whatever the SDK called it
 * @param name  the speaker's name (a LangGraph node, a tool), or null
 * @param parts the content, in order
 */
record Message(String role, String name, List<Part> parts) {

    /** A piece of a message's content. */
    sealed interface Part permits Text, Reasoning, Refusal, ToolCall, ToolResult, Media, Value, Note {
    }

    /** Text, possibly holding JSON (decoded when rendered). */
    record Text(String text) implements Part {
    }

    /** Model reasoning or thinking; {@code hidden} names what was withheld, e.g. {@code [signature, 256 B]}. */
    record Reasoning(String text, String hidden) implements Part {
    }

    record Refusal(String text) implements Part {
    }

    /** A call the model asked for; {@code arguments} is an object, a JSON string or raw text. */
    record ToolCall(String id, String name, JsonNode arguments) implements Part {
    }

    /** A tool's answer; {@code name} may be null and is then looked up by {@code id} among earlier calls. */
    record ToolResult(String id, String name, JsonNode content, boolean error) implements Part {
    }

    /** Binary or external content, already reduced to a placeholder such as {@code [image/png base64, 48 KB]}. */
    record Media(String placeholder) implements Part {
    }

    /** Structured content with no better reading. */
    record Value(JsonNode value) implements Part {
    }

    /** Something that happened rather than something said: a web search, code run, a size-cap notice. */
    record Note(String text) implements Part {
    }
}
