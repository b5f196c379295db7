package dev.prism.web;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Trace text with the in-process cache")
class LocalCacheTraceTextTest extends TraceTextContract {

    @Override
    Map<String, String> cacheSettings() {
        return Map.of();
    }
}
