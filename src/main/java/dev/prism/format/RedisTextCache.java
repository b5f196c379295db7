package dev.prism.format;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared cache in Redis: every Prism instance reuses the others' renders. Keys expire after the TTL. Redis being
 * down degrades to rendering every time; it never fails a request.
 */
final class RedisTextCache implements TextCache {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTextCache.class);
    static final String PREFIX = "prism:text:";

    private final Redis client;
    private final RedisAPI redis;
    private final long ttlSeconds;

    RedisTextCache(Vertx vertx, String url, Duration ttl) {
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolWaiting(1024));
        this.redis = RedisAPI.api(client);
        this.ttlSeconds = ttl.toSeconds();
    }

    @Override
    public Future<String> get(String key) {
        return redis.get(PREFIX + key)
                .map(r -> r == null ? null : r.toString())
                .otherwise(e -> {
                    LOG.warn("Redis read failed, rendering instead: {}", e.getMessage());
                    return null;
                });
    }

    @Override
    public Future<Void> put(String key, String text) {
        return redis.setex(PREFIX + key, Long.toString(ttlSeconds), text)
                .<Void>mapEmpty()
                .otherwise(e -> {
                    LOG.warn("Redis write failed: {}", e.getMessage());
                    return null;
                });
    }

    /** Verifies the connection at startup so a wrong URL is reported at once. */
    Future<Void> ping() {
        return redis.ping(List.of()).mapEmpty();
    }

    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }
}
