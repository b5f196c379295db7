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
    TOKENS("trace.tokens", "(t.input_tokens + t.output_tokens)");

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
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
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
        };
    }

    static String keys() {
        return String.join(", ", Arrays.stream(values()).map(TraceKey::key).toList());
    }
}
