/**
 * Infrastructure every feature stores through: embedded or external PostgreSQL, Flyway migrations from
 * {@code db/migration}, one shared reactive pool. Startup and shutdown block, so they run on worker threads.
 * Each feature owns its own SQL; this package owns none but one statement: at an embedded start, where the data
 * directory lock proves this process is the only instance, it queues again the analyses a dead process had leased.
 * The embedded server is durable (fsync and synchronous commit on), owned by one process at a time, and never outlives
 * it (see {@link dev.prism.store.EmbeddedPostgresServer}).
 */
package dev.prism.store;
