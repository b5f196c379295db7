package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static dev.prism.llm.ProviderHttp.MAPPER;

/**
 * Gemini generateContent: {@code POST {base}/v1beta/models/{model}:generateContent} with {@code x-goog-api-key}, JSON
 * output requested through {@code responseMimeType} and {@code responseSchema}.
 */
public final class GeminiProvider implements LlmProvider {

    private final ProviderHttp http;
    private final String apiKey;

    /** @param baseUrl e.g. {@code https://generativelanguage.googleapis.com} */
    public GeminiProvider(Vertx vertx, String baseUrl, String apiKey, long timeoutMillis, int maxConnections) {
        this.http = new ProviderHttp(vertx, baseUrl, timeoutMillis, maxConnections);
        this.apiKey = apiKey;
    }

    @Override
    public Future<Reply> complete(Request request) {
        ObjectNode body = MAPPER.createObjectNode();
        body.putObject("systemInstruction").putArray("parts").addObject().put("text", request.system());
        body.putArray("contents").addObject().put("role", "user").putArray("parts").addObject().put("text", request.user());
        ObjectNode config = body.putObject("generationConfig").put("temperature", 0).put("maxOutputTokens", request.maxTokens())
                .put("responseMimeType", "application/json");
        ObjectNode schema = config.putObject("responseSchema").put("type", "OBJECT");
        ObjectNode props = schema.putObject("properties");
        var required = schema.putArray("required");
        for (AnswerShape.Field f : request.shape().fields()) {
            ObjectNode p = props.putObject(f.name()).put("type", f.type().toUpperCase(java.util.Locale.ROOT));
            if (!f.values().isEmpty()) {
                f.values().forEach(p.putArray("enum")::add);
            }
            if (f.required()) {
                required.add(f.name());
            }
        }
        var call = http.post("v1beta/models/" + URLEncoder.encode(request.model(), StandardCharsets.UTF_8) + ":generateContent");
        if (apiKey != null && !apiKey.isBlank()) {
            call.putHeader("x-goog-api-key", apiKey);
        }
        long started = System.nanoTime();
        return http.send(call, body, json -> {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : json.path("candidates").path(0).path("content").path("parts")) {
                if (!part.path("thought").asBoolean(false)) {
                    text.append(part.path("text").asText(""));
                }
            }
            JsonNode usage = json.path("usageMetadata");
            // promptTokenCount includes cachedContentTokenCount.
            return new Reply(text.toString(), usage.path("promptTokenCount").asLong(0), usage.path("candidatesTokenCount").asLong(0),
                    (System.nanoTime() - started) / 1_000_000, json.path("modelVersion").asText(request.model()),
                    usage.path("cachedContentTokenCount").asLong(0), 0);
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
