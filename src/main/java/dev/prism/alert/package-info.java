/**
 * Alerting: rules per theme evaluated on every cluster update and on a schedule, and their delivery to Slack, Linear,
 * GitHub and signed webhooks, durable and retried. {@link dev.prism.alert.AlertNotice} is what a fired rule says and
 * {@link dev.prism.alert.Destination} is how one kind of destination sends it.
 */
package dev.prism.alert;
