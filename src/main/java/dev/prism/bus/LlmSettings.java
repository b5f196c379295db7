package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * A project's LLM choice and budget. {@link Get} and {@link Update} reply {@link Status}; an invalid update fails with
 * 400 naming the field.
 */
public sealed interface LlmSettings {

    String projectId();

    record Get(String projectId) implements LlmSettings {
    }

    /** Replaces the project's provider, model and daily budget with the body's (an absent field clears it). */
    record Update(String projectId, JsonNode body) implements LlmSettings {
    }

    /**
     * @param provider       what the project's analyses use (its own choice, else the server's)
     * @param dailyBudgetUsd null: no budget
     * @param paused         today's spend reached the budget: analyses wait in the queue until {@code resumesAt}
     * @param providers      providers the server can reach (a key, or a base URL for OpenAI-compatible servers)
     */
    record Status(String provider, String model, boolean providerOwn, Double dailyBudgetUsd, boolean budgetOwn, double spentTodayUsd,
                  boolean paused, Instant resumesAt, List<String> providers, List<ThemeSpend> themes) {
    }

    /** One theme's finished analyses: all of them, and today's cost. */
    record ThemeSpend(String themeId, long analyses, long relevant, long inputTokens, long outputTokens, double costUsd, double costTodayUsd) {
    }
}
