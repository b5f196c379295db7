/**
 * Shared knowledge about what LLM calls cost: prices per model (built-in list prices, extended or overridden by
 * {@code llm.prices}; input, output, cache read, cache write) and token estimates. An unknown model has no price, never
 * a price of 0. Model names resolve through provider prefixes, Bedrock and Vertex forms and dated names
 * ({@link dev.prism.pricing.Pricing#resolve}). {@link dev.prism.pricing.EventCost} prices events sent with model and
 * tokens but no cost, as PostHog's ingestion does. Pure; used by ingestion and {@code prism format} (event costs), theme
 * previews (estimates), analysis (recorded cost) and configuration, so it sits outside the features.
 */
package dev.prism.pricing;
