/**
 * Alerting: rules per theme evaluated on every cluster update and on a schedule, and their durable, retried delivery
 * to Slack, Linear, GitHub and signed webhooks. {@link dev.prism.alert.AlertNotice} is what a fired rule says and
 * {@link dev.prism.alert.Destination} is how one kind of destination sends it; the destinations themselves come from
 * the composition root.
 *
 * <p>Four verticles, one instance each: {@link dev.prism.alert.AlertRulesVerticle} (rule CRUD, delivery log, test
 * notices: {@code prism.alert.list|get|create|replace|patch|delete|deliveries|test}),
 * {@link dev.prism.alert.AlertEvaluationVerticle} (consumes {@code prism.cluster.updated}, debounced per theme, and a
 * timer; publishes {@code prism.alert.fired}) and {@link dev.prism.alert.AlertDeliveryVerticle} (the worker over
 * {@code alert_deliveries}, woken by {@code prism.alert.queued}) and {@link dev.prism.alert.AlertTicketPollVerticle}
 * (asks Linear and GitHub whether the issues kept for clusters were closed, for the {@code regressed} rules). Everything runs on event loops; the decisions are pure
 * ({@link dev.prism.alert.AlertEvaluator}, {@link dev.prism.alert.RuleParser}, retries by {@link dev.prism.common.Backoff}).
 *
 * <p>Destinations ({@link dev.prism.alert.AlertDestinations#all}) call out only through
 * {@link dev.prism.alert.GuardedHttp}, which checks every hop against the {@link dev.prism.alert.AddressPolicy} (the
 * SSRF guard). Linear and GitHub keep one issue per cluster and team or repository, whichever rule opened it, in
 * {@code alert_tickets} ({@link dev.prism.alert.AlertTickets}); {@code share_changed} rules watch the theme as a whole
 * and ask the analysis feature for its share of relevant traces ({@code prism.analysis.theme-share}). Threading: destinations run on the caller's event loop and never block; name
 * resolution runs on a worker thread. The texts they render ({@code SlackMessage}, {@code TicketText}, {@code Markdown},
 * {@code NoticeJson}) and the policy are pure.
 */
package dev.prism.alert;
