package dev.prism.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AlertCommand;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code alert_rules}, {@code alert_firings}, {@code alert_deliveries} and {@code alert_attempts} tables. */
final class AlertRepository {

    private static final String RULE_COLUMNS = """
            project_id, rule_id, name, theme_id, trigger::text, conditions::text, destinations::text, cooldown_seconds, enabled,
            created_at, updated_at""";
    private static final String DELIVERY_COLUMNS = """
            d.id, d.firing_id, f.kind, f.cluster_id, f.dedupe_key, d.destination_index, d.destination_type, d.status, d.attempts,
            d.last_status_code, d.last_error, d.external_ref, d.created_at, d.next_attempt_at, d.delivered_at""";

    private final Pool pool;

    AlertRepository(Pool pool) {
        this.pool = pool;
    }

    /** A project and theme that have at least one enabled rule. */
    record ThemeKey(String projectId, String themeId) {
    }

    /** A delivery this worker holds the lease of, with what it needs to send. {@code attempt} counts this one. */
    record Claimed(long id, int attempt, String type, ObjectNode destination, AlertNotice notice) {
    }

    /** A stored firing and its deliveries' ids. */
    record Fired(long firingId, List<Long> deliveryIds) {
    }

    // ---- rules

    Future<List<AlertRule>> rules(String projectId) {
        return pool.preparedQuery("SELECT " + RULE_COLUMNS + " FROM alert_rules WHERE project_id = $1 ORDER BY created_at, rule_id")
                .execute(Tuple.of(projectId)).map(AlertRepository::rules);
    }

    Future<List<AlertRule>> enabledRules(String projectId, String themeId) {
        return pool.preparedQuery("SELECT " + RULE_COLUMNS + " FROM alert_rules WHERE project_id = $1 AND theme_id = $2 AND enabled"
                        + " ORDER BY rule_id")
                .execute(Tuple.of(projectId, themeId)).map(AlertRepository::rules);
    }

    Future<Optional<AlertRule>> rule(String projectId, String ruleId) {
        return pool.preparedQuery("SELECT " + RULE_COLUMNS + " FROM alert_rules WHERE project_id = $1 AND rule_id = $2")
                .execute(Tuple.of(projectId, ruleId)).map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rule(rows.iterator().next())));
    }

    Future<List<ThemeKey>> themesWithRules() {
        return pool.query("SELECT DISTINCT project_id, theme_id FROM alert_rules WHERE enabled ORDER BY project_id, theme_id").execute()
                .map(rows -> {
                    List<ThemeKey> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ThemeKey(r.getString(0), r.getString(1))));
                    return out;
                });
    }

    /** @return empty when the project does not exist (a foreign key) */
    Future<AlertRule> insert(AlertRule r) {
        return pool.preparedQuery("""
                        INSERT INTO alert_rules (project_id, rule_id, name, theme_id, trigger, conditions, destinations, cooldown_seconds, enabled)
                        VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7::text::jsonb, $8, $9) RETURNING\s""" + RULE_COLUMNS)
                .execute(ruleTuple(r)).map(rows -> rule(rows.iterator().next()));
    }

    Future<Optional<AlertRule>> update(AlertRule r) {
        return pool.preparedQuery("""
                        UPDATE alert_rules SET name = $3, theme_id = $4, trigger = $5::text::jsonb, conditions = $6::text::jsonb,
                            destinations = $7::text::jsonb, cooldown_seconds = $8, enabled = $9, updated_at = now()
                        WHERE project_id = $1 AND rule_id = $2 RETURNING\s""" + RULE_COLUMNS)
                .execute(ruleTuple(r)).map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rule(rows.iterator().next())));
    }

    Future<Optional<AlertRule>> delete(String projectId, String ruleId) {
        return pool.preparedQuery("DELETE FROM alert_rules WHERE project_id = $1 AND rule_id = $2 RETURNING " + RULE_COLUMNS)
                .execute(Tuple.of(projectId, ruleId)).map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rule(rows.iterator().next())));
    }

    private static Tuple ruleTuple(AlertRule r) {
        ObjectNode stored = RuleParser.stored(r);
        return Tuple.tuple().addString(r.projectId()).addString(r.ruleId()).addString(r.name()).addString(r.themeId())
                .addString(stored.get("trigger").toString()).addString(stored.get("conditions").toString())
                .addString(stored.get("destinations").toString()).addInteger(r.cooldownSeconds()).addBoolean(r.enabled());
    }

    private static List<AlertRule> rules(Iterable<Row> rows) {
        List<AlertRule> out = new ArrayList<>();
        rows.forEach(r -> out.add(rule(r)));
        return out;
    }

    private static AlertRule rule(Row r) {
        List<ObjectNode> destinations = new ArrayList<>();
        json(r.getString(6)).forEach(d -> destinations.add((ObjectNode) d));
        return new AlertRule(r.getString(0), r.getString(1), r.getString(2), r.getString(3), RuleParser.trigger(json(r.getString(4))),
                RuleParser.conditions(json(r.getString(5))), destinations, r.getInteger(7), r.getBoolean(8),
                r.getOffsetDateTime(9).toInstant(), r.getOffsetDateTime(10).toInstant());
    }

    // ---- firings

    /**
     * When each of these rules last fired for each cluster, keyed by {@code rule + "/" + cluster}; a theme-level firing
     * ({@code share_changed}, no cluster) under {@link AlertEvaluator#themeSubject}.
     */
    Future<Map<String, Instant>> lastFired(String projectId, List<String> ruleIds) {
        return pool.preparedQuery("SELECT rule_id, coalesce(cluster_id, 'theme:' || theme_id), max(fired_at) FROM alert_firings WHERE project_id = $1"
                        + " AND rule_id = ANY($2::text[]) AND (cluster_id IS NOT NULL OR kind = 'share_changed') AND kind <> 'test' GROUP BY 1, 2")
                .execute(Tuple.tuple().addString(projectId).addArrayOfString(ruleIds.toArray(new String[0]))).map(rows -> {
                    Map<String, Instant> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0) + "/" + r.getString(1), r.getOffsetDateTime(2).toInstant()));
                    return out;
                });
    }

    /** Those of {@code keys} that fired before. */
    Future<java.util.Set<String>> firedKeys(String projectId, java.util.Collection<String> keys) {
        if (keys.isEmpty()) {
            return Future.succeededFuture(java.util.Set.of());
        }
        return pool.preparedQuery("SELECT dedupe_key FROM alert_firings WHERE project_id = $1 AND dedupe_key = ANY($2::text[])")
                .execute(Tuple.tuple().addString(projectId).addArrayOfString(keys.toArray(new String[0]))).map(rows -> {
                    java.util.Set<String> out = new java.util.HashSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /**
     * Stores the firing and one pending delivery per destination in one transaction, before anything is sent.
     *
     * @return empty when a firing with the same de-duplication key exists (this news was queued before)
     */
    Future<Optional<Fired>> fire(AlertNotice notice, List<ObjectNode> destinations) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        INSERT INTO alert_firings (project_id, rule_id, theme_id, cluster_id, kind, dedupe_key, notice, fired_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8) ON CONFLICT (project_id, dedupe_key) DO NOTHING RETURNING id""")
                .execute(Tuple.tuple().addString(notice.projectId()).addString(notice.ruleId()).addString(notice.themeId())
                        .addString(notice.clusterId()).addString(notice.kind()).addString(notice.dedupeKey())
                        .addString(NoticeJson.write(notice).toString()).addOffsetDateTime(utc(notice.firedAt())))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Optional.<Fired>empty());
                    }
                    long firingId = rows.iterator().next().getLong(0);
                    return deliveries(conn, notice, firingId, destinations).map(ids -> Optional.of(new Fired(firingId, ids)));
                }));
    }

    private static Future<List<Long>> deliveries(SqlConnection conn, AlertNotice notice, long firingId, List<ObjectNode> destinations) {
        List<Tuple> batch = new ArrayList<>();
        for (int i = 0; i < destinations.size(); i++) {
            batch.add(Tuple.tuple().addLong(firingId).addString(notice.projectId()).addString(notice.ruleId()).addInteger(i)
                    .addString(destinations.get(i).path("type").asText()).addString(destinations.get(i).toString()));
        }
        if (batch.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return conn.preparedQuery("""
                        INSERT INTO alert_deliveries (firing_id, project_id, rule_id, destination_index, destination_type, destination)
                        VALUES ($1, $2, $3, $4, $5, $6::text::jsonb) ON CONFLICT (firing_id, destination_index) DO NOTHING RETURNING id""")
                .executeBatch(batch).map(rows -> {
                    List<Long> ids = new ArrayList<>();
                    for (var rs = rows; rs != null; rs = rs.next()) {
                        rs.forEach(r -> ids.add(r.getLong(0)));
                    }
                    return ids;
                });
    }

    // ---- deliveries

    /**
     * Takes up to {@code limit} due deliveries: pending ones whose time came, and ones whose sender's lease ran out (its
     * process died mid-send). Each claim counts an attempt and leases the row for {@code lease}.
     */
    Future<List<Claimed>> claim(int limit, Duration lease) {
        return pool.preparedQuery("""
                        WITH due AS (
                            SELECT id FROM alert_deliveries
                            WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until <= now())
                            ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
                        UPDATE alert_deliveries d SET status = 'sending', attempts = d.attempts + 1,
                            lease_until = now() + make_interval(secs => $2), updated_at = now()
                        FROM due, alert_firings f WHERE d.id = due.id AND f.id = d.firing_id
                        RETURNING d.id, d.attempts, d.destination_type, d.destination::text, f.notice::text""")
                .execute(Tuple.of(limit, (double) lease.toMillis() / 1000)).map(rows -> {
                    List<Claimed> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Claimed(r.getLong(0), r.getInteger(1), r.getString(2), (ObjectNode) json(r.getString(3)),
                            NoticeJson.read(json(r.getString(4))))));
                    return out;
                });
    }

    /**
     * Records one attempt's outcome and the row's next state; nothing when the lease was lost meanwhile (another worker
     * claimed the row again after the lease ran out: its attempt number moved on).
     *
     * @param retryIn when to try again, or null when the row is done (delivered, or dead)
     */
    Future<Void> record(Claimed c, SendOutcome outcome, long elapsedMillis, Duration retryIn) {
        String status = outcome.delivered() ? "delivered" : retryIn == null ? "dead" : "pending";
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        UPDATE alert_deliveries SET status = $3, lease_until = NULL, last_status_code = $4, last_error = $5,
                            external_ref = coalesce($6, external_ref), updated_at = now(),
                            next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + make_interval(secs => $7) ELSE next_attempt_at END,
                            delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END
                        WHERE id = $1 AND attempts = $2 AND status = 'sending'""")
                .execute(Tuple.tuple().addLong(c.id()).addInteger(c.attempt()).addString(status).addInteger(outcome.statusCode())
                        .addString(outcome.delivered() ? null : outcome.detail()).addString(outcome.externalRef())
                        .addDouble(retryIn == null ? 0.0 : retryIn.toMillis() / 1000.0))
                .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture() : conn.preparedQuery("""
                                INSERT INTO alert_attempts (delivery_id, attempt, status_code, error, elapsed_ms) VALUES ($1, $2, $3, $4, $5)
                                ON CONFLICT (delivery_id, attempt) DO NOTHING""")
                        .execute(Tuple.tuple().addLong(c.id()).addInteger(c.attempt()).addInteger(outcome.statusCode())
                                .addString(outcome.delivered() ? null : outcome.detail()).addLong(elapsedMillis))
                        .mapEmpty()));
    }

    /**
     * The issues kept for a cluster that exist on their tracker (a URL known), one per issue however many rules share
     * it, oldest first.
     */
    Future<AlertCommand.Tickets> clusterTickets(String projectId, String clusterId) {
        return pool.preparedQuery("""
                        SELECT DISTINCT ON (url) destination_type, external_number, url, state, closed_at
                          FROM alert_tickets WHERE project_id = $1 AND cluster_id = $2 AND url IS NOT NULL AND state <> 'creating'
                         ORDER BY url, closed_at NULLS FIRST""")
                .execute(Tuple.of(projectId, clusterId))
                .map(rows -> {
                    List<AlertCommand.Ticket> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new AlertCommand.Ticket(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                            r.getOffsetDateTime(4) == null ? null : r.getOffsetDateTime(4).toInstant())));
                    out.sort(java.util.Comparator.comparing(AlertCommand.Ticket::destinationType).thenComparing(AlertCommand.Ticket::url));
                    return new AlertCommand.Tickets(out);
                });
    }

    Future<AlertCommand.Deliveries> deliveries(String projectId, String ruleId, int limit, Long before) {
        return pool.preparedQuery("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries d JOIN alert_firings f ON f.id = d.firing_id"
                        + " WHERE d.project_id = $1 AND d.rule_id = $2 AND ($4::bigint IS NULL OR d.id < $4) ORDER BY d.id DESC LIMIT $3")
                .execute(Tuple.of(projectId, ruleId, limit + 1, before))
                .compose(rows -> withLog(rows).map(list -> {
                    boolean more = list.size() > limit;
                    List<AlertCommand.Delivery> page = more ? list.subList(0, limit) : list;
                    return new AlertCommand.Deliveries(List.copyOf(page), more ? page.get(page.size() - 1).id() : null);
                }));
    }

    Future<List<AlertCommand.Delivery>> deliveriesOfFiring(long firingId) {
        return pool.preparedQuery("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries d JOIN alert_firings f ON f.id = d.firing_id"
                        + " WHERE d.firing_id = $1 ORDER BY d.destination_index")
                .execute(Tuple.of(firingId)).compose(this::withLog);
    }

    private Future<List<AlertCommand.Delivery>> withLog(Iterable<Row> rows) {
        Map<Long, Row> byId = new LinkedHashMap<>();
        rows.forEach(r -> byId.put(r.getLong(0), r));
        if (byId.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return pool.preparedQuery("SELECT delivery_id, attempt, at, status_code, error, elapsed_ms FROM alert_attempts"
                        + " WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, attempt")
                .execute(Tuple.tuple().addArrayOfLong(byId.keySet().toArray(new Long[0]))).map(attempts -> {
                    Map<Long, List<AlertCommand.Attempt>> logs = new HashMap<>();
                    attempts.forEach(a -> logs.computeIfAbsent(a.getLong(0), k -> new ArrayList<>()).add(new AlertCommand.Attempt(a.getInteger(1),
                            a.getOffsetDateTime(2).toInstant(), a.getInteger(3), a.getString(4), a.getLong(5))));
                    List<AlertCommand.Delivery> out = new ArrayList<>();
                    byId.values().forEach(r -> out.add(new AlertCommand.Delivery(r.getLong(0), r.getLong(1), r.getString(2), r.getString(3),
                            r.getString(4), r.getInteger(5), r.getString(6), r.getString(7), r.getInteger(8), r.getInteger(9), r.getString(10),
                            r.getString(11), instant(r.getOffsetDateTime(12)), instant(r.getOffsetDateTime(13)), instant(r.getOffsetDateTime(14)),
                            List.copyOf(logs.getOrDefault(r.getLong(0), List.of())))));
                    return out;
                });
    }

    static boolean duplicate(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return (t == null ? Instant.now() : t).atOffset(ZoneOffset.UTC);
    }

    private static JsonNode json(String text) {
        try {
            return text == null ? RuleParser.MAPPER.nullNode() : RuleParser.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored alert JSON is unreadable", e);
        }
    }
}
