package dev.prism.project;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down guessing: counts failed authentications per client address in fixed one-minute windows and refuses an
 * address that reached the limit until its window ends. Refused attempts are not checked at all, so a guesser learns
 * nothing while blocked, and they do not extend the block, so a client that stops is let in again within a minute.
 *
 * <p>Bounded: at most {@code maxClients} addresses are tracked (the least recently seen is forgotten first), so a
 * flood of spoofed or rotating addresses costs a fixed amount of memory. Not thread-safe: one event loop owns it.
 */
public final class AuthFailures {

    static final long WINDOW_MILLIS = 60_000;

    private final int maxFailures;
    private final Map<String, Window> windows;

    private static final class Window {
        long start;
        int failures;

        Window(long start) {
            this.start = start;
        }
    }

    /** @param maxFailures failures per window an address may make; 0 turns the limit off */
    public AuthFailures(int maxFailures, int maxClients) {
        this.maxFailures = maxFailures;
        this.windows = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Seconds the client must wait before it may try again, or 0 when it may try now. */
    public long retryAfterSeconds(String client, long nowMillis) {
        if (maxFailures == 0 || client == null) {
            return 0;
        }
        Window w = windows.get(client);
        if (w == null || w.failures < maxFailures) {
            return 0;
        }
        long left = w.start + WINDOW_MILLIS - nowMillis;
        if (left <= 0) {
            windows.remove(client);
            return 0;
        }
        return (left + 999) / 1000;
    }

    public void failed(String client, long nowMillis) {
        if (maxFailures == 0 || client == null) {
            return;
        }
        Window w = windows.get(client);
        if (w == null || nowMillis - w.start >= WINDOW_MILLIS) {
            w = new Window(nowMillis);
            windows.put(client, w);
        }
        w.failures++;
    }

    int tracked() {
        return windows.size();
    }
}
