package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.util.List;

/** Posts events to a Prism (or PostHog) server's {@code /batch/} endpoint, the way PostHog SDKs do. */
final class BatchSender implements AutoCloseable {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private final Vertx vertx;
    private final WebClient client;
    private final String batchPath;
    private final String token;

    BatchSender(Vertx vertx, String baseUrl, String token) {
        this.vertx = vertx;
        URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        boolean tls = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(uri.getHost()).setDefaultPort(port).setSsl(tls),
                new PoolOptions().setHttp1MaxSize(16));
        this.batchPath = uri.getPath() + "batch/";
        this.token = token;
    }

    /** Sends one batch; succeeds with the server's JSON answer whatever its status. */
    Future<Answer> send(List<JsonNode> events) {
        ObjectNode body = MAPPER.createObjectNode().put("api_key", token);
        body.putArray("batch").addAll(events);
        return sendRaw(Buffer.buffer(body.toString()));
    }

    Future<Answer> sendRaw(Buffer body) {
        return client.post(batchPath).putHeader("Content-Type", "application/json").sendBuffer(body).map(BatchSender::answer);
    }

    private static Answer answer(HttpResponse<Buffer> response) {
        JsonNode json;
        try {
            json = MAPPER.readTree(response.bodyAsString() == null ? "{}" : response.bodyAsString());
        } catch (Exception e) {
            json = MAPPER.createObjectNode().put("error", "unreadable answer").put("detail", String.valueOf(response.bodyAsString()));
        }
        return new Answer(response.statusCode(), json);
    }

    record Answer(int status, JsonNode json) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        client.close();
    }
}
