package dev.prism.embed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Closing the model while workers still embed waits for them instead of freeing the native session under them (that
 * crashed the test JVM with a SIGSEGV in libonnxruntime); an embed after close fails with a clear error.
 */
@DisplayName("Closing the local embedding model")
class OnnxMiniLmCloseTest {

    @Test
    @DisplayName("close waits for the runs under way; every run either completes whole or is refused, the JVM survives")
    void closeUnderLoad() throws Exception {
        OnnxMiniLm model = OnnxMiniLm.load(1);
        List<String> texts = Collections.nCopies(16, "The payment provider timed out while the customer was checking out.");
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch running = new CountDownLatch(3);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread worker = new Thread(() -> {
                running.countDown();
                for (int i = 0; i < 50; i++) {
                    try {
                        assertThat(model.embed(texts)).hasSize(texts.size()).allSatisfy(v -> assertThat(v).hasSize(OnnxMiniLm.DIMENSIONS));
                        completed.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        refused.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        unexpected.add(e);
                        return;
                    }
                }
            });
            worker.start();
            threads.add(worker);
        }
        running.await();
        model.close();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(unexpected).isEmpty();
        assertThat(completed.get() + refused.get()).isPositive();
        assertThatThrownBy(() -> model.embed(List.of("after close"))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        model.close(); // twice is harmless
    }
}
