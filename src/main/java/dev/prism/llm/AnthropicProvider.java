package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import static dev.prism.llm.ProviderHttp.MAPPER;

/**
 * Anthropic Messages API: {@code POST {base}/v1/messages} with {@code x-api-key} and {@code anthropic-version}. The
 * answer is prefilled with "{" so the model continues a JSON object; the parser reads it back whole. The part of the
 * prompt shared across themes (the system message and the trace every theme's prompt for it starts with) is marked
 * for Anthropic's prompt cache.
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
        var messages = body.putArray("messages");
        messages.add(MAPPER.createObjectNode().put("role", "user").set("content", userContent(request)));
        messages.add(MAPPER.createObjectNode().put("role", "assistant").put("content", "{"));
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

    /**
     * The user message. When its start is shared with other requests (the fenced trace every theme's prompt for it
     * begins with), that part is a block of its own marked {@code cache_control: ephemeral}: Anthropic caches only
     * what is marked, and the requests of the other themes then read the system message and the trace from the cache
     * (at a tenth of the input price, for five minutes). A prefix below the model's minimum cacheable length is simply
     * not cached.
     */
    static com.fasterxml.jackson.databind.node.ArrayNode userContent(Request request) {
        var blocks = MAPPER.createArrayNode();
        int shared = request.sharedPrefixChars();
        if (shared > 0) {
            blocks.addObject().put("type", "text").put("text", request.user().substring(0, shared))
                    .putObject("cache_control").put("type", "ephemeral");
            if (shared < request.user().length()) {
                blocks.addObject().put("type", "text").put("text", request.user().substring(shared));
            }
        } else {
            blocks.addObject().put("type", "text").put("text", request.user());
        }
        return blocks;
    }

    @Override
    public void close() {
        http.close();
    }
}
