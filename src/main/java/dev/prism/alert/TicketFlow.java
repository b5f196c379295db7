package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * One issue per cluster in an issue tracker (Linear, GitHub), shared by every rule that sends to the same team or
 * repository: the first notice creates it, later ones comment on it, a regression (a {@code regressed} notice, or any
 * notice whose cluster's lifecycle is {@code regressed}) reopens it when it was closed. The ticket row is written before the create, so after a crash or a lost
 * answer the next attempt looks for the issue before creating another; comments are marked pending the same way.
 */
final class TicketFlow {

    /** An issue as the tracker names it. */
    record Issue(String externalId, String number, String url) {
    }

    /** A closed issue; {@code at} null when the tracker did not say when. */
    record Closed(java.time.Instant at) {
    }

    /** A failed call with the outcome it means; carries no stack (it is a result, not a bug). */
    static final class Failed extends RuntimeException {
        final SendOutcome outcome;

        Failed(SendOutcome outcome) {
            super(outcome.detail(), null, false, false);
            this.outcome = outcome;
        }
    }

    /** What a tracker does; every failure is a {@link Failed} whose detail is already redacted. */
    interface Tracker {
        String type();

        /** The tracker's id for a new ticket, known before the create (Linear), or null (GitHub numbers it). */
        String plannedId(TicketKey key);

        /** The issue an earlier, unanswered create made, if it made one. */
        Future<Optional<Issue>> findCreated(AlertTickets.Ticket ticket, JsonObject config);

        Future<Issue> create(AlertNotice notice, JsonObject config, TicketKey key);

        /** Reopens the issue when it is closed (done, canceled); whether it was. */
        Future<Boolean> reopenIfClosed(Issue issue, JsonObject config);

        /**
         * The issue's state on the tracker: its close time when closed (the tracker's own, or null when it names
         * none), empty when open; fails with a {@link Failed} when the tracker cannot tell (also when the issue is gone).
         */
        Future<Optional<Closed>> closed(Issue issue, JsonObject config);

        /** What the rule's destination object keeps tickets under: its {@code key}, or the type and team or repository. */
        String destinationKey(JsonObject config);

        /** Comments once for the notice; {@code uncertain}: an earlier attempt for it got no answer, look first. */
        Future<Void> comment(Issue issue, AlertNotice notice, JsonObject config, TicketKey key, boolean uncertain);

        List<String> secrets(JsonObject config);
    }

    private final Tracker tracker;
    private final AlertTickets tickets;
    private final KeyedSequence sequence = new KeyedSequence();

    TicketFlow(Tracker tracker, AlertTickets tickets) {
        this.tracker = tracker;
        this.tickets = tickets;
    }

    Future<SendOutcome> deliver(AlertNotice notice, JsonObject config, TicketKey key) {
        return sequence.run(key.sharedText(), () -> tickets.find(key).compose(found -> {
                    if (found.isEmpty()) {
                        return tickets.beginCreate(key, tracker.type(), tracker.plannedId(key), notice.dedupeKey())
                                .compose(begun -> begun.fresh() ? create(notice, config, key) : recoverOrCreate(begun.ticket(), notice, config, key));
                    }
                    // Another rule's ticket is updated under its own row.
                    AlertTickets.Ticket ticket = found.get();
                    return ticket.uncertain()
                            ? recoverOrCreate(ticket, notice, config, ticket.key())
                            : update(ticket, issue(ticket), notice, config, ticket.key());
                }))
                .otherwise(e -> e instanceof Failed f ? f.outcome : Outcomes.ofFailure(e, tracker.type(), tracker.secrets(config)));
    }

    private Future<SendOutcome> create(AlertNotice notice, JsonObject config, TicketKey key) {
        return tracker.create(notice, config, key)
                .compose(issue -> tickets.created(key, issue.externalId(), issue.number(), issue.url()).map(v -> delivered(issue)));
    }

    /** An earlier create got no answer: adopt its issue if it made one (commenting when it was for another notice). */
    private Future<SendOutcome> recoverOrCreate(AlertTickets.Ticket ticket, AlertNotice notice, JsonObject config, TicketKey key) {
        return tracker.findCreated(ticket, config).compose(existing -> {
            if (existing.isEmpty()) {
                return create(notice, config, key);
            }
            Issue issue = existing.get();
            Future<Void> stored = tickets.created(key, issue.externalId(), issue.number(), issue.url());
            if (notice.dedupeKey() != null && notice.dedupeKey().equals(ticket.creatingNotice())) {
                return stored.map(v -> delivered(issue));
            }
            return stored.compose(v -> update(ticket, issue, notice, config, key));
        });
    }

    private Future<SendOutcome> update(AlertTickets.Ticket ticket, Issue issue, AlertNotice notice, JsonObject config, TicketKey key) {
        // Reopened, or open already (reopened by someone): either way no close waits for a comeback any more.
        Future<Void> reopened = regression(notice)
                ? tracker.reopenIfClosed(issue, config).compose(was -> tickets.reopened(key))
                : Future.succeededFuture();
        boolean uncertain = notice.dedupeKey() != null && notice.dedupeKey().equals(ticket.pendingNotice());
        return reopened
                .compose(v -> tickets.pending(key, notice.dedupeKey()))
                .compose(v -> tracker.comment(issue, notice, config, key, uncertain))
                .compose(v -> tickets.pending(key, null))
                .map(v -> delivered(issue));
    }

    /** A cluster that came back: a regressed rule fired, or another rule fired while the cluster's lifecycle is regressed. */
    static boolean regression(AlertNotice notice) {
        return "regressed".equals(notice.kind()) || "regressed".equals(notice.lifecycle());
    }

    private static Issue issue(AlertTickets.Ticket ticket) {
        return new Issue(ticket.externalId(), ticket.externalNumber(), ticket.url());
    }

    private static SendOutcome delivered(Issue issue) {
        return SendOutcome.delivered(200, issue.url() != null ? issue.url() : issue.number());
    }
}
