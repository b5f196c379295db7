package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * OpenAI Chat Completions with a strict JSON schema for the answer, for any OpenAI-compatible server (OpenAI, Ollama,
 * vLLM, LM Studio, …). The deadline is a hard {@link Future#timeout}, not the web client's idle timeout.
 */
public final class OpenAiProvider implements LlmProvider {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNode ANSWER_SCHEMA = schema();

    private final WebClient client;
    private final String path;
    private final String apiKey;
    private final long timeoutMillis;

    /** @param baseUrl e.g. {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1} */
    public OpenAiProvider(Vertx vertx, String baseUrl, String apiKey, long timeoutMillis) {
        URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        boolean tls = "https".equals(uri.getScheme());
        this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80).setSsl(tls));
        this.path = uri.getPath() + "chat/completions";
        this.apiKey = apiKey;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Future<Reply> complete(Request request) {
        ObjectNode body = MAPPER.createObjectNode().put("model", request.model()).put("temperature", 0)
                .put("max_tokens", request.maxTokens());
        body.putArray("messages")
                .add(MAPPER.createObjectNode().put("role", "system").put("content", request.system()))
                .add(MAPPER.createObjectNode().put("role", "user").put("content", request.user()));
        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
        format.putObject("json_schema").put("name", "trace_analysis").put("strict", true).set("schema", ANSWER_SCHEMA);
        long started = System.nanoTime();
        var call = client.post(path).putHeader("Content-Type", "application/json");
        if (apiKey != null && !apiKey.isBlank()) {
            call.putHeader("Authorization", "Bearer " + apiKey);
        }
        return call.sendBuffer(Buffer.buffer(body.toString()))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(e instanceof LlmProvider.ProviderException ? e
                        : new ProviderException("call failed: " + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : " " + e.getMessage()), 0, true, -1)))
                .compose(r -> reply(r, request, (System.nanoTime() - started) / 1_000_000));
    }

    private static Future<Reply> reply(HttpResponse<Buffer> r, Request request, long latency) {
        int status = r.statusCode();
        if (status != 200) {
            boolean retryable = status == 429 || status == 408 || status >= 500;
            return Future.failedFuture(new ProviderException("HTTP " + status + ": " + errorMessage(r), status, retryable, retryAfter(r)));
        }
        try {
            JsonNode json = MAPPER.readTree(r.bodyAsString());
            JsonNode message = json.path("choices").path(0).path("message");
            String text = message.path("content").isTextual() ? message.get("content").asText()
                    : message.path("refusal").asText("");
            JsonNode usage = json.path("usage");
            return Future.succeededFuture(new Reply(text, usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                    latency, json.path("model").asText(request.model())));
        } catch (Exception e) {
            return Future.failedFuture(new ProviderException("unreadable response body", status, true, -1));
        }
    }

    private static String errorMessage(HttpResponse<Buffer> r) {
        try {
            JsonNode json = MAPPER.readTree(r.bodyAsString());
            String m = json.path("error").path("message").asText("");
            return m.length() > 300 ? m.substring(0, 300) : m;
        } catch (Exception e) {
            return "";
        }
    }

    /** Retry-After in seconds (or an HTTP date, treated as unknown) → milliseconds, -1 when absent. */
    static long retryAfter(HttpResponse<Buffer> r) {
        String v = r.getHeader("Retry-After");
        if (v == null) {
            return -1;
        }
        try {
            return (long) (Double.parseDouble(v.trim()) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static JsonNode schema() {
        ObjectNode s = MAPPER.createObjectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode props = s.putObject("properties");
        props.putObject("theme_relevant").put("type", "boolean");
        props.putObject("title").put("type", "string");
        props.putObject("summary").put("type", "string");
        props.putObject("severity").put("type", "string").putArray("enum").add("low").add("medium").add("high");
        s.putArray("required").add("theme_relevant").add("title").add("summary").add("severity");
        return s;
    }

    public void close() {
        client.close();
    }
}
