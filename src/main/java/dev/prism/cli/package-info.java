/**
 * The command line (picocli): {@code serve} (default), {@code replay}, {@code demo}, {@code format}, {@code keys},
 * {@code eval} and {@code train-relevance}. Client commands talk to a server over HTTP like any PostHog SDK would;
 * {@code eval} runs a throw-away in-process server ({@link dev.prism.cli.BenchServer}). The benchmarks share this
 * package but not the jar: they are in {@code src/bench/java}.
 */
package dev.prism.cli;
