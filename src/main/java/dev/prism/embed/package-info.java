/**
 * Embedding of relevant summaries (DESIGN.md §2). {@link dev.prism.embed.EmbedVerticle} batches every
 * {@code theme_relevant} summary from {@code prism.summary.created} (by count or time), embeds what its text-hash cache
 * lacks with an {@link dev.prism.embed.Embedder} — the in-process all-MiniLM-L6-v2 ({@link dev.prism.embed.OnnxMiniLm},
 * default, offline) or any OpenAI-compatible server ({@link dev.prism.embed.OpenAiEmbedder}) — stores the vectors in
 * the {@code embeddings} table under the theme's namespace {@code llm_traces_summary_{theme_id}}, keeps them in one
 * in-memory {@link dev.prism.embed.VectorIndex} per theme (reloaded at start), and publishes
 * {@code prism.embedding.created}. It answers {@code prism.embed.search} (nearest summaries to a text) and
 * {@code prism.embed.snapshot} (all vectors of a theme, for clustering), and {@code prism.embed.sentences} (vectors of
 * short texts for the relevance model, from the same model and cache, refused with 503 beyond 1,024 sentences
 * computing so that scoring never queues unbounded work). One vector per trace and theme: a later
 * version's relevant summary replaces it, one that is not relevant removes it and publishes {@code prism.embedding.removed}.
 *
 * <p>Threading: the verticle runs on one event loop and only batches, routes and stores; ONNX inference runs on the
 * {@code prism-embed} worker pool (one thread per core, one ONNX intra-op thread each, by default) and searches on
 * worker threads. {@code VectorIndex}, {@code Vectors} and {@code OnnxMiniLm} have no Vert.x imports.
 */
package dev.prism.embed;
