package dev.prism.web;

import dev.prism.web.CoalescingBuffer.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A slow WebSocket client's coalescing buffer")
class CoalescingBufferTest {

    private static List<String> drain(CoalescingBuffer buffer) {
        List<String> out = new ArrayList<>();
        for (Entry e = buffer.poll(); e != null; e = buffer.poll()) {
            out.add(e.text());
        }
        return out;
    }

    @Test
    @DisplayName("gives back messages without a key in the order they came")
    void keepsOrder() {
        CoalescingBuffer buffer = new CoalescingBuffer(10, 1_000);
        for (String s : List.of("s1", "s2", "s3")) {
            assertThat(buffer.offer(Entry.event(null, s))).isEqualTo(new CoalescingBuffer.Offer(false, 0));
        }
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(drain(buffer)).containsExactly("s1", "s2", "s3");
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.chars()).isZero();
    }

    @Test
    @DisplayName("a newer state replaces the older one with the same key and takes its place at the end")
    void coalesces() {
        CoalescingBuffer buffer = new CoalescingBuffer(10, 1_000);
        buffer.offer(Entry.event("run:1", "r1 v1"));
        buffer.offer(Entry.event(null, "s1"));
        buffer.offer(Entry.event("run:2", "r2 v1"));
        assertThat(buffer.offer(Entry.event("run:1", "r1 v2"))).isEqualTo(new CoalescingBuffer.Offer(true, 0));
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.chars()).isEqualTo("s1".length() + "r2 v1".length() + "r1 v2".length());
        // r1 v2 came after s1: sending it in r1 v1's place would put it before a message published earlier.
        assertThat(drain(buffer)).containsExactly("s1", "r2 v1", "r1 v2");
        assertThat(buffer.takeDropped()).isZero();
    }

    @Test
    @DisplayName("beyond its bound it drops the oldest summaries, keeps the latest states, and counts the loss once")
    void dropsOldestSummaries() {
        CoalescingBuffer buffer = new CoalescingBuffer(4, 1_000);
        buffer.offer(Entry.event("cluster:a", "ca"));
        buffer.offer(Entry.event(null, "s1"));
        buffer.offer(Entry.event(null, "s2"));
        buffer.offer(Entry.event("cluster:b", "cb"));
        assertThat(buffer.offer(Entry.event(null, "s3"))).isEqualTo(new CoalescingBuffer.Offer(false, 1));
        assertThat(buffer.offer(Entry.event(null, "s4"))).isEqualTo(new CoalescingBuffer.Offer(false, 1));
        assertThat(buffer.size()).isEqualTo(4);
        assertThat(buffer.takeDropped()).isEqualTo(2);
        assertThat(buffer.takeDropped()).as("reported once").isZero();
        assertThat(drain(buffer)).containsExactly("ca", "cb", "s3", "s4");
    }

    @Test
    @DisplayName("full of distinct states only, it evicts the oldest state")
    void evictsOldestStateLast() {
        CoalescingBuffer buffer = new CoalescingBuffer(2, 1_000);
        buffer.offer(Entry.event("k1", "a"));
        buffer.offer(Entry.event("k2", "b"));
        assertThat(buffer.offer(Entry.event("k3", "c")).dropped()).isEqualTo(1);
        assertThat(drain(buffer)).containsExactly("b", "c");
    }

    @Test
    @DisplayName("never drops replies to the client's requests")
    void keepsControlMessages() {
        CoalescingBuffer buffer = new CoalescingBuffer(2, 1_000);
        buffer.offer(Entry.control("subscribed"));
        buffer.offer(Entry.event(null, "s1"));
        buffer.offer(Entry.control("pong"));
        buffer.offer(Entry.event(null, "s2"));
        assertThat(buffer.takeDropped()).isEqualTo(2);
        assertThat(drain(buffer)).containsExactly("subscribed", "pong");
    }

    @Test
    @DisplayName("bounds the characters held too: one message over the bound is dropped itself")
    void boundsCharacters() {
        CoalescingBuffer buffer = new CoalescingBuffer(100, 10);
        buffer.offer(Entry.event(null, "12345"));
        buffer.offer(Entry.event(null, "6789"));
        assertThat(buffer.offer(Entry.event(null, "abcd")).dropped()).isEqualTo(1);
        assertThat(buffer.chars()).isEqualTo(8);
        assertThat(buffer.offer(Entry.event(null, "x".repeat(11))).dropped()).isEqualTo(3);
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.chars()).isZero();
    }

    @Test
    @DisplayName("under random traffic it stays within bounds, keeps publication order, and accounts for every message")
    void randomTraffic() {
        Random random = new Random(42);
        int max = 25;
        long maxChars = 600;
        CoalescingBuffer buffer = new CoalescingBuffer(max, maxChars);
        Map<String, Integer> latestPublished = new HashMap<>();
        Map<String, Integer> lastDelivered = new HashMap<>();
        long offered = 0;
        long delivered = 0;
        long coalesced = 0;
        long dropped = 0;
        int lastIndex = -1;
        for (int i = 0; i < 100_000; i++) {
            if (random.nextInt(100) < 55) {
                String key = random.nextBoolean() ? null : "k" + random.nextInt(8);
                // text: "<index>|<key>|padding", so a delivered message tells where it came from
                String text = i + "|" + key + "|" + "x".repeat(random.nextInt(40));
                CoalescingBuffer.Offer offer = buffer.offer(Entry.event(key, text));
                offered++;
                coalesced += offer.coalesced() ? 1 : 0;
                dropped += offer.dropped();
                if (key != null) {
                    latestPublished.put(key, i);
                }
            } else {
                Entry e = buffer.poll();
                if (e != null) {
                    delivered++;
                    String[] parts = e.text().split("\\|");
                    int index = Integer.parseInt(parts[0]);
                    assertThat(index).as("publication order").isGreaterThan(lastIndex);
                    lastIndex = index;
                    if (!parts[1].equals("null")) {
                        assertThat(index).as("a state is the latest one published when sent").isEqualTo(latestPublished.get(parts[1]));
                        lastDelivered.put(parts[1], index);
                    }
                }
            }
            assertThat(buffer.size()).isLessThanOrEqualTo(max);
            assertThat(buffer.chars()).isLessThanOrEqualTo(maxChars);
        }
        long held = buffer.size();
        assertThat(offered).isEqualTo(delivered + coalesced + dropped + held);
        assertThat(coalesced).isPositive();
        assertThat(dropped).isPositive();
        assertThat(buffer.takeDropped()).isEqualTo(dropped);
        long chars = 0;
        for (Entry e = buffer.poll(); e != null; e = buffer.poll()) {
            chars += e.text().length();
        }
        assertThat(buffer.chars()).isZero();
        assertThat(chars).isLessThanOrEqualTo(maxChars);
    }
}
