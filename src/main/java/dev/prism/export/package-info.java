/**
 * Export of one theme's clustering results as Markdown, a Jupyter notebook, CSV or JSON.
 * {@link dev.prism.export.ExportVerticle} gathers the theme, clusters, members and summaries over the bus
 * ({@code prism.export.theme}) and renders on a worker thread; the renderers ({@code *Export}, {@link dev.prism.export.MarkdownText})
 * are pure functions of a {@link dev.prism.export.ThemeReport}, without Vert.x.
 */
package dev.prism.export;
