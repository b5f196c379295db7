package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.AlertCommand;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.Failure;
import dev.prism.bus.ThemeCommand;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Alert rules: create, read, replace, patch and delete them, list their deliveries, and send a test notice. Each
 * destination object is checked by its {@link Destination#validate}; secrets are stored and never answered.
 *
 * <p>Consumes {@value Addresses#ALERT_LIST}, {@value Addresses#ALERT_GET}, {@value Addresses#ALERT_CREATE},
 * {@value Addresses#ALERT_REPLACE}, {@value Addresses#ALERT_PATCH}, {@value Addresses#ALERT_DELETE},
 * {@value Addresses#ALERT_DELIVERIES}, {@value Addresses#ALERT_TEST} and {@value Addresses#ALERT_TICKETS}; sends {@value Addresses#THEME_GET} (does
 * the theme exist); publishes {@value Addresses#ALERT_QUEUED} after a test notice is queued.
 */
public final class AlertRulesVerticle extends VerticleBase {

    private final AlertRepository repository;
    private final Map<String, Destination> destinations;
    private final List<String> types;

    /** @param destinations one per {@link Destination#type()} */
    public AlertRulesVerticle(Pool pool, List<Destination> destinations) {
        this.repository = new AlertRepository(pool);
        this.destinations = AlertDeliveryVerticle.byType(destinations);
        this.types = List.copyOf(this.destinations.keySet());
    }

    @Override
    public Future<?> start() {
        var bus = vertx.eventBus();
        List<Future<Void>> registered = List.of(
                bus.<AlertCommand.List>consumer(Addresses.ALERT_LIST, m -> answer(m, c -> repository.rules(c.projectId())
                        .map(rules -> new AlertCommand.Rules(rules.stream().map(AlertRulesVerticle::view).toList())))).completion(),
                bus.<AlertCommand.Get>consumer(Addresses.ALERT_GET, m -> answer(m, c -> found(c.projectId(), c.ruleId()).map(AlertRulesVerticle::view)))
                        .completion(),
                bus.<AlertCommand.Create>consumer(Addresses.ALERT_CREATE, m -> answer(m, this::create)).completion(),
                bus.<AlertCommand.Replace>consumer(Addresses.ALERT_REPLACE, m -> answer(m, c -> found(c.projectId(), c.ruleId())
                        .compose(old -> write(old, c.body())))).completion(),
                bus.<AlertCommand.Patch>consumer(Addresses.ALERT_PATCH, m -> answer(m, c -> found(c.projectId(), c.ruleId())
                        .compose(old -> write(old, merged(old, c.body()))))).completion(),
                bus.<AlertCommand.Delete>consumer(Addresses.ALERT_DELETE, m -> answer(m, c -> repository.delete(c.projectId(), c.ruleId())
                        .compose(d -> d.map(r -> Future.succeededFuture(view(r))).orElseGet(() -> Future.failedFuture(notFound(c.ruleId())))))).completion(),
                bus.<AlertCommand.ListDeliveries>consumer(Addresses.ALERT_DELIVERIES, m -> answer(m, c -> found(c.projectId(), c.ruleId())
                        .compose(r -> repository.deliveries(c.projectId(), c.ruleId(), c.limit(), c.before())))).completion(),
                bus.<AlertCommand.Test>consumer(Addresses.ALERT_TEST, m -> answer(m, this::test)).completion(),
                bus.<AlertCommand.ClusterTickets>consumer(Addresses.ALERT_TICKETS,
                        m -> answer(m, c -> repository.clusterTickets(c.projectId(), c.clusterId()))).completion());
        return Future.all(registered);
    }

    private <C, R> void answer(Message<C> message, Function<C, Future<R>> handler) {
        Future<R> reply;
        try {
            reply = handler.apply(message.body());
        } catch (RuntimeException e) {
            reply = Future.failedFuture(e);
        }
        reply.onSuccess(message::reply).onFailure(e -> Failure.reply(message, e));
    }

    private Future<AlertRule> found(String projectId, String ruleId) {
        return repository.rule(projectId, ruleId).compose(r -> r.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(notFound(ruleId))));
    }

    private static Throwable notFound(String ruleId) {
        return new Failure(404, "alert_not_found", "No alert rule " + ruleId).exception();
    }

    private Future<AlertCommand.Rule> create(AlertCommand.Create c) {
        String id = "r_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return parse(c.projectId(), id, c.body(), null).compose(rule -> themeExists(rule).compose(v -> repository.insert(rule))).map(AlertRulesVerticle::view);
    }

    private Future<AlertCommand.Rule> write(AlertRule old, JsonNode body) {
        return parse(old.projectId(), old.ruleId(), body, old.createdAt())
                .compose(rule -> themeExists(rule).compose(v -> repository.update(rule)))
                .compose(updated -> updated.map(r -> Future.succeededFuture(view(r))).orElseGet(() -> Future.failedFuture(notFound(old.ruleId()))));
    }

    /** PATCH: the stored rule (secrets included) with the fields the client sent put over it. */
    private static JsonNode merged(AlertRule old, JsonNode patch) {
        ObjectNode base = RuleParser.stored(old);
        if (patch != null && patch.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                base.set(f.getKey(), f.getValue());
            }
        }
        return base;
    }

    private Future<AlertRule> parse(String projectId, String ruleId, JsonNode body, Instant createdAt) {
        try {
            return Future.succeededFuture(RuleParser.parse(projectId, ruleId, body, types,
                    (type, config) -> destinations.get(type).validate(new JsonObject(config.toString())), createdAt, Instant.now()));
        } catch (RuleParser.Invalid e) {
            return Future.failedFuture(new Failure(400, "invalid_alert", e.getMessage()).exception());
        }
    }

    private Future<Void> themeExists(AlertRule rule) {
        return vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(rule.projectId(), rule.themeId()))
                .<Void>mapEmpty()
                .recover(e -> Failure.from(e).status() == 404
                        ? Future.failedFuture(new Failure(400, "invalid_alert", "theme_id: no theme " + rule.themeId() + " in this project").exception())
                        : Future.failedFuture(e));
    }

    /** A test notice to every destination of the rule, through the same delivery log as real alerts. */
    private Future<AlertCommand.Tested> test(AlertCommand.Test c) {
        return found(c.projectId(), c.ruleId()).compose(rule -> {
            Instant now = Instant.now();
            AlertNotice notice = new AlertNotice(rule.projectId(), rule.ruleId(), rule.name(), rule.themeId(), null, null,
                    "Test alert from Prism", AlertRule.TEST, null, 0, null, null, null, List.of("This is a test of the rule's destinations."),
                    null, null, now, AlertEvaluator.dedupeKey(rule.ruleId(), "test", UUID.randomUUID().toString()));
            return repository.fire(notice, rule.destinations()).compose(fired -> {
                long firingId = fired.orElseThrow().firingId();
                vertx.eventBus().publish(Addresses.ALERT_QUEUED, (long) fired.get().deliveryIds().size());
                return repository.deliveriesOfFiring(firingId).map(d -> new AlertCommand.Tested(rule.ruleId(), firingId, d));
            });
        });
    }

    static AlertCommand.Rule view(AlertRule r) {
        List<ObjectNode> shown = new ArrayList<>();
        r.destinations().forEach(d -> shown.add(RuleParser.publicView(d)));
        return new AlertCommand.Rule(r.projectId(), r.ruleId(), r.name(), r.themeId(), RuleParser.trigger(r.trigger()),
                RuleParser.conditions(r.conditions()), shown, r.cooldownSeconds(), r.enabled(), r.createdAt(), r.updatedAt());
    }
}
