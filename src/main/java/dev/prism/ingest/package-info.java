/**
 * Ingestion: decode (gzip, size limit), parse and validate PostHog capture payloads event by event, and store them
 * with group commit. One {@link dev.prism.ingest.IngestVerticle} per core.
 *
 * <p>Consumes {@code prism.ingest.capture}; sends {@code prism.project.resolve-token}; publishes
 * {@code prism.events.stored}. Parsing runs on the event loop for bodies up to 512 KiB, on a worker above.
 */
package dev.prism.ingest;
