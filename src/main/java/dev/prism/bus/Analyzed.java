package dev.prism.bus;

/** One analysis result, stored or not ({@code POST …/test} answers with these without storing them). */
public record Analyzed(String traceId, int traceVersion, boolean themeRelevant, String title, String summary, String severity,
                       String provider, String model, long inputTokens, long outputTokens, double costUsd, long latencyMillis) {
}
