/**
 * The HTTP edge: PostHog-compatible capture endpoints, the REST API, the live WebSocket API ({@code /ws}), health probes
 * and the static web UI. Handlers translate HTTP to bus requests and back; one failure handler answers every error as
 * {@code {"error", "detail"}}.
 *
 * <p>WebSocket: each HTTP verticle instance has a {@code LiveHub} for the connections it accepted, consuming
 * {@code prism.summary.created}, {@code prism.run.progress}, {@code prism.cluster.updated}, {@code prism.alert.fired} and
 * {@code prism.live.event}. Its pure parts, without Vert.x: {@code LiveProtocol} (message schema),
 * {@code Subscriptions} (who wants what) and {@code CoalescingBuffer} (the bounded per-client buffer).
 *
 * <p>{@code PostHogRoutes} (pure) lists the routes PostHog SDKs post to ({@code /batch/}, the large-event
 * {@code /i/v0/ai/batch/}, v1 {@code /i/v1/analytics/events}, …), the empty {@code /flags} answer, and the classes
 * unknown paths are counted under ({@code prism_http_unknown_route_total{class}}).
 *
 * <p>Sends {@code prism.ingest.capture}, {@code prism.project.authorize}, {@code prism.trace.list},
 * {@code prism.trace.get}. One instance per core; event loop only.
 */
package dev.prism.web;
