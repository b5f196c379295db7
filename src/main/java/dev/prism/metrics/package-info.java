/**
 * Shared infrastructure: the Micrometer registry behind {@code GET /metrics} ({@link dev.prism.metrics.Metrics}), and
 * {@link dev.prism.metrics.PipelineMetricsVerticle}, the one observer that counts the pipeline from the bus
 * ({@code prism.trace.completed}, {@code prism.summary.created}, {@code prism.embedding.created},
 * {@code prism.cluster.updated}, {@code prism.alert.fired}) and reads the analysis backlog and Kafka lag on timers.
 * Features register their own meters on the shared registry; nothing here calls a feature. Event loop only.
 */
package dev.prism.metrics;
