package dev.prism.project;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ingestion credentials this instance checked recently: token hash → project. Entries expire after a short TTL, so a
 * key revoked through another instance stops working here within that time without any cross-instance signal.
 * Bounded in entries of fixed size (a 64-character hash and a project id), which bounds its bytes too.
 * Not thread-safe: one event loop owns it.
 */
public final class CredentialCache {

    private final long ttlMillis;
    private final Map<String, Entry> entries;

    private record Entry(String projectId, long expiresAt) {
    }

    public CredentialCache(long ttlMillis, int maxEntries) {
        this.ttlMillis = ttlMillis;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The project, or null when unknown or expired. */
    public String get(String hash, long nowMillis) {
        Entry e = entries.get(hash);
        if (e == null) {
            return null;
        }
        if (nowMillis >= e.expiresAt) {
            entries.remove(hash);
            return null;
        }
        return e.projectId;
    }

    public void put(String hash, String projectId, long nowMillis) {
        if (ttlMillis > 0) {
            entries.put(hash, new Entry(projectId, nowMillis + ttlMillis));
        }
    }

    public void remove(String hash) {
        entries.remove(hash);
    }

    int size() {
        return entries.size();
    }
}
