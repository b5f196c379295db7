package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import static dev.prism.llm.ProviderHttp.MAPPER;

/**
 * OpenAI Chat Completions with a strict JSON schema for the answer, for any OpenAI-compatible server (OpenAI, Ollama,
 * vLLM, LM Studio, …): {@code POST {base}/chat/completions}, key as Bearer. OpenAI caches a request's first 1,024 or
 * more tokens on its own when a recent request began the same way; nothing is marked.
 */
public final class OpenAiProvider implements LlmProvider {

    static final JsonNode ANSWER_SCHEMA = schema(AnswerShape.ANALYSIS);

    private final ProviderHttp http;
    private final String apiKey;

    /** @param baseUrl e.g. {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1} */
    public OpenAiProvider(Vertx vertx, String baseUrl, String apiKey, long timeoutMillis, int maxConnections) {
        this.http = new ProviderHttp(vertx, baseUrl, timeoutMillis, maxConnections);
        this.apiKey = apiKey;
    }

    @Override
    public Future<Reply> complete(Request request) {
        ObjectNode body = MAPPER.createObjectNode().put("model", request.model()).put("temperature", 0)
                .put("max_tokens", request.maxTokens());
        body.putArray("messages")
                .add(MAPPER.createObjectNode().put("role", "system").put("content", request.system()))
                .add(MAPPER.createObjectNode().put("role", "user").put("content", request.user()));
        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
        format.putObject("json_schema").put("name", request.shape().name()).put("strict", true).set("schema", schema(request.shape()));
        var call = http.post("chat/completions");
        if (apiKey != null && !apiKey.isBlank()) {
            call.putHeader("Authorization", "Bearer " + apiKey);
        }
        long started = System.nanoTime();
        return http.send(call, body, json -> {
            JsonNode message = json.path("choices").path(0).path("message");
            String text = message.path("content").isTextual() ? message.get("content").asText() : message.path("refusal").asText("");
            JsonNode usage = json.path("usage");
            // Responses-API names where a compatible server answers with them; input counts include the cached part.
            return new Reply(text, usage.path("prompt_tokens").asLong(usage.path("input_tokens").asLong(0)),
                    usage.path("completion_tokens").asLong(usage.path("output_tokens").asLong(0)),
                    (System.nanoTime() - started) / 1_000_000, json.path("model").asText(request.model()), cachedTokens(usage), 0);
        });
    }

    /**
     * The cached part of the input, priced as cached input: Chat Completions reports it as
     * {@code usage.prompt_tokens_details.cached_tokens}, the Responses API (which some compatible servers answer
     * with) as {@code usage.input_tokens_details.cached_tokens}; both are included in the input count.
     */
    static long cachedTokens(JsonNode usage) {
        JsonNode chat = usage.path("prompt_tokens_details").path("cached_tokens");
        return chat.isNumber() ? chat.asLong() : usage.path("input_tokens_details").path("cached_tokens").asLong(0);
    }

    /** Strict mode wants every property listed as required. */
    static JsonNode schema(AnswerShape shape) {
        ObjectNode s = MAPPER.createObjectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode props = s.putObject("properties");
        var required = s.putArray("required");
        for (AnswerShape.Field f : shape.fields()) {
            ObjectNode p = props.putObject(f.name()).put("type", f.type());
            if (!f.values().isEmpty()) {
                f.values().forEach(p.putArray("enum")::add);
            }
            required.add(f.name());
        }
        return s;
    }

    @Override
    public void close() {
        http.close();
    }
}
