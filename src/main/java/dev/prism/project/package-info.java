/**
 * Projects and credentials: creates the {@code default} project and its keys at first start (a configured admin token
 * revokes the generated one), stores only hashes, manages scoped per-project API keys, and answers ingestion-token and
 * API-key checks: API keys from the database on every request (revocation holds everywhere at once), ingestion
 * credentials from a short-lived bounded cache. Failed checks per client address are limited ({@link
 * dev.prism.project.AuthFailures}).
 *
 * <p>Consumes {@code prism.project.resolve-token}, {@code prism.project.authorize} and {@code prism.project.keys}.
 * One instance; event loop only.
 */
package dev.prism.project;
