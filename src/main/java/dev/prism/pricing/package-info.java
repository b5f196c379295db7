/**
 * Shared knowledge about what LLM calls cost: list prices per model and token estimates. Pure; used by theme previews
 * (estimates) and by analysis (recorded cost), so it sits outside both features.
 */
package dev.prism.pricing;
