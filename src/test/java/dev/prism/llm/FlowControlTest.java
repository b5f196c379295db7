package dev.prism.llm;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.prism.llm.FlowControl.GO;
import static org.assertj.core.api.Assertions.assertThat;

class FlowControlTest {

    private final AtomicLong now = new AtomicLong(1_000_000);

    private FlowControl control(int concurrent, int rpm, long tpm) {
        return new FlowControl(new FlowControl.Limits(concurrent, rpm, tpm, 3, 5_000), now::get);
    }

    @Test
    @DisplayName("never more calls in flight than allowed; a release frees a slot")
    void concurrency() {
        FlowControl f = control(2, 1_000, 1_000_000);
        assertThat(f.tryAcquire(10)).isEqualTo(GO);
        assertThat(f.tryAcquire(10)).isEqualTo(GO);
        assertThat(f.tryAcquire(10)).isPositive();
        f.release(10, 10, true, -1);
        assertThat(f.tryAcquire(10)).isEqualTo(GO);
        assertThat(f.inFlight()).isEqualTo(2);
    }

    @Test
    @DisplayName("requests per minute: over any simulated minute no more than the budget plus the burst start")
    void requestsPerMinute() {
        FlowControl f = control(1_000, 60, 10_000_000);
        int started = 0;
        for (long t = 0; t < 120_000; t += 50) { // two minutes, asking every 50 ms
            now.set(1_000_000 + t);
            while (f.tryAcquire(1) == GO) {
                started++;
                f.release(1, 1, true, -1);
            }
        }
        assertThat(started).isBetween(60 + 115, 60 + 121); // one full bucket, then one per second
    }

    @Test
    @DisplayName("tokens per minute: a call waits until its estimated tokens fit; actual usage corrects the bucket")
    void tokensPerMinute() {
        FlowControl f = control(10, 1_000, 6_000);
        assertThat(f.tryAcquire(5_000)).isEqualTo(GO);
        long wait = f.tryAcquire(5_000);
        assertThat(wait).isBetween(39_000L, 41_000L); // 4,000 missing at 100 tokens/s
        f.release(5_000, 6_000, true, -1); // used more than estimated: the bucket goes further down
        now.addAndGet(wait);
        assertThat(f.tryAcquire(5_000)).isPositive();
        now.addAndGet(10_000);
        assertThat(f.tryAcquire(5_000)).isEqualTo(GO);
    }

    @Test
    @DisplayName("Retry-After pauses every call for that long")
    void retryAfter() {
        FlowControl f = control(10, 1_000, 1_000_000);
        assertThat(f.tryAcquire(1)).isEqualTo(GO);
        f.release(1, 0, false, 2_000);
        assertThat(f.tryAcquire(1)).isEqualTo(2_000);
        now.addAndGet(2_000);
        assertThat(f.tryAcquire(1)).isEqualTo(GO);
    }

    @Test
    @DisplayName("the breaker opens after repeated failures, lets one probe through after the cool-down, and closes on its success")
    void breaker() {
        FlowControl f = control(10, 1_000, 1_000_000);
        for (int i = 0; i < 3; i++) {
            assertThat(f.tryAcquire(1)).isEqualTo(GO);
            f.release(1, 0, false, -1);
        }
        assertThat(f.circuitOpen()).isTrue();
        assertThat(f.tryAcquire(1)).isEqualTo(5_000);
        now.addAndGet(5_000);
        assertThat(f.tryAcquire(1)).isEqualTo(GO); // the probe
        assertThat(f.tryAcquire(1)).isPositive();  // nothing else while it runs
        f.release(1, 0, false, -1);                // probe failed: open again
        assertThat(f.circuitOpen()).isTrue();
        now.addAndGet(5_000);
        assertThat(f.tryAcquire(1)).isEqualTo(GO);
        f.release(1, 1, true, -1);                 // probe succeeded: closed
        assertThat(f.circuitOpen()).isFalse();
        assertThat(f.tryAcquire(1)).isEqualTo(GO);
        assertThat(f.tryAcquire(1)).isEqualTo(GO);
    }
}
