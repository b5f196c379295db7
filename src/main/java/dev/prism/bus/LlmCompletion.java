package dev.prism.bus;

/**
 * One model call that is not a trace analysis: a cluster's name. Goes to the project's provider and model under the
 * same flow control and daily budget as analyses. Replies {@link Reply}; fails with 409 {@code offline} when the
 * project analyses offline (the caller keeps its own result), 429 when the budget is spent, 502 when the call failed.
 *
 * @param shape the answer's JSON shape; {@code cluster_name} ({"title", "description"}) is the one defined
 */
public record LlmCompletion(String projectId, String system, String prompt, int maxTokens, String shape) {

    public record Reply(String text, String provider, String model, long inputTokens, long outputTokens, double costUsd) {
    }
}
