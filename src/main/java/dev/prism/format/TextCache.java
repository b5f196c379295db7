package dev.prism.format;

import io.vertx.core.Future;

/** Rendered trace texts by key. Implementations count their hits and misses. */
interface TextCache {

    /** The cached text, or null. Never fails: a cache that cannot answer is a miss. */
    Future<String> get(String key);

    /** Stores a text; failures are logged and swallowed, the caller already has its text. */
    Future<Void> put(String key, String text);

    Future<Void> close();
}
