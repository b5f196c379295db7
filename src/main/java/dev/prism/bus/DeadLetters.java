package dev.prism.bus;


/** Dead-lettered analyses of a project: list them, or put some back in the queue. */
public sealed interface DeadLetters {

    String projectId();

    /**
     * Replies {@link Listed}, oldest first.
     *
     * @param afterId only entries after this id (the previous page's {@code next_cursor}); null from the start
     */
    record List(String projectId, int limit, Long afterId) implements DeadLetters {
    }

    /** Replies {@link Requeued}. */
    record Requeue(String projectId, java.util.List<Long> ids) implements DeadLetters {
    }

    /** @param lastError why the last attempt failed; @param rawReply the model's last unusable reply, if any */
    record Entry(long id, String themeId, String traceId, int traceVersion, int promptVersion, int attempts, String lastError,
                 String rawReply) {
    }

    record Listed(java.util.List<Entry> entries) {
    }

    record Requeued(int count) {
    }
}
