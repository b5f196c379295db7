package dev.prism.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The benchmark provider's prompt cache, behaving as OpenAI documents its automatic caching: a prompt whose first 1,024
 * or more tokens equal the start of a prompt answered recently has that common part reported as
 * {@code cached_tokens}, counted in steps of 128 tokens (1,024, 1,152, 1,280, …); shorter matches count nothing.
 * A prompt enters the cache once it has been answered, so requests sent at the same moment all miss, and an entry
 * lasts {@link #TTL_MILLIS} after its last use. Tokens are estimated at four characters each, the estimate Prism uses
 * elsewhere ({@code Pricing.CHARS_PER_TOKEN}). Thread-confined: used from the fake provider's event loop.
 */
final class PromptCacheModel {

    static final int CHARS_PER_TOKEN = 4;
    static final int MIN_TOKENS = 1_024;
    static final int STEP_TOKENS = 128;
    /** OpenAI keeps a cached prefix for 5 to 10 minutes of inactivity: the lower bound. */
    static final long TTL_MILLIS = 5 * 60_000;

    private static final int KEY_CHARS = MIN_TOKENS * CHARS_PER_TOKEN;

    private record Entry(String prompt, long[] lastUsed) {
    }

    /** Cached prompts by their first 1,024 tokens: only a prompt starting the same way can share 1,024 tokens or more. */
    private final Map<String, List<Entry>> byHead = new HashMap<>();
    private long lastSweep;

    /** The tokens of {@code prompt} the cache holds, and refreshes the entry that served them. */
    long cachedTokens(String prompt, long nowMillis) {
        if (prompt.length() < KEY_CHARS) {
            return 0;
        }
        List<Entry> candidates = byHead.get(prompt.substring(0, KEY_CHARS));
        if (candidates == null) {
            return 0;
        }
        int best = 0;
        Entry served = null;
        for (Entry e : candidates) {
            if (nowMillis - e.lastUsed()[0] > TTL_MILLIS) {
                continue;
            }
            int common = commonPrefix(prompt, e.prompt());
            if (common > best) {
                best = common;
                served = e;
            }
        }
        long tokens = best / CHARS_PER_TOKEN / STEP_TOKENS * STEP_TOKENS;
        if (tokens < MIN_TOKENS) {
            return 0;
        }
        served.lastUsed()[0] = nowMillis;
        return tokens;
    }

    /** Caches an answered prompt. */
    void store(String prompt, long nowMillis) {
        if (nowMillis - lastSweep > TTL_MILLIS) {
            sweep(nowMillis);
        }
        if (prompt.length() >= KEY_CHARS) {
            byHead.computeIfAbsent(prompt.substring(0, KEY_CHARS), k -> new ArrayList<>()).add(new Entry(prompt, new long[]{nowMillis}));
        }
    }

    static long tokens(String text) {
        return (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    private void sweep(long nowMillis) {
        lastSweep = nowMillis;
        for (Iterator<List<Entry>> it = byHead.values().iterator(); it.hasNext(); ) {
            List<Entry> list = it.next();
            list.removeIf(e -> nowMillis - e.lastUsed()[0] > TTL_MILLIS);
            if (list.isEmpty()) {
                it.remove();
            }
        }
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
