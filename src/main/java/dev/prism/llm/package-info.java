/**
 * LLM analysis. So far: the {@code offline} provider ({@link dev.prism.llm.OfflineAnalyzer}, deterministic and pure),
 * the answer contract ({@link dev.prism.llm.AnswerParser}), and the OpenAI-compatible, Anthropic and Gemini providers
 * behind {@link dev.prism.llm.LlmProvider} (vertx-web-client, hard deadlines, Retry-After), and per-provider admission
 * control ({@link dev.prism.llm.FlowControl}), and the durable task queue ({@link dev.prism.llm.AnalysisTasks}, leased
 * with SKIP LOCKED). The offline analyzer names causes, not surfaces: {@link dev.prism.llm.ErrorCause} for failures and
 * {@link dev.prism.llm.PerformanceCause} for slow or expensive traces, both pure; what clustering embeds is the
 * canonical, masked {@code embedText} of each result. Relevance to user-language and custom themes comes from the
 * relevance feature over {@code prism.relevance.score}; keyword rules remain the fallback.
 */
package dev.prism.llm;
