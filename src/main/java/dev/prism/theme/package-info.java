/**
 * Analysis themes: which traces a theme looks at (project base filters, its own filters, sampling, date range) and what
 * it asks a model about them (a versioned prompt), and the hand-over of completed traces to analysis. Four verticles
 * share {@link dev.prism.theme.ThemeRepository} (SQL) and nothing in memory:
 * <ul>
 *   <li>{@link dev.prism.theme.ThemeCrudVerticle}: themes, the project's base filters and property suggestions;
 *       built-in themes brought in step at start. Consumes {@code prism.theme.list}, {@code .get}, {@code .create},
 *       {@code .replace}, {@code .patch}, {@code .delete}, {@code .base-filters}, {@code .set-base-filters},
 *       {@code .properties} and {@code .scheduled}; publishes {@code prism.theme.changed} after each change.</li>
 *   <li>{@link dev.prism.theme.ThemePreviewVerticle}: a draft's preview with its estimated cost, the traces a run
 *       analyses, a theme's prompt for one trace. Consumes {@code prism.theme.preview}, {@code .select} and
 *       {@code .render-prompt}.</li>
 *   <li>{@link dev.prism.theme.ThemeDispatchVerticle}: streaming dispatch. Consumes {@code prism.trace.scored} and
 *       {@code prism.theme.changed}; publishes {@code prism.analysis.requested}.</li>
 *   <li>{@link dev.prism.theme.DispatchSweepVerticle}: re-dispatches settled versions streaming missed. Consumes
 *       {@code prism.theme.changed}; sends {@code prism.relevance.backfill} and {@code prism.analysis.enqueue}.</li>
 * </ul>
 * Requests and replies are the records of {@link dev.prism.bus.ThemeCommand}, one address per verb; failures are
 * {@link dev.prism.bus.Failure}s with a {@link dev.prism.bus.FailureCode}.
 *
 * <p>Threading: every verticle runs on its event loop; streaming dispatch runs the filters and renders prompts on a
 * worker thread (regular expressions over megabytes of messages). Each dispatch verticle keeps its own cache of
 * per-project plans ({@link dev.prism.theme.DispatchPlanCache}), forgotten on {@code prism.theme.changed} or after 5 s
 * (changes made through another instance). Filters, sampling, prompt templates, drafts and the re-analysis rule are
 * pure logic without Vert.x ({@code Filters}, {@code FilterSql}, {@code TraceFilter}, {@code Sampler},
 * {@code PromptTemplate}, {@code ThemeDraft}, {@code Reanalysis}).
 */
package dev.prism.theme;
