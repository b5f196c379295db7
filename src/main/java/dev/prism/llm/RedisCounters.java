package dev.prism.llm;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link SharedCounters} in Redis: each check-and-add is one Lua script, which Redis runs atomically, so instances
 * never interleave between reading a total and adding to it. Keys expire after their window.
 */
final class RedisCounters implements SharedCounters {

    static final String PREFIX = "prism:limit:";

    /** KEYS: the counters; ARGV: ttl, then amount and limit per key. All or nothing. */
    private static final String TRY_ADD = """
            local ttl = tonumber(ARGV[1])
            for i, key in ipairs(KEYS) do
              local total = tonumber(redis.call('GET', key) or '0')
              if total + tonumber(ARGV[2 * i]) > tonumber(ARGV[2 * i + 1]) then return 0 end
            end
            for i, key in ipairs(KEYS) do
              redis.call('INCRBY', key, ARGV[2 * i])
              redis.call('EXPIRE', key, ttl)
            end
            return 1""";

    private static final String AT_LEAST = """
            local total = tonumber(redis.call('GET', KEYS[1]) or '0')
            if total < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return 1""";

    private final Redis client;
    private final RedisAPI redis;

    RedisCounters(Vertx vertx, String url) {
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolWaiting(1024));
        this.redis = RedisAPI.api(client);
    }

    @Override
    public Future<Boolean> tryAdd(List<Add> adds, long ttlSeconds) {
        List<String> args = new ArrayList<>();
        args.add(TRY_ADD);
        args.add(Integer.toString(adds.size()));
        adds.forEach(a -> args.add(PREFIX + a.key()));
        args.add(Long.toString(ttlSeconds));
        adds.forEach(a -> {
            args.add(Long.toString(a.amount()));
            args.add(Long.toString(a.limit()));
        });
        return redis.eval(args).map(r -> r.toInteger() == 1);
    }

    @Override
    public Future<Void> add(String key, long amount, long ttlSeconds) {
        return redis.incrby(PREFIX + key, Long.toString(amount)).compose(r -> redis.expire(List.of(PREFIX + key, Long.toString(ttlSeconds))))
                .mapEmpty();
    }

    @Override
    public Future<Void> atLeast(String key, long floor, long ttlSeconds) {
        return redis.eval(List.of(AT_LEAST, "1", PREFIX + key, Long.toString(floor), Long.toString(ttlSeconds))).mapEmpty();
    }

    @Override
    public Future<Long> get(String key) {
        return redis.get(PREFIX + key).map(r -> r == null ? 0L : r.toLong());
    }

    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }
}
