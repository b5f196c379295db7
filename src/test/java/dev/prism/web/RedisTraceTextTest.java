package dev.prism.web;

import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Trace text with the machine's Redis")
class RedisTraceTextTest extends TraceTextContract {

    static final String REDIS = System.getProperty("prism.test.redis", "redis://127.0.0.1:6379");

    @Override
    Map<String, String> cacheSettings() {
        return Map.of("redis.url", REDIS);
    }

    @Test
    @DisplayName("rendered texts live in Redis under prism:text: keys that expire within 24 hours")
    void storedInRedisWithTtl(Vertx vertx) throws Exception {
        var f = ingestAndComplete("s07");
        text(f.traceId(), "");
        Redis client = Redis.createClient(vertx, REDIS);
        try {
            RedisAPI redis = RedisAPI.api(client);
            Response keys = TestServer.await(redis.keys("prism:text:default/" + f.traceId().length() + ":" + f.traceId() + "/*"));
            List<String> found = new ArrayList<>();
            keys.forEach(k -> found.add(k.toString()));
            assertThat(found).isNotEmpty();
            long ttl = TestServer.await(redis.ttl(found.get(0))).toLong();
            assertThat(ttl).isBetween(1L, 24L * 3600);
        } finally {
            client.close();
        }
    }
}
