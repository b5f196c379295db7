/**
 * Offline relevance: whether a trace is relevant to a theme, from sentence embeddings (served by the embed feature
 * over the bus) and the trace's structure. {@link dev.prism.relevance.RelevanceModel}, its training and its inputs are
 * pure; {@link dev.prism.relevance.RelevanceVerticle} scores every formatted trace for theme dispatch (the pre-filter
 * in front of a paid provider) and answers the offline analyzer's questions. Addresses: consumes
 * {@code prism.trace.formatted} and {@code prism.relevance.score}, sends {@code prism.embed.sentences}, publishes
 * {@code prism.trace.scored}. Threading: parsing and scoring on worker threads, the event loop only routes.
 */
package dev.prism.relevance;
