package dev.prism.eval;

import java.util.List;

/**
 * A trace as the application lived it, before an SDK shaped it into PostHog events: the system prompt and the steps
 * (model calls with the history they were sent, tool runs). {@link ProviderShape} turns one script into the events of
 * a given SDK, so the same conversation can be rendered by every shape the formatter knows.
 */
record Script(String system, List<Step> steps) {

    sealed interface Message permits UserText, AssistantText, ToolCall, ToolResult {
    }

    record UserText(String text) implements Message {
    }

    record AssistantText(String text) implements Message {
    }

    /** {@code arguments} is the raw text the model produced, which need not be valid JSON. */
    record ToolCall(String id, String name, String arguments) implements Message {
    }

    record ToolResult(String id, String name, String content) implements Message {
    }

    sealed interface Step permits ModelCall, ToolRun {
        double latency();
    }

    /** One call to the model; {@code output} is null when the call failed with {@code error}. */
    record ModelCall(List<Message> input, Message output, double latency, long inputTokens, long outputTokens,
                     double costUsd, Integer httpStatus, String error) implements Step {
        boolean failed() {
            return error != null;
        }
    }

    /** The app running a tool or parsing the model's output; {@code error} is null when it worked. */
    record ToolRun(String name, String input, String output, double latency, String error) implements Step {
    }
}
