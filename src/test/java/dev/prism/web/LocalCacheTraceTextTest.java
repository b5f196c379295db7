package dev.prism.web;

import org.junit.jupiter.api.DisplayName;

import java.util.Map;

@DisplayName("Trace text with the in-process cache")
class LocalCacheTraceTextTest extends TraceTextContract {

    @Override
    Map<String, String> cacheSettings() {
        return Map.of();
    }
}
