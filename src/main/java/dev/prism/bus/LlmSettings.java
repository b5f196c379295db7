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

    /** Analyses run. */
    String ACTIVE = "active";
    /** Today's spend reached the budget: analyses wait in the queue until midnight UTC. */
    String PAUSED_BUDGET = "paused_budget_reached";
    /** The model has no known price: paid analyses wait in the queue until one is configured ({@code llm.prices}) or the model changes. */
    String PAUSED_PRICE = "paused_price_unknown";

    /**
     * @param provider         what the project's analyses use (its own choice, else the server's)
     * @param dailyBudgetUsd   null: no budget
     * @param spentTodayUsd    analyses and other calls (cluster names) since midnight UTC
     * @param paused           today's spend reached the budget: analyses wait in the queue until {@code resumesAt}
     * @param providers        providers the server can reach (a key, or a base URL for OpenAI-compatible servers)
     * @param state            {@link #ACTIVE}, {@link #PAUSED_BUDGET} or {@link #PAUSED_PRICE}
     * @param reason           why the project is paused, for people; null when active
     * @param price            the price of {@code model}, null when unknown (and the provider is not offline: then nothing paid runs)
     * @param otherSpendTodayUsd the part of {@code spentTodayUsd} that is not analyses (cluster names)
     */
    record Status(String provider, String model, boolean providerOwn, Double dailyBudgetUsd, boolean budgetOwn, double spentTodayUsd,
                  boolean paused, Instant resumesAt, List<String> providers, List<ThemeSpend> themes, String state, String reason,
                  dev.prism.pricing.Pricing.Price price, double otherSpendTodayUsd) {
    }

    /**
     * One theme: its finished analyses (all of them, and today's cost), the provider and model its analyses use, its own
     * daily budget, and whether they run ({@code state} as in {@link Status}, with the reason when paused).
     */
    record ThemeSpend(String themeId, long analyses, long relevant, long inputTokens, long outputTokens, double costUsd, double costTodayUsd,
                      String provider, String model, String state, String reason, Double dailyBudgetUsd) {
        public ThemeSpend(String themeId, long analyses, long relevant, long inputTokens, long outputTokens, double costUsd, double costTodayUsd) {
            this(themeId, analyses, relevant, inputTokens, outputTokens, costUsd, costTodayUsd, null, null, ACTIVE, null, null);
        }

        public ThemeSpend with(String provider, String model, String state, String reason) {
            return new ThemeSpend(themeId, analyses, relevant, inputTokens, outputTokens, costUsd, costTodayUsd, provider, model, state, reason,
                    dailyBudgetUsd);
        }

        /** @param dailyBudgetUsd the theme's own budget (its analyses' spend today is {@code costTodayUsd}); null for none */
        public ThemeSpend withBudget(Double dailyBudgetUsd) {
            return new ThemeSpend(themeId, analyses, relevant, inputTokens, outputTokens, costUsd, costTodayUsd, provider, model, state, reason,
                    dailyBudgetUsd);
        }
    }
}
