package dev.prism.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local OpenAI-compatible provider for servers in other JVMs: answers every analysis as relevant after a delay (so
 * calls are in flight when a server is killed), embeds texts by their hash, and logs each analysis call by
 * "theme name/trace id" with when it arrived and which API key (which instance) asked.
 */
public final class FakeOpenAiProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern THEME = Pattern.compile("for the analysis theme \"([^\"]+)\"");
    private static final Pattern TRACE = Pattern.compile("\\(id ([^)]+)\\)");

    /** One analysis call: when it arrived and the API key it carried. */
    public record Call(Instant at, String apiKey) {
    }

    private final Map<String, List<Call>> requests = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();
    private HttpServer server;

    private FakeOpenAiProvider() {
    }

    /**
     * @param delayMillis how long each chat answer takes
     * @param summary     the summary answered for a trace id (the same text embeds to the same vector)
     */
    public static FakeOpenAiProvider start(Vertx vertx, long delayMillis, Function<String, String> summary) throws Exception {
        FakeOpenAiProvider fake = new FakeOpenAiProvider();
        fake.server = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            if (req.path().endsWith("/embeddings")) {
                req.response().putHeader("Content-Type", "application/json").end(embeddings(b.toString()));
                return;
            }
            String apiKey = String.valueOf(req.getHeader("Authorization")).replace("Bearer ", "");
            String key = key(b.toString());
            if (!key.contains("?")) { // cluster naming (a theme's first 10 summaries) asks without a trace: not an analysis
                fake.requests.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(new Call(Instant.now(), apiKey));
            }
            AtomicInteger flying = fake.inFlight.computeIfAbsent(apiKey, k -> new AtomicInteger());
            flying.incrementAndGet();
            String trace = key.substring(key.indexOf('/') + 1);
            ObjectNode content = JSON.createObjectNode().put("theme_relevant", true).put("title", "t")
                    .put("summary", trace.equals("?") ? "crash test summary" : summary.apply(trace)).put("severity", "low");
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", content.toString());
            reply.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 10);
            vertx.setTimer(delayMillis, id -> {
                flying.decrementAndGet();
                fake.answered.incrementAndGet();
                req.response().putHeader("Content-Type", "application/json").end(reply.toString());
            });
        })).listen(0, "127.0.0.1"));
        return fake;
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    /** Analysis calls by "theme name/trace id". */
    public Map<String, List<Call>> requests() {
        return requests;
    }

    /** Chat calls awaiting their answer, of all callers. */
    public int inFlight() {
        return inFlight.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Chat calls awaiting their answer, of the callers with this API key. */
    public int inFlight(String apiKey) {
        AtomicInteger n = inFlight.get(apiKey);
        return n == null ? 0 : n.get();
    }

    public int answered() {
        return answered.get();
    }

    public Future<Void> close() {
        return server.close();
    }

    /**
     * Checks the log against the stored analyses ("theme name/trace id" → when it completed): every call has a stored
     * analysis, no call came after that analysis was stored, and a call was repeated only across a kill (the previous
     * attempt before one, the repeat after it). Returns how many calls were repeats.
     */
    public int assertEachAnsweredOnce(Map<String, Instant> completed, List<Instant> kills) {
        int repeats = 0;
        for (Map.Entry<String, List<Call>> e : requests.entrySet()) {
            Instant done = completed.get(e.getKey());
            assertThat(done).as("a provider call without a stored analysis: " + e.getKey()).isNotNull();
            List<Instant> attempts = e.getValue().stream().map(Call::at).sorted().toList();
            for (int i = 0; i < attempts.size(); i++) {
                assertThat(attempts.get(i)).as("sent again after it was finished: " + e.getKey()).isBefore(done);
                if (i > 0) {
                    Instant previous = attempts.get(i - 1);
                    Instant again = attempts.get(i);
                    assertThat(kills).as("a kill between two calls for " + e.getKey() + " (" + previous + ", " + again + ")")
                            .anyMatch(kill -> kill.isAfter(previous) && kill.isBefore(again));
                }
            }
            repeats += attempts.size() - 1;
        }
        assertThat(requests.keySet()).as("every analysis was one provider call").containsAll(completed.keySet());
        return repeats;
    }

    /** "theme name/trace id" of an analysis prompt; "?" for what it cannot tell. */
    static String key(String body) {
        try {
            String prompt = JSON.readTree(body).get("messages").get(1).get("content").asText();
            Matcher t = THEME.matcher(prompt);
            Matcher id = TRACE.matcher(prompt);
            return (t.find() ? t.group(1) : "?") + "/" + (id.find() ? id.group(1) : "?");
        } catch (Exception e) {
            return "?/?";
        }
    }

    /** Eight dimensions from the text's hash: equal texts, equal vectors. */
    static String embeddings(String body) {
        try {
            JsonNode input = JSON.readTree(body).path("input");
            ObjectNode answer = JSON.createObjectNode().put("object", "list").put("model", "fake-embedding");
            ArrayNode data = answer.putArray("data");
            for (int i = 0; i < input.size(); i++) {
                ArrayNode v = JSON.createArrayNode();
                String text = input.get(i).asText();
                for (int d = 0; d < 8; d++) {
                    v.add(1 + (text.hashCode() >>> d & 7));
                }
                data.add(JSON.createObjectNode().put("object", "embedding").put("index", i).set("embedding", v));
            }
            answer.putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
            return answer.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
