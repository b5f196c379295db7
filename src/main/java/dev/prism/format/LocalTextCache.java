package dev.prism.format;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;

import java.time.Duration;

/** In-process cache (Caffeine), bounded by the total length of the texts it holds. */
final class LocalTextCache implements TextCache {

    private final Cache<String, String> cache;

    LocalTextCache(long maxChars, Duration ttl) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxChars)
                .weigher((String key, String text) -> key.length() + text.length())
                .expireAfterWrite(ttl)
                .build();
    }

    @Override
    public Future<String> get(String key) {
        return Future.succeededFuture(cache.getIfPresent(key));
    }

    @Override
    public Future<Void> put(String key, String text) {
        cache.put(key, text);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
        cache.invalidateAll();
        return Future.succeededFuture();
    }
}
