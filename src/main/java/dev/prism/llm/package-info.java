/**
 * LLM analysis. So far: the {@code offline} provider ({@link dev.prism.llm.OfflineAnalyzer}, deterministic and pure),
 * the answer contract ({@link dev.prism.llm.AnswerParser}), and the OpenAI-compatible, Anthropic and Gemini providers
 * behind {@link dev.prism.llm.LlmProvider} (vertx-web-client, hard deadlines, Retry-After), and per-provider admission
 * control ({@link dev.prism.llm.FlowControl}), and the durable task queue ({@link dev.prism.llm.AnalysisTasks}, leased
 * with SKIP LOCKED). Dispatch, runs and the verticle arrive with the rest of issue 5.
 */
package dev.prism.llm;
