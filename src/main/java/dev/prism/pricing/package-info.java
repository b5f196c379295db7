/**
 * Shared knowledge about what LLM calls cost: prices per model (built-in list prices, extended or overridden by
 * {@code llm.prices}; input, output, cache read, cache write) and token estimates. An unknown model has no price, never
 * a price of 0. Pure; used by theme previews (estimates), analysis (recorded cost) and configuration, so it sits
 * outside the features.
 */
package dev.prism.pricing;
