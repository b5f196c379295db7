package dev.prism.llm;

import io.vertx.core.Future;

/** One model behind one API. Implementations never log or return the API key. */
public interface LlmProvider {

    /**
     * @param system     instructions (the analysis contract)
     * @param user       the prompt with the fenced trace
     * @param maxTokens  answer budget
     */
    record Request(String model, String system, String user, int maxTokens) {
    }

    /** The model's text and what it cost in tokens, as the provider reported them. */
    record Reply(String text, long inputTokens, long outputTokens, long latencyMillis, String model) {
    }

    Future<Reply> complete(Request request);

    /** Releases the HTTP client. */
    void close();

    /**
     * A call that failed. {@code retryable} for rate limits, overload, server errors and timeouts;
     * {@code retryAfterMillis} from the provider's Retry-After header, or -1.
     */
    final class ProviderException extends RuntimeException {
        private final int status;
        private final boolean retryable;
        private final long retryAfterMillis;

        public ProviderException(String message, int status, boolean retryable, long retryAfterMillis) {
            super(message, null, false, false);
            this.status = status;
            this.retryable = retryable;
            this.retryAfterMillis = retryAfterMillis;
        }

        public int status() {
            return status;
        }

        public boolean retryable() {
            return retryable;
        }

        public long retryAfterMillis() {
            return retryAfterMillis;
        }
    }
}
