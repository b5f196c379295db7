package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import static dev.prism.llm.ProviderHttp.MAPPER;

/**
 * Anthropic Messages API: {@code POST {base}/v1/messages} with {@code x-api-key} and {@code anthropic-version}. The
 * answer is prefilled with "{" so the model continues a JSON object; the parser reads it back whole.
 */
public final class AnthropicProvider implements LlmProvider {

    static final String VERSION = "2023-06-01";

    private final ProviderHttp http;
    private final String apiKey;

    /** @param baseUrl e.g. {@code https://api.anthropic.com} */
    public AnthropicProvider(Vertx vertx, String baseUrl, String apiKey, long timeoutMillis, int maxConnections) {
        this.http = new ProviderHttp(vertx, baseUrl, timeoutMillis, maxConnections);
        this.apiKey = apiKey;
    }

    @Override
    public Future<Reply> complete(Request request) {
        ObjectNode body = MAPPER.createObjectNode().put("model", request.model()).put("max_tokens", request.maxTokens())
                .put("temperature", 0).put("system", request.system());
        body.putArray("messages")
                .add(MAPPER.createObjectNode().put("role", "user").put("content", request.user()))
                .add(MAPPER.createObjectNode().put("role", "assistant").put("content", "{"));
        var call = http.post("v1/messages").putHeader("anthropic-version", VERSION);
        if (apiKey != null && !apiKey.isBlank()) {
            call.putHeader("x-api-key", apiKey);
        }
        long started = System.nanoTime();
        return http.send(call, body, json -> {
            StringBuilder text = new StringBuilder("{");
            for (JsonNode block : json.path("content")) {
                if ("text".equals(block.path("type").asText())) {
                    text.append(block.path("text").asText());
                }
            }
            JsonNode usage = json.path("usage");
            // Anthropic's input_tokens leaves out cache reads and writes: added here so input always counts them all.
            long read = usage.path("cache_read_input_tokens").asLong(0);
            long write = usage.path("cache_creation_input_tokens").asLong(0);
            return new Reply(text.toString(), usage.path("input_tokens").asLong(0) + read + write, usage.path("output_tokens").asLong(0),
                    (System.nanoTime() - started) / 1_000_000, json.path("model").asText(request.model()), read, write);
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
