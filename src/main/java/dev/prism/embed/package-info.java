/**
 * Embedding of relevant summaries (DESIGN.md §2), in three verticles sharing one {@link dev.prism.embed.SharedEmbeddings}
 * (the model, its text-hash vector cache and one in-memory {@link dev.prism.embed.VectorIndex} per theme; why shared is
 * said there):
 * <ul>
 *   <li>{@link dev.prism.embed.EmbedWriterVerticle}: batches every {@code theme_relevant} summary from
 *       {@code prism.summary.created} (by count or time), embeds what the cache lacks with an
 *       {@link dev.prism.embed.Embedder} — the in-process all-MiniLM-L6-v2 ({@link dev.prism.embed.OnnxMiniLm}, default,
 *       offline) or any OpenAI-compatible server ({@link dev.prism.embed.OpenAiEmbedder}) — stores the vectors in the
 *       {@code embeddings} table under {@code llm_traces_summary_{theme_id}}, indexes and publishes
 *       {@code prism.embedding.created}; the sweep (over {@code prism.summary.scan}) embeds what was left. One vector per
 *       trace and theme: a later relevant version replaces it, one not relevant removes it and publishes
 *       {@code prism.embedding.removed}. Loads the model and reloads the indexes at start, closes them at stop.</li>
 *   <li>{@link dev.prism.embed.EmbedSearchVerticle}: {@code prism.embed.search} (nearest summaries to a text).</li>
 *   <li>{@link dev.prism.embed.EmbedVectorsVerticle}: {@code prism.embed.snapshot} (all vectors of a theme, for
 *       clustering) and {@code prism.embed.sentences} (vectors of short texts for the relevance model, refused with 503
 *       beyond 1,024 sentences computing).</li>
 * </ul>
 * Requests are {@link dev.prism.bus.Request} records answered through {@link dev.prism.bus.Verbs}; vectors that leave the
 * feature are copies (or, for snapshots, fresh arrays nothing else holds).
 *
 * <p>Threading: each verticle runs on its own event loop; ONNX inference runs on the {@code prism-embed} worker pool and
 * searches on worker threads. {@code SharedEmbeddings} is thread-safe; {@code PendingTexts}, {@code SweepCursor} and
 * {@code VectorWriter} are used on the writer's event loop only. {@code VectorIndex}, {@code PendingTexts},
 * {@code SweepCursor} and {@code OnnxMiniLm} have no Vert.x imports.
 */
package dev.prism.embed;
