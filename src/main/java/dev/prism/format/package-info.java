/**
 * Trace text: every assembled trace rendered as readable text for people and for the LLM analysis.
 *
 * <p>{@link dev.prism.format.TraceFormatter} is the pure entry point (no Vert.x): it lays out the header, the span tree
 * and the annotations, and delegates to {@code EventRenderer} (one event's summary line and body),
 * {@code MessageParser}/{@code Parts} (every SDK's message shape into {@code Message}s), {@code MessageRenderer}
 * (conversations, tool calls next to their results, folding of resent histories), {@code ToolRenderer},
 * {@code ErrorRenderer}, {@code ValueText}/{@code BinaryText} (JSON as text, decoded JSON strings, binary placeholders,
 * middle cuts) and {@code TextBudget} (line numbers, sampling to a character budget).
 *
 * <p>{@link dev.prism.format.FormatVerticle} renders on worker threads and caches texts (Redis or in process). It
 * consumes {@code prism.trace.completed} and {@code prism.format.text}, sends {@code prism.trace.summary} and
 * {@code prism.trace.get}, and publishes {@code prism.trace.formatted} with the text analyses read: sampled down to
 * {@code llm.maxTraceChars}, so no prompt carries more of a trace than that.
 */
package dev.prism.format;
