package dev.prism.cluster;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs numbered chunks of work on the calling thread plus up to {@code helpers} tasks on an executor.
 *
 * <p>Chunk boundaries are chosen by the caller, never from the thread count, and every chunk writes only its own slots,
 * so results are identical whatever the parallelism. The calling thread works through the chunks itself and helpers
 * merely take chunks while any are left: if the executor is saturated (for example a worker pool whose threads are all
 * busy, including the caller's), the work still completes on the caller instead of deadlocking.
 */
public final class Parallel {

    private static final Parallel SEQUENTIAL = new Parallel(Runnable::run, 0);

    private final Executor executor;
    private final int helpers;

    private Parallel(Executor executor, int helpers) {
        this.executor = executor;
        this.helpers = helpers;
    }

    /** Everything on the calling thread. */
    public static Parallel sequential() {
        return SEQUENTIAL;
    }

    /** The caller plus {@code threads - 1} helper tasks on {@code executor}. */
    public static Parallel of(Executor executor, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return threads == 1 ? SEQUENTIAL : new Parallel(executor, threads - 1);
    }

    /** The common fork-join pool with one thread per core. */
    public static Parallel commonPool() {
        return of(ForkJoinPool.commonPool(), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public int threads() {
        return helpers + 1;
    }

    /** Runs {@code body} once for every chunk index in {@code [0, chunks)} and returns when all have finished. */
    public void forEach(int chunks, IntConsumer body) {
        if (chunks <= 0) {
            return;
        }
        if (helpers == 0 || chunks == 1) {
            for (int c = 0; c < chunks; c++) {
                body.accept(c);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(chunks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    if (failure.get() == null) {
                        body.accept(c);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int h = 0, n = Math.min(helpers, chunks - 1); h < n; h++) {
            executor.execute(worker);
        }
        worker.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for parallel work", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }
}
