package dev.prism.alert;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The four alert destinations, sharing one {@link GuardedHttp} (one address policy, one connection pool) and the
 * ticket store; what {@code PrismServer} hands to the alert verticle.
 */
public final class AlertDestinations {

    public static final long DEFAULT_TIMEOUT_MILLIS = 10_000;
    static final String USER_AGENT = "Prism-Alerts/1.0 (+https://github.com/prism)";

    /**
     * The {@code alerts} configuration the destinations read.
     *
     * @param policy        which addresses destinations may reach ({@code alerts.allowPrivateDestinations})
     * @param timeoutMillis one exchange with a destination, redirects included ({@code alerts.destinationTimeoutMillis})
     */
    public record Settings(AddressPolicy policy, long timeoutMillis) {

        public static Settings defaults() {
            return new Settings(AddressPolicy.publicOnly(), DEFAULT_TIMEOUT_MILLIS);
        }

        /**
         * From the {@code alerts} object of the configuration: {@code allowPrivateDestinations} is {@code false}
         * (default), {@code true}, a list of CIDRs and host names, or the same comma-separated (from the environment).
         *
         * @throws IllegalArgumentException naming the unusable entry
         */
        public static Settings from(JsonObject alerts) {
            JsonObject a = alerts == null ? new JsonObject() : alerts;
            Object allow = a.getValue("allowPrivateDestinations");
            AddressPolicy policy;
            if (allow == null || Boolean.FALSE.equals(allow)) {
                policy = AddressPolicy.publicOnly();
            } else if (Boolean.TRUE.equals(allow)) {
                policy = AddressPolicy.allowAll();
            } else if (allow instanceof JsonArray list) {
                List<String> entries = new ArrayList<>();
                list.forEach(e -> entries.add(String.valueOf(e)));
                policy = AddressPolicy.parse(entries);
            } else {
                policy = AddressPolicy.parse(String.valueOf(allow));
            }
            long timeout = a.getLong("destinationTimeoutMillis", DEFAULT_TIMEOUT_MILLIS);
            if (timeout <= 0) {
                throw new IllegalArgumentException("alerts.destinationTimeoutMillis must be positive");
            }
            return new Settings(policy, timeout);
        }
    }

    private AlertDestinations() {
    }

    /** {@link #all(Vertx, Pool, Settings)} with the settings read from the configuration's {@code alerts} object. */
    public static List<Destination> all(Vertx vertx, Pool pool, JsonObject alertsConfig) {
        return all(vertx, pool, Settings.from(alertsConfig));
    }

    /** Slack, webhook, Linear and GitHub with the system resolver. */
    public static List<Destination> all(Vertx vertx, Pool pool, Settings settings) {
        return all(new GuardedHttp(vertx, settings.policy(), GuardedHttp.HostResolver.system(vertx), settings.timeoutMillis(), USER_AGENT),
                new AlertTickets(pool), Clock.systemUTC());
    }

    static List<Destination> all(GuardedHttp http, AlertTickets tickets, Clock clock) {
        return List.of(new SlackDestination(http), new WebhookDestination(http, clock), new LinearDestination(http, tickets),
                new GithubDestination(http, tickets, clock));
    }
}
