/**
 * Infrastructure every feature stores through: embedded or external PostgreSQL, Flyway migrations from
 * {@code db/migration}, one shared reactive pool. Startup and shutdown block, so they run on worker threads.
 * Each feature owns its own SQL; this package owns none.
 */
package dev.prism.store;
