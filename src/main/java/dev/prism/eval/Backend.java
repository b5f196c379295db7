package dev.prism.eval;

import java.util.List;
import java.util.Random;

/** The model providers behind the corpus's calls, with real model names and list prices (USD per million tokens). */
enum Backend {
    OPENAI("openai", "ChatOpenAI", List.of(
            new Model("gpt-4o-mini", 0.15, 0.60), new Model("gpt-4.1-mini", 0.40, 1.60),
            new Model("gpt-4o", 2.50, 10.0), new Model("gpt-4.1", 2.00, 8.00))),
    ANTHROPIC("anthropic", "ChatAnthropic", List.of(
            new Model("claude-3-5-haiku-20241022", 0.80, 4.00), new Model("claude-sonnet-4-20250514", 3.00, 15.0),
            new Model("claude-opus-4-1-20250805", 15.0, 75.0))),
    GEMINI("gemini", "ChatGoogleGenerativeAI", List.of(
            new Model("gemini-2.5-flash", 0.30, 2.50), new Model("gemini-2.0-flash", 0.10, 0.40),
            new Model("gemini-2.5-pro", 1.25, 10.0)));

    record Model(String name, double inputPerMillion, double outputPerMillion) {
        double cost(long inputTokens, long outputTokens) {
            return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
        }
    }

    final String provider;
    final String langchainClass;
    final List<Model> models;

    Backend(String provider, String langchainClass, List<Model> models) {
        this.provider = provider;
        this.langchainClass = langchainClass;
        this.models = models;
    }

    /** Mostly the cheaper models, as real apps use them; the most expensive one only when asked for. */
    Model everyday(Random random) {
        return models.get(random.nextInt(models.size() - 1));
    }

    Model priciest() {
        return models.stream().max((a, b) -> Double.compare(a.inputPerMillion(), b.inputPerMillion())).orElseThrow();
    }

    /** The backend an error message comes from; {@code any} (an SDK- or app-level message) fits every backend. */
    static Backend forProvider(String provider, Random random) {
        return switch (provider) {
            case "openai" -> OPENAI;
            case "anthropic" -> ANTHROPIC;
            case "gemini" -> GEMINI;
            case "any" -> values()[random.nextInt(values().length)];
            default -> throw new IllegalArgumentException("Unknown provider '" + provider + "' in the phrase bank");
        };
    }
}
