/**
 * The HTTP edge: PostHog-compatible capture endpoints, the REST API, health probes and the static web UI. Handlers
 * translate HTTP to bus requests and back; one failure handler answers every error as {@code {"error", "detail"}}.
 *
 * <p>Sends {@code prism.ingest.capture}, {@code prism.project.authorize}, {@code prism.trace.list},
 * {@code prism.trace.get}. One instance per core; event loop only.
 */
package dev.prism.web;
