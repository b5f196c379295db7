package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.http.BaseUrl;
import dev.prism.http.HttpReplies;
import dev.prism.llm.LlmProvider.ProviderException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What every provider does the same way: one web client per base URL, a hard deadline with {@link Future#timeout}
 * (the web client's own timeout only measures idleness), and one mapping of HTTP failures to retryable or not, with
 * Retry-After honoured. Error messages carry the provider's words, never the request's headers.
 */
final class ProviderHttp {

    static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private final WebClient client;
    private final String basePath;
    private final long timeoutMillis;

    /** @param maxConnections as many as calls may be in flight: the client's default pool of 5 would cap concurrency */
    ProviderHttp(Vertx vertx, String baseUrl, long timeoutMillis, int maxConnections) {
        BaseUrl base = BaseUrl.parse(baseUrl);
        this.client = base.client(vertx, maxConnections);
        this.basePath = base.path() + "/";
        this.timeoutMillis = timeoutMillis;
    }

    HttpRequest<Buffer> post(String relativePath) {
        return client.post(basePath + relativePath).putHeader("Content-Type", "application/json");
    }

    /** Sends, enforces the deadline, and turns a 200 into a reply with {@code read}; anything else into a ProviderException. */
    <T> Future<T> send(HttpRequest<Buffer> request, JsonNode body, Function<JsonNode, T> read) {
        return request.sendBuffer(Buffer.buffer(body.toString()))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(new ProviderException("call failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), 0, true, -1)))
                .compose(r -> {
                    int status = r.statusCode();
                    if (status != 200) {
                        return Future.failedFuture(new ProviderException("HTTP " + status + ": " + HttpReplies.errorMessage(r.bodyAsString()),
                                status, HttpReplies.retryable(status), HttpReplies.retryAfterMillis(r.getHeader("Retry-After"))));
                    }
                    try {
                        return Future.succeededFuture(read.apply(MAPPER.readTree(r.bodyAsString())));
                    } catch (Exception e) {
                        return Future.failedFuture(new ProviderException("unreadable response body", status, true, -1));
                    }
                });
    }



    void close() {
        client.close();
    }
}
