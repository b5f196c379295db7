/**
 * LLM analysis. So far the {@code offline} provider: {@link dev.prism.llm.OfflineAnalyzer}, deterministic and pure.
 * Providers, flow control, durable tasks and the verticle arrive with the rest of issue 5.
 */
package dev.prism.llm;
