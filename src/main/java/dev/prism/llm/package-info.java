/**
 * LLM analysis. So far: the {@code offline} provider ({@link dev.prism.llm.OfflineAnalyzer}, deterministic and pure),
 * the answer contract ({@link dev.prism.llm.AnswerParser}) and the OpenAI-compatible provider
 * ({@link dev.prism.llm.OpenAiProvider}, vertx-web-client, hard deadline). Flow control, durable tasks, the other
 * providers and the verticle arrive with the rest of issue 5.
 */
package dev.prism.llm;
