package dev.prism.llm;

import dev.prism.config.PrismConfig;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;

/**
 * The providers analyses may use, created when first needed: the configured one, and any other a project or theme
 * chooses (reached through its own {@code llm.<provider>.*} settings). Each has its own HTTP client and flow control,
 * so one provider's rate limits or open circuit never hold back another's calls. Event-loop confined.
 */
final class Providers {

    static final String OFFLINE = "offline";

    private final Vertx vertx;
    private final PrismConfig.Llm config;
    private final Map<String, ProviderAnalyzer> analyzers = new HashMap<>();
    private final Map<String, LlmProvider> clients = new HashMap<>();

    Providers(Vertx vertx, PrismConfig.Llm config) {
        this.vertx = vertx;
        this.config = config;
    }

    /** @return the analyzer for a provider; null for {@code offline} */
    ProviderAnalyzer get(String name) {
        if (OFFLINE.equals(name)) {
            return null;
        }
        return analyzers.computeIfAbsent(name, this::create);
    }

    private ProviderAnalyzer create(String name) {
        PrismConfig.ProviderAccess access = config.accessTo(name);
        long timeout = config.timeoutSeconds() * 1000L;
        String key = access.apiKey().orElse(null);
        LlmProvider client = switch (name) {
            case "openai" -> new OpenAiProvider(vertx, access.baseUrl().orElse("https://api.openai.com/v1"), key, timeout, config.maxConcurrent());
            case "anthropic" -> new AnthropicProvider(vertx, access.baseUrl().orElse("https://api.anthropic.com"), key, timeout, config.maxConcurrent());
            case "gemini" -> new GeminiProvider(vertx, access.baseUrl().orElse("https://generativelanguage.googleapis.com"), key, timeout,
                    config.maxConcurrent());
            default -> throw new IllegalArgumentException("unknown provider '" + name + "'");
        };
        clients.put(name, client);
        FlowControl flow = new FlowControl(new FlowControl.Limits(config.maxConcurrent(), config.requestsPerMinute(), config.tokensPerMinute(),
                5, 30_000), System::currentTimeMillis);
        return new ProviderAnalyzer(vertx, name, client, flow, config.pricing());
    }

    /** The model a provider uses when neither the project nor the theme names one. */
    String defaultModel(String provider) {
        if (provider.equals(config.provider()) && config.model().isPresent()) {
            return config.model().get();
        }
        return switch (provider) {
            case "openai" -> "gpt-4o-mini";
            case "anthropic" -> "claude-3-5-haiku-latest";
            case "gemini" -> "gemini-2.5-flash";
            default -> OFFLINE;
        };
    }

    /** Whether the server has a key (or, for an OpenAI-compatible server, a base URL) for the provider. */
    boolean configured(String provider) {
        PrismConfig.ProviderAccess a = config.accessTo(provider);
        return OFFLINE.equals(provider) || a.apiKey().isPresent() || (provider.equals("openai") && a.baseUrl().isPresent());
    }

    void close() {
        clients.values().forEach(LlmProvider::close);
    }
}
