/**
 * Alerting: rules per theme evaluated on every cluster update and on a schedule, and their delivery to Slack, Linear,
 * GitHub and signed webhooks, durable and retried. {@link dev.prism.alert.AlertNotice} is what a fired rule says and
 * {@link dev.prism.alert.Destination} is how one kind of destination sends it.
 *
 * <p>Destinations ({@link dev.prism.alert.AlertDestinations#all}) call out only through
 * {@link dev.prism.alert.GuardedHttp}, which checks every hop against the {@link dev.prism.alert.AddressPolicy} (the
 * SSRF guard). Linear and GitHub keep one issue per cluster in {@code alert_tickets}
 * ({@link dev.prism.alert.AlertTickets}). Threading: destinations run on the caller's event loop and never block; name
 * resolution runs on a worker thread. The texts they render ({@code SlackMessage}, {@code TicketText}, {@code Markdown},
 * {@code NoticeJson}) and the policy are pure.
 */
package dev.prism.alert;
