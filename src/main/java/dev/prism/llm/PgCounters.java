package dev.prism.llm;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link SharedCounters} in PostgreSQL ({@code shared_counters}, V27), for deployments without Redis: a check-and-add
 * creates the missing rows, then locks all of them ({@code FOR UPDATE}, in key order so two callers never wait on each
 * other crosswise) before reading and adding, in one transaction. Expired rows are deleted now and then.
 */
final class PgCounters implements SharedCounters {

    private static final long PURGE_EVERY_MILLIS = 60_000;

    private final Pool pool;
    private long lastPurge;

    PgCounters(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<Boolean> tryAdd(List<Add> adds, long ttlSeconds) {
        String[] keys = adds.stream().map(Add::key).sorted().toArray(String[]::new);
        Future<Boolean> done = pool.withTransaction(conn -> conn.preparedQuery("""
                        INSERT INTO shared_counters (key, value, expires_at)
                        SELECT k, 0, now() + make_interval(secs => $2) FROM unnest($1::text[]) AS k ORDER BY k
                        ON CONFLICT (key) DO NOTHING""").execute(Tuple.of(keys, (double) ttlSeconds))
                .compose(v -> conn.preparedQuery("SELECT key, value FROM shared_counters WHERE key = ANY($1) ORDER BY key FOR UPDATE")
                        .execute(Tuple.of((Object) keys)))
                .compose(rows -> {
                    Map<String, Long> totals = new HashMap<>();
                    for (Row r : rows) {
                        totals.put(r.getString(0), r.getLong(1));
                    }
                    for (Add a : adds) {
                        if (totals.getOrDefault(a.key(), 0L) + a.amount() > a.limit()) {
                            return Future.succeededFuture(false);
                        }
                    }
                    List<Tuple> batch = adds.stream().map(a -> Tuple.of(a.key(), a.amount(), (double) ttlSeconds)).toList();
                    return conn.preparedQuery("""
                                    UPDATE shared_counters SET value = value + $2, expires_at = now() + make_interval(secs => $3) WHERE key = $1""")
                            .executeBatch(batch).map(true);
                }));
        return done.onSuccess(ok -> purge());
    }

    @Override
    public Future<Void> add(String key, long amount, long ttlSeconds) {
        return pool.preparedQuery("""
                        INSERT INTO shared_counters (key, value, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
                        ON CONFLICT (key) DO UPDATE SET value = shared_counters.value + EXCLUDED.value, expires_at = EXCLUDED.expires_at""")
                .execute(Tuple.of(key, amount, (double) ttlSeconds)).mapEmpty();
    }

    @Override
    public Future<Void> atLeast(String key, long floor, long ttlSeconds) {
        return pool.preparedQuery("""
                        INSERT INTO shared_counters (key, value, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
                        ON CONFLICT (key) DO UPDATE SET value = greatest(shared_counters.value, EXCLUDED.value), expires_at = EXCLUDED.expires_at""")
                .execute(Tuple.of(key, floor, (double) ttlSeconds)).mapEmpty();
    }

    @Override
    public Future<Long> get(String key) {
        return pool.preparedQuery("SELECT value FROM shared_counters WHERE key = $1").execute(Tuple.of(key))
                .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
    }

    private void purge() {
        long now = System.currentTimeMillis();
        if (now - lastPurge >= PURGE_EVERY_MILLIS) {
            lastPurge = now;
            pool.query("DELETE FROM shared_counters WHERE expires_at < now()").execute();
        }
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
