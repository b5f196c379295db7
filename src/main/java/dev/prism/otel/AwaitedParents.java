package dev.prism.otel;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;

/**
 * Parents of AI spans that were not in the AI spans' own request. An SDK's batch processor exports spans as they end,
 * children first, so the HTTP handler or agent step an LLM call ran under often comes in a later export: remembered
 * here (bounded, for a while), it is kept as structure then instead of being dropped as a span without AI attributes.
 * Shared by the OTLP instances of a server; thread-safe.
 */
final class AwaitedParents {

    static final int MAX_KEYS = 100_000;
    static final Duration WAIT = Duration.ofMinutes(10);

    private final Cache<String, Boolean> keys = Caffeine.newBuilder().maximumSize(MAX_KEYS).expireAfterWrite(WAIT).build();

    static String key(String projectId, String traceId, String spanId) {
        return projectId + '/' + traceId + '/' + spanId;
    }

    void await(String key) {
        keys.put(key, Boolean.TRUE);
    }

    /** Whether this span was awaited; it is not any more once it arrived. */
    boolean arrived(String key) {
        return keys.asMap().remove(key) != null;
    }
}
