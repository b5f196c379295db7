package dev.prism.theme;

import dev.prism.bus.TraceAggregates;

import java.util.Arrays;
import java.util.Optional;

/**
 * Trace-level filter keys ({@code "type": "trace"}): an aggregate of the whole trace, read from the {@code traces}
 * row in SQL and from {@link TraceAggregates} in memory. Both sides hold the same numbers because the row is written
 * from those aggregates.
 */
public enum TraceKey {
    LATENCY("trace.latency", "t.latency_seconds"),
    COST_USD("trace.cost_usd", "t.cost_usd"),
    ERROR_COUNT("trace.error_count", "t.error_count"),
    EVENT_COUNT("trace.event_count", "t.event_count"),
    TOKENS("trace.tokens", "(t.input_tokens + t.output_tokens)"),
    /**
     * {@code trace.relevance.<theme_id>}: the offline relevance model's score (0 to 1) of the trace version for one
     * theme, from {@code trace_relevance}. A version without a score (not scored yet, or scoring failed) reads 1, on
     * both sides, so that a filter on relevance never loses a trace it could not judge.
     */
    RELEVANCE("trace.relevance.<theme_id>", null);

    static final String RELEVANCE_PREFIX = "trace.relevance.";
    private static final java.util.regex.Pattern THEME_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String key;
    private final String column;

    TraceKey(String key, String column) {
        this.key = key;
        this.column = column;
    }

    public String key() {
        return key;
    }

    /** The SQL expression over {@code traces t}; a constant of this class, never user input. */
    String column() {
        return column;
    }

    public static Optional<TraceKey> fromKey(String key) {
        if (key != null && key.startsWith(RELEVANCE_PREFIX)) {
            return THEME_ID.matcher(key.substring(RELEVANCE_PREFIX.length())).matches() ? Optional.of(RELEVANCE) : Optional.empty();
        }
        return Arrays.stream(values()).filter(k -> k != RELEVANCE && k.key.equals(key)).findFirst();
    }

    /** The theme of a {@code trace.relevance.<theme_id>} key. */
    static String relevanceTheme(String key) {
        return key.substring(RELEVANCE_PREFIX.length());
    }

    /** A relevance score as filters read it: a missing one counts as fully relevant (see {@link #RELEVANCE}). */
    static double relevance(java.util.Map<String, Double> scores, String key) {
        Double s = scores.get(relevanceTheme(key));
        return s == null ? 1.0 : s;
    }

    /** The aggregate as a double, or null when the trace has none (latency of a trace without timestamps). */
    Double value(TraceAggregates a) {
        return switch (this) {
            case LATENCY -> a.latencySeconds();
            case COST_USD -> a.costUsd();
            case ERROR_COUNT -> (double) a.errorCount();
            case EVENT_COUNT -> (double) a.eventCount();
            // The sum is taken in long first, like bigint + bigint in SQL, then converted once.
            case TOKENS -> (double) (a.inputTokens() + a.outputTokens());
            case RELEVANCE -> throw new IllegalStateException("a relevance score is read with relevance(scores, key)");
        };
    }

    static String keys() {
        return String.join(", ", Arrays.stream(values()).map(TraceKey::key).toList());
    }
}
