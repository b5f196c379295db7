package dev.prism.llm;

import io.vertx.core.Future;

/** One model behind one API. Implementations never log or return the API key. */
public interface LlmProvider {

    /**
     * @param system            instructions (the analysis contract)
     * @param user              the prompt with the fenced trace
     * @param maxTokens         answer budget
     * @param sharedPrefixChars how many leading characters of {@code user} other requests share (every theme's prompt
     *                          for one trace version starts with the fenced trace): providers that need it told mark
     *                          them for their prompt cache; 0 when nothing is shared
     */
    record Request(String model, String system, String user, int maxTokens, AnswerShape shape, int sharedPrefixChars) {
        public Request {
            if (sharedPrefixChars < 0 || sharedPrefixChars > user.length()) {
                throw new IllegalArgumentException("sharedPrefixChars must be within the user message: " + sharedPrefixChars);
            }
        }

        Request(String model, String system, String user, int maxTokens, AnswerShape shape) {
            this(model, system, user, maxTokens, shape, 0);
        }

        Request(String model, String system, String user, int maxTokens) {
            this(model, system, user, maxTokens, AnswerShape.ANALYSIS, 0);
        }

        /** The analysis of one rendered prompt: its leading fenced trace, if any, is the part shared across themes. */
        static Request analysis(String model, String system, String prompt, int maxTokens) {
            return new Request(model, system, prompt, maxTokens, AnswerShape.ANALYSIS, dev.prism.bus.TracePrompt.sharedPrefixLength(prompt));
        }
    }

    /**
     * The JSON object the reply must be, for providers that constrain output to a schema (OpenAI's {@code json_schema},
     * Gemini's {@code responseSchema}); Anthropic is steered by the prompt and a "{" prefill.
     */
    record AnswerShape(String name, java.util.List<Field> fields) {

        /** @param type {@code string} or {@code boolean}; {@code values} restricts a string (empty: any) */
        record Field(String name, String type, java.util.List<String> values, boolean required) {
        }

        /** The analysis contract of DESIGN.md §3. */
        static final AnswerShape ANALYSIS = new AnswerShape("trace_analysis", java.util.List.of(
                new Field("theme_relevant", "boolean", java.util.List.of(), true),
                new Field("title", "string", java.util.List.of(), true),
                new Field("summary", "string", java.util.List.of(), true),
                new Field("severity", "string", java.util.List.of("low", "medium", "high"), false)));

        /** A cluster's name. */
        static final AnswerShape CLUSTER_NAME = new AnswerShape("cluster_name", java.util.List.of(
                new Field("title", "string", java.util.List.of(), true),
                new Field("description", "string", java.util.List.of(), true)));
    }

    /**
     * The model's text and what it cost in tokens, as the provider reported them. {@code inputTokens} counts all input,
     * cached included; {@code cacheReadTokens} / {@code cacheWriteTokens} are the parts read from or written to the
     * provider's prompt cache (priced differently).
     */
    record Reply(String text, long inputTokens, long outputTokens, long latencyMillis, String model, long cacheReadTokens,
                 long cacheWriteTokens) {
        Reply(String text, long inputTokens, long outputTokens, long latencyMillis, String model) {
            this(text, inputTokens, outputTokens, latencyMillis, model, 0, 0);
        }

        dev.prism.pricing.Pricing.Usage usage() {
            return new dev.prism.pricing.Pricing.Usage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
        }
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
