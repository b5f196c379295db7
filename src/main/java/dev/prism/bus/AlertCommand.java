package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * Requests to the alerting feature, one address per verb ({@code prism.alert.list}, {@code .get}, {@code .create},
 * {@code .replace}, {@code .patch}, {@code .delete}, {@code .deliveries}, {@code .test}, {@code .tickets}). Rules come back as {@link Rule}
 * with destination secrets left out. Failures carry 400 (the invalid fields named), 404 (unknown rule).
 */
public sealed interface AlertCommand {

    String projectId();

    /** Replies {@link Rules}. */
    record List(String projectId) implements AlertCommand {
    }

    /** Replies {@link Rule}. */
    record Get(String projectId, String ruleId) implements AlertCommand {
    }

    /** Replies the new {@link Rule}. */
    record Create(String projectId, JsonNode body) implements AlertCommand {
    }

    /** PUT: the body is the whole rule. Replies {@link Rule}. */
    record Replace(String projectId, String ruleId, JsonNode body) implements AlertCommand {
    }

    /** PATCH: fields present replace the stored ones ({@code destinations} as a whole). Replies {@link Rule}. */
    record Patch(String projectId, String ruleId, JsonNode body) implements AlertCommand {
    }

    /** Replies the deleted {@link Rule}. */
    record Delete(String projectId, String ruleId) implements AlertCommand {
    }

    /** The rule's delivery log, newest first; {@code before}: a delivery id from the previous page. Replies {@link Deliveries}. */
    record ListDeliveries(String projectId, String ruleId, int limit, Long before) implements AlertCommand {
    }

    /** Sends a {@code kind=test} notice to each of the rule's destinations now, through the delivery log. Replies {@link Tested}. */
    record Test(String projectId, String ruleId) implements AlertCommand {
    }

    /**
     * @param destinations each destination's public view: {@code type}, non-secret fields, {@code <field>_set} for secrets
     */
    record Rule(String projectId, String ruleId, String name, String themeId, JsonNode trigger, JsonNode conditions,
                java.util.List<ObjectNode> destinations, int cooldownSeconds, boolean enabled, Instant createdAt, Instant updatedAt) {
    }

    record Rules(java.util.List<Rule> rules) {
    }

    /** One attempt to deliver: {@code statusCode} null when no answer came; {@code error} never holds a secret. */
    record Attempt(int attempt, Instant at, Integer statusCode, String error, long elapsedMillis) {
    }

    /**
     * @param status {@code pending} (waiting for its first or next attempt), {@code sending}, {@code delivered} or {@code dead}
     */
    record Delivery(long id, long firingId, String kind, String clusterId, String dedupeKey, int destinationIndex, String destinationType,
                    String status, int attempts, Integer lastStatusCode, String lastError, String externalRef, Instant createdAt,
                    Instant nextAttemptAt, Instant deliveredAt, java.util.List<Attempt> log) {
    }

    /** @param nextCursor the id to pass as {@code cursor} for the next page, null on the last */
    record Deliveries(java.util.List<Delivery> deliveries, Long nextCursor) {
    }

    record Tested(String ruleId, long firingId, java.util.List<Delivery> deliveries) {
    }

    /** The Linear and GitHub issues alert rules opened for a cluster (any rule). Replies {@link Tickets}. */
    record ClusterTickets(String projectId, String clusterId) implements AlertCommand {
    }

    /**
     * @param number the tracker's name for it ({@code ENG-12}, GitHub's issue number)
     * @param state  {@code open} or {@code closed}, as last known from the tracker
     */
    record Ticket(String destinationType, String number, String url, String state, Instant closedAt) {
    }

    record Tickets(java.util.List<Ticket> tickets) {
    }
}
