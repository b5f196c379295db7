package dev.prism.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * Retries a write that must not be lost to a short PostgreSQL outage, such as the result of an LLM call already paid
 * for: while it fails because the store is unavailable it runs again, backing off from a quarter of a second to five,
 * until it succeeds, fails for another reason, or the time allowed has passed.
 */
public final class StoreRetry {

    static final long FIRST_DELAY_MILLIS = 250;
    static final long MAX_DELAY_MILLIS = 5_000;

    private StoreRetry() {
    }

    public static <T> Future<T> whileUnavailable(Vertx vertx, Supplier<Future<T>> attempt, long forMillis) {
        Promise<T> done = Promise.promise();
        run(vertx, attempt, System.nanoTime() + forMillis * 1_000_000, FIRST_DELAY_MILLIS, done);
        return done.future();
    }

    private static <T> void run(Vertx vertx, Supplier<Future<T>> attempt, long deadline, long delay, Promise<T> done) {
        attempt.get().onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else if (!StoreErrors.unavailable(ar.cause()) || System.nanoTime() + delay * 1_000_000 > deadline) {
                done.fail(ar.cause());
            } else {
                vertx.setTimer(delay, id -> run(vertx, attempt, deadline, Math.min(delay * 2, MAX_DELAY_MILLIS), done));
            }
        });
    }
}
