package dev.prism.llm;

import io.vertx.core.Future;

import java.util.List;

/**
 * Counters every instance sharing the deployment adds to atomically: a provider's requests and tokens of the current
 * minute, a project's spend of the current UTC day. {@link #tryAdd} checks every counter against its limit and adds
 * to all of them, or to none, in one atomic step, so instances racing for the last of a limit never pass it together.
 * Redis when configured ({@link RedisCounters}), else PostgreSQL ({@link PgCounters}).
 */
interface SharedCounters {

    /** One counter to add to: its key, the amount, and the limit its total must stay within. */
    record Add(String key, long amount, long limit) {
    }

    /**
     * @param ttlSeconds how long the counters live after their window (they are never read after it)
     * @return true when every total stayed within its limit and all were added to; false when none was
     */
    Future<Boolean> tryAdd(List<Add> adds, long ttlSeconds);

    /** Adds without a limit (a correction of an estimate, negative for a refund). */
    Future<Void> add(String key, long amount, long ttlSeconds);

    /** Raises the counter to at least {@code floor} (what the database says was already spent). */
    Future<Void> atLeast(String key, long floor, long ttlSeconds);

    /** The counter's total, 0 when absent. */
    Future<Long> get(String key);

    Future<Void> close();
}
