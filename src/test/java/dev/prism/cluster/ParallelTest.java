package dev.prism.cluster;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {

    @Test
    @DisplayName("every chunk runs exactly once")
    void eachChunkOnce() {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(1_000);
            Parallel.of(pool, 4).forEach(1_000, runs::incrementAndGet);
            for (int i = 0; i < runs.length(); i++) {
                assertThat(runs.get(i)).as("chunk %d", i).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("work completes on the caller when the executor's only thread is busy")
    void saturatedExecutor() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int[] sum = new int[1];
            Parallel.of(pool, 2).forEach(100, c -> {
                synchronized (sum) {
                    sum[0] += c;
                }
            });
            assertThat(sum[0]).isEqualTo(4_950);
        } finally {
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @DisplayName("a failure in any chunk reaches the caller")
    void failures() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            assertThatThrownBy(() -> Parallel.of(pool, 3).forEach(50, c -> {
                if (c == 37) {
                    throw new IllegalStateException("chunk 37 broke");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 37 broke");
            assertThatThrownBy(() -> Parallel.of(pool, 0)).hasMessageContaining("threads must be at least 1");
        } finally {
            pool.shutdownNow();
        }
    }
}
