package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code type: "webhook"}, config {@code url} and {@code secret}: POSTs the notice as snake_case JSON, signed
 * ({@link WebhookSignature}) so the receiver can check it came from this server and is not a replay.
 */
public final class WebhookDestination implements Destination {

    static final int MIN_SECRET_LENGTH = 16;

    private final GuardedHttp http;
    private final Clock clock;

    public WebhookDestination(GuardedHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public String validate(JsonObject config) {
        String urlProblem = DestinationConfig.urlProblem(config, "url", http.policy());
        if (urlProblem != null) {
            return urlProblem;
        }
        String secret = config.getValue("secret") instanceof String s ? s : null;
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            return "secret: required, at least " + MIN_SECRET_LENGTH + " characters (the receiver verifies the signature with it)";
        }
        return null;
    }

    @Override
    public List<URI> targets(JsonObject config) {
        return List.of(URI.create(config.getString("url")));
    }

    @Override
    public Future<SendOutcome> send(AlertNotice notice, JsonObject config) {
        List<String> secrets = secrets(config);
        String body = NoticeJson.write(notice).toString();
        long timestamp = clock.instant().getEpochSecond();
        GuardedHttp.Request request = GuardedHttp.Request.postJson(URI.create(config.getString("url")), Map.of(
                WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp),
                WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(config.getString("secret"), timestamp, body)), body);
        return http.send(request)
                .map(r -> r.status() >= 200 && r.status() < 300
                        ? SendOutcome.delivered(r.status(), null)
                        : Outcomes.ofStatus(r.status(), r.headers().get("Retry-After"), "webhook", DestinationConfig.shortText(r.body()), secrets))
                .otherwise(e -> Outcomes.ofFailure(e, "webhook", secrets));
    }

    static List<String> secrets(JsonObject config) {
        List<String> out = new ArrayList<>();
        out.add(config.getString("secret"));
        out.add(config.getString("url"));
        return out;
    }
}
