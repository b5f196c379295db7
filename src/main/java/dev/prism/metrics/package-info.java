/** Shared infrastructure: the Micrometer registry behind {@code GET /metrics}. */
package dev.prism.metrics;
