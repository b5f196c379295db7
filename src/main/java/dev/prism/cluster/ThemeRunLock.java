package dev.prism.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * One re-clustering of a theme at a time across every instance sharing the database: a run computes inside a
 * transaction that holds {@code pg_try_advisory_xact_lock} on the theme, so another instance asking meanwhile is told
 * so and skips (automatic runs) or waits for the lock (runs asked through the API). The lock ends with the transaction,
 * and a transaction ends with its connection: a crashed or partitioned holder releases it, and a pooled connection is
 * never handed back still holding it (a session lock would be). The transaction takes no snapshot after its first
 * statement and writes nothing, so holding it open while the run computes keeps back no vacuum.
 *
 * <p>The single 64-bit key space of this lock is apart from the two 32-bit keys of {@link ClusterRepository}'s write
 * lock, so the holder's own store transaction is not blocked by it.
 */
final class ThemeRunLock {

    private static final String TRY = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))";

    private final Vertx vertx;
    private final Pool pool;

    ThemeRunLock(Vertx vertx, Pool pool) {
        this.vertx = vertx;
        this.pool = pool;
    }

    static String key(String projectId, String themeId) {
        return "prism.recluster\n" + projectId + "\n" + themeId;
    }

    /**
     * Runs {@code work} holding the theme's run lock.
     *
     * @param waitMillis how long to keep asking while another instance holds it (0: ask once)
     * @return the work's result, or empty when another instance held the lock all that time
     */
    <T> Future<Optional<T>> run(String projectId, String themeId, long waitMillis, Supplier<Future<T>> work) {
        long deadline = System.currentTimeMillis() + waitMillis;
        Promise<Optional<T>> out = Promise.promise();
        attempt(key(projectId, themeId), deadline, work, out);
        return out.future();
    }

    private <T> void attempt(String key, long deadline, Supplier<Future<T>> work, Promise<Optional<T>> out) {
        java.util.concurrent.atomic.AtomicReference<Future<T>> done = new java.util.concurrent.atomic.AtomicReference<>();
        pool.withTransaction(conn -> conn.preparedQuery(TRY).execute(Tuple.of(key)).compose(rows -> {
            if (!Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
                return Future.succeededFuture(Optional.<T>empty());
            }
            Future<T> result = work.get();
            done.set(result);
            return result.map(Optional::of);
        })).onComplete(ar -> {
            Future<T> result = done.get();
            if (ar.failed() && result != null && result.succeeded()) {
                // The run stored its result in a transaction of its own: a lock connection lost meanwhile changes nothing.
                out.complete(Optional.of(result.result()));
            } else if (ar.succeeded() && ar.result().isEmpty() && System.currentTimeMillis() < deadline) {
                vertx.setTimer(RETRY_MILLIS, id -> attempt(key, deadline, work, out));
            } else {
                out.handle(ar);
            }
        });
    }

    /** How often a waiting run asks for the lock again. */
    static final long RETRY_MILLIS = 250;
}
