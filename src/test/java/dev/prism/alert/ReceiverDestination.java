package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A destination for tests: posts the notice as JSON ({@link NoticeJson}) to the configured {@code url} with the
 * configured {@code token} as a bearer, and reads the answer as real destinations do: 2xx delivered, 5xx and 429
 * retryable (with {@code Retry-After} in seconds), other 4xx not, no answer retryable.
 */
public final class ReceiverDestination implements Destination {

    public static final String TYPE = "receiver";
    private final HttpClient client;

    public ReceiverDestination(Vertx vertx) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String validate(JsonObject config) {
        String url = config.getString("url");
        if (url == null || !url.startsWith("http://")) {
            return "url: an http:// URL";
        }
        return config.getString("token") == null ? "token: required" : null;
    }

    @Override
    public List<URI> targets(JsonObject config) {
        return List.of(URI.create(config.getString("url")));
    }

    @Override
    public Future<SendOutcome> send(AlertNotice notice, JsonObject config) {
        Buffer body = Buffer.buffer(NoticeJson.write(notice).toString());
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.getString("url"))
                        .putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer " + config.getString("token")))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> {
                    int status = resp.statusCode();
                    if (status >= 200 && status < 300) {
                        return SendOutcome.delivered(status, null);
                    }
                    String retryAfter = resp.getHeader("Retry-After");
                    return SendOutcome.failed(status, status >= 500 || status == 429,
                            retryAfter == null ? null : Duration.ofSeconds(Long.parseLong(retryAfter.trim())), "receiver answered " + status);
                }))
                .otherwise(e -> SendOutcome.failed(null, true, null, "no answer: " + e.getClass().getSimpleName()));
    }
}
