/**
 * Quality benchmark: a seeded, labelled evaluation corpus of LLM traces ({@link dev.prism.eval.CorpusGenerator}) built
 * from a hand-written phrase bank ({@code src/main/resources/eval/*.json}) that is split by phrasing into a tune half and
 * an eval half ({@link dev.prism.eval.Split}), and the metrics that score Prism's relevance and clusters against it.
 *
 * <p>Pure logic: no Vert.x, no event bus. The {@code prism eval} command drives a real in-process server over HTTP.
 */
package dev.prism.eval;
