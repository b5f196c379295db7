/**
 * Theme runs: batch analysis of a window's traces, started by hand or on each theme's schedule, recorded in the
 * {@code runs} table with their counts, tokens and cost, and published on {@code prism.run.progress} as they go.
 * Talks to themes (selection) and analysis (queueing, counting, theme tests) over the bus only. Event loop only.
 */
package dev.prism.run;
