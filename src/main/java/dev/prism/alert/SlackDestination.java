package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * {@code type: "slack"}, config {@code url}: a Slack incoming-webhook URL (its path is the secret). Posts a
 * {@link SlackMessage}; Slack answers 200 {@code ok}, or an error word ({@code invalid_payload}, {@code no_service})
 * with a 4xx, or 429 with {@code Retry-After}.
 */
public final class SlackDestination implements Destination {

    private final GuardedHttp http;

    public SlackDestination(GuardedHttp http) {
        this.http = http;
    }

    @Override
    public String type() {
        return "slack";
    }

    @Override
    public String validate(JsonObject config) {
        return DestinationConfig.urlProblem(config, "url", http.policy());
    }

    @Override
    public List<URI> targets(JsonObject config) {
        return List.of(URI.create(config.getString("url")));
    }

    @Override
    public Future<SendOutcome> send(AlertNotice notice, JsonObject config) {
        List<String> secrets = List.of(config.getString("url"));
        String body = SlackMessage.of(notice).toString();
        return http.send(GuardedHttp.Request.postJson(URI.create(config.getString("url")), Map.of(), body))
                .map(r -> r.status() >= 200 && r.status() < 300
                        ? SendOutcome.delivered(r.status(), null)
                        : Outcomes.ofStatus(r.status(), r.headers().get("Retry-After"), "Slack", DestinationConfig.shortText(r.body()), secrets))
                .otherwise(e -> Outcomes.ofFailure(e, "Slack", secrets));
    }
}
