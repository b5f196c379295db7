package dev.prism.alert;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs work for one key after the previous work for that key has finished, so two notices for the same cluster never
 * both find "no ticket yet" and create two issues. Keys without work in flight take no memory. Within one process;
 * the deterministic Linear id and the GitHub marker cover the rest.
 */
final class KeyedSequence {

    private final Map<String, Future<?>> tails = new HashMap<>();

    synchronized <T> Future<T> run(String key, Supplier<Future<T>> work) {
        Future<?> tail = tails.getOrDefault(key, Future.succeededFuture());
        Future<T> next = tail.transform(ignored -> {
            try {
                return work.get();
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        });
        tails.put(key, next);
        next.onComplete(ignored -> forget(key, next));
        return next;
    }

    private synchronized void forget(String key, Future<?> finished) {
        tails.remove(key, finished);
    }
}
