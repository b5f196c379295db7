package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SQL of {@code alert_tickets}: which external issue a (project, rule, destination, cluster) has, so Linear and GitHub
 * destinations create it once and comment on it afterwards, across restarts. Rows are written per rule, but a lookup
 * finds a ticket any rule made for the same destination (its {@code destination_key}: the tracker's team or repository)
 * and cluster: a growth rule and a regression rule sending to one repository share one issue per cluster, so the
 * regression reopens the issue the growth opened instead of opening a second. A cluster merged into another keeps no
 * ticket of its own: the survivor finds it by following {@code clusters.retired_into} and takes it over. What the
 * tracker last said of the issue ({@code state}, {@code closed_at}) is kept here too: the poller writes it, a delivery
 * that reopens the issue clears it, and evaluation reads the closes.
 */
public final class AlertTickets {

    /** Bounds the walk along retired_into (chains are short; a cycle would be a bug, not a reason to spin). */
    private static final int MAX_MERGE_DEPTH = 16;

    /** A stored ticket; {@code state} is {@code creating}, {@code open} or {@code closed}. */
    record Ticket(TicketKey key, String type, String externalId, String externalNumber, String url, String state,
                  String creatingNotice, String pendingNotice, Instant creatingSince) {

        boolean uncertain() {
            return state.equals("creating");
        }
    }

    private final Pool pool;

    public AlertTickets(Pool pool) {
        this.pool = pool;
    }

    /**
     * The ticket of the key's destination and cluster, whichever rule made it (the key's own rule's first), or the
     * ticket of a cluster that was merged (directly or along a chain) into the key's cluster, which then moves to the
     * key's cluster so the next lookup finds it directly. The answer's {@link Ticket#key()} names the row as stored
     * (its rule may be another than the key's): later updates go to that row.
     */
    Future<Optional<Ticket>> find(TicketKey key) {
        return pool.preparedQuery("""
                        WITH RECURSIVE absorbed (cluster_id, depth) AS (
                            SELECT $4::text, 0
                            UNION ALL
                            SELECT c.cluster_id, a.depth + 1 FROM clusters c JOIN absorbed a ON c.retired_into = a.cluster_id
                             WHERE c.project_id = $1 AND c.status = 'retired' AND a.depth < $5)
                        SELECT t.*, a.depth FROM alert_tickets t JOIN absorbed a ON t.cluster_id = a.cluster_id
                         WHERE t.project_id = $1 AND t.destination_key = $3
                         ORDER BY a.depth, (t.rule_id = $2) DESC, t.created_at LIMIT 1""")
                .execute(Tuple.of(key.projectId(), key.ruleId(), key.destinationKey(), key.clusterId(), MAX_MERGE_DEPTH))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Optional.empty());
                    }
                    Row row = rows.iterator().next();
                    Ticket found = ticket(row);
                    if (row.getInteger("depth") == 0) {
                        return Future.succeededFuture(Optional.of(found));
                    }
                    TicketKey moved = found.key().withCluster(key.clusterId());
                    return pool.preparedQuery("""
                                    UPDATE alert_tickets SET cluster_id = $5, updated_at = now()
                                     WHERE project_id = $1 AND rule_id = $2 AND destination_key = $3 AND cluster_id = $4""")
                            .execute(Tuple.of(key.projectId(), found.key().ruleId(), key.destinationKey(), found.key().clusterId(), key.clusterId()))
                            .map(v -> Optional.of(new Ticket(moved, found.type(), found.externalId(), found.externalNumber(), found.url(),
                                    found.state(), found.creatingNotice(), found.pendingNotice(), found.creatingSince())));
                });
    }

    /** What {@link #beginCreate} found: the ticket, and whether this call made it (no earlier attempt to look for). */
    record Begun(Ticket ticket, boolean fresh) {
    }

    /**
     * Records that a create is about to be attempted (before the call, so a crash leaves a trace of it). When the row
     * was there already, an earlier attempt's answer is unknown and the caller looks for its issue before creating.
     */
    Future<Begun> beginCreate(TicketKey key, String type, String externalId, String noticeKey) {
        Tuple id = Tuple.of(key.projectId(), key.ruleId(), key.destinationKey(), key.clusterId());
        return pool.preparedQuery("""
                        INSERT INTO alert_tickets (project_id, rule_id, destination_key, cluster_id, destination_type, external_id, state, creating_notice)
                        VALUES ($1, $2, $3, $4, $5, $6, 'creating', $7)
                        ON CONFLICT (project_id, rule_id, destination_key, cluster_id) DO NOTHING
                        RETURNING *""")
                .execute(Tuple.of(key.projectId(), key.ruleId(), key.destinationKey(), key.clusterId(), type, externalId, noticeKey))
                .compose(inserted -> inserted.size() > 0
                        ? Future.succeededFuture(new Begun(ticket(inserted.iterator().next()), true))
                        : pool.preparedQuery("SELECT * FROM alert_tickets WHERE project_id = $1 AND rule_id = $2 AND destination_key = $3 AND cluster_id = $4")
                                .execute(id).map(rows -> new Begun(ticket(rows.iterator().next()), false)));
    }

    /** The issue exists: its id, number and URL. */
    Future<Void> created(TicketKey key, String externalId, String externalNumber, String url) {
        return update(key, "external_id = $5, external_number = $6, url = $7, state = 'open', creating_notice = NULL",
                externalId, externalNumber, url);
    }

    /** Prism reopened the issue (or found it open): no close is pending any more. */
    Future<Void> reopened(TicketKey key) {
        return update(key, "state = 'open', closed_at = NULL");
    }

    /** A ticket the poller asks its tracker about; {@code seen} is its row's {@code updated_at} when claimed. */
    record Due(Ticket ticket, OffsetDateTime seen, Instant closedAt) {
    }

    /**
     * Claims up to {@code limit} open or closed tickets of clusters whose state was not asked for {@code interval}
     * (never asked first) and marks them asked now, so instances share the polling and a failing tracker is asked again
     * only after another interval. Theme and test tickets are left alone (no cluster comes back to them).
     */
    Future<List<Due>> claimDue(int limit, Duration interval) {
        return pool.preparedQuery("""
                        UPDATE alert_tickets t SET state_checked_at = now()
                          FROM (SELECT project_id, rule_id, destination_key, cluster_id FROM alert_tickets
                                 WHERE state IN ('open', 'closed') AND external_id IS NOT NULL
                                   AND cluster_id NOT LIKE 'theme:%' AND cluster_id NOT LIKE 'test:%'
                                   AND (state_checked_at IS NULL OR state_checked_at <= now() - make_interval(secs => $1))
                                 ORDER BY state_checked_at NULLS FIRST LIMIT $2 FOR UPDATE SKIP LOCKED) due
                         WHERE t.project_id = due.project_id AND t.rule_id = due.rule_id AND t.destination_key = due.destination_key
                           AND t.cluster_id = due.cluster_id
                        RETURNING t.*""")
                .execute(Tuple.of((double) interval.toSeconds(), limit))
                .map(rows -> {
                    List<Due> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Due(ticket(r), r.getOffsetDateTime("updated_at"),
                            r.getOffsetDateTime("closed_at") == null ? null : r.getOffsetDateTime("closed_at").toInstant())));
                    return out;
                });
    }

    /**
     * Stores what the tracker said ({@code closedAt} null: open), unless the row changed since it was claimed (a
     * delivery reopened the issue meanwhile: its word is newer) or nothing changed. Whether it was stored.
     */
    Future<Boolean> observed(Due due, Instant closedAt) {
        TicketKey key = due.ticket().key();
        return pool.preparedQuery("""
                        UPDATE alert_tickets SET state = $5, closed_at = $6, updated_at = now()
                         WHERE project_id = $1 AND rule_id = $2 AND destination_key = $3 AND cluster_id = $4
                           AND updated_at = $7 AND state IN ('open', 'closed')
                           AND (state <> $5 OR closed_at IS DISTINCT FROM $6)""")
                .execute(Tuple.of(key.projectId(), key.ruleId(), key.destinationKey(), key.clusterId(), closedAt == null ? "open" : "closed",
                        closedAt == null ? null : closedAt.atOffset(ZoneOffset.UTC), due.seen()))
                .map(r -> r.rowCount() > 0);
    }

    /** For each of the clusters with a closed ticket (any rule, any tracker): its latest close. */
    Future<Map<String, Instant>> latestCloses(String projectId, Collection<String> clusterIds) {
        if (clusterIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return pool.preparedQuery("""
                        SELECT cluster_id, max(closed_at) AS closed_at FROM alert_tickets
                         WHERE project_id = $1 AND cluster_id = ANY($2::text[]) AND state = 'closed' AND closed_at IS NOT NULL
                         GROUP BY cluster_id""")
                .execute(Tuple.tuple().addString(projectId).addArrayOfString(clusterIds.toArray(new String[0])))
                .map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString("cluster_id"), r.getOffsetDateTime("closed_at").toInstant()));
                    return out;
                });
    }

    /** A comment for {@code noticeKey} is about to be posted (null: its answer came). */
    Future<Void> pending(TicketKey key, String noticeKey) {
        return update(key, "pending_notice = $5", noticeKey);
    }

    private Future<Void> update(TicketKey key, String set, Object... values) {
        Tuple tuple = Tuple.of(key.projectId(), key.ruleId(), key.destinationKey(), key.clusterId());
        for (Object v : values) {
            tuple.addValue(v);
        }
        return pool.preparedQuery("UPDATE alert_tickets SET " + set + ", updated_at = now()"
                        + " WHERE project_id = $1 AND rule_id = $2 AND destination_key = $3 AND cluster_id = $4")
                .execute(tuple).mapEmpty();
    }

    private static Ticket ticket(Row r) {
        return new Ticket(new TicketKey(r.getString("project_id"), r.getString("rule_id"), r.getString("destination_key"), r.getString("cluster_id")),
                r.getString("destination_type"), r.getString("external_id"), r.getString("external_number"), r.getString("url"),
                r.getString("state"), r.getString("creating_notice"), r.getString("pending_notice"),
                r.getOffsetDateTime("creating_since").toInstant());
    }
}
