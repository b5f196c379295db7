package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded prompts end to end: a 24 MB trace analysed through a local OpenAI-compatible server. Every request carries at
 * most {@code llm.maxTraceChars} characters of trace text (an evenly spaced sample of its lines, under a header saying
 * what share is shown) plus the prompt around it; the repair call does not send the trace again.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Bounded prompts")
class PromptCapTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CAP = 60_000;
    /** The system message, the theme's instructions, the fence and its note: everything but the trace text. */
    private static final int PROMPT_ALLOWANCE = 6_000;
    private static final String TRACE = "t-24mb";

    record Call(int bodyBytes, String system, String user) {
    }

    @Test
    @DisplayName("a 24 MB trace is analysed with at most the cap of its text plus the prompt in every request; the repair call resends no trace")
    void hugeTraceIsCapped(Vertx vertx, @TempDir Path dataDir) throws Exception {
        List<Call> calls = new CopyOnWriteArrayList<>();
        AtomicInteger n = new AtomicInteger();
        HttpServer fake = TestServer.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            String system = "";
            String user = "";
            try {
                JsonNode messages = JSON.readTree(b.toString()).get("messages");
                system = messages.get(0).get("content").asText();
                user = messages.get(1).get("content").asText();
            } catch (Exception ignored) {
                // recorded with empty messages: the assertions below then fail
            }
            calls.add(new Call(b.length(), system, user));
            // The first answer is prose, so one analysis goes through the repair call.
            String content = n.incrementAndGet() == 1 ? "Sure, here is my analysis."
                    : "{\"theme_relevant\": true, \"title\": \"Huge trace\", \"summary\": \"ok\", \"severity\": \"low\"}";
            ObjectNode reply = JSON.createObjectNode().put("model", "gpt-4o-mini");
            reply.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", content);
            reply.putObject("usage").put("prompt_tokens", Math.max(1, user.length() / 4)).put("completion_tokens", 30);
            req.response().putHeader("Content-Type", "application/json").end(reply.toString());
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("llm.provider", "openai");
        settings.put("llm.baseUrl", "http://127.0.0.1:" + fake.actualPort() + "/v1");
        settings.put("llm.apiKey", "sk-fake-key-for-tests");
        settings.put("llm.maxTraceChars", String.valueOf(CAP));
        TestServer server = TestServer.start(vertx, settings);
        try {
            List<JsonNode> events = hugeTrace();
            long bytes = events.stream().mapToLong(e -> e.toString().length()).sum();
            assertThat(bytes).as("stored size of the trace").isGreaterThan(24_000_000L);
            for (int from = 0; from < events.size(); from += 500) {
                HttpApi.Response r = server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events.subList(from, Math.min(events.size(), from + 500))));
                assertThat(r.status()).isEqualTo(200);
            }
            // error_analysis selects the trace (it has an error); its summary is stored once the (repaired) call answers.
            JsonNode summaries = server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&limit=10",
                    r -> r.status() == 200 && r.json().get("results").size() == 1, Duration.ofSeconds(120)).json().get("results");
            assertThat(summaries.get(0).get("properties").get("$ai_summary_title").asText()).isEqualTo("Huge trace");

            assertThat(calls).isNotEmpty();
            List<Call> analyses = calls.stream().filter(c -> c.user().contains("<<<TRACE_DATA")).toList();
            List<Call> repairs = calls.stream().filter(c -> c.user().contains("Your previous reply was:")).toList();
            assertThat(analyses).as("analysis calls").isNotEmpty();
            assertThat(repairs).as("one repair call").hasSize(1);
            for (Call c : analyses) {
                String text = fenced(c.user());
                assertThat(text.length()).as("trace text in one prompt").isLessThanOrEqualTo(CAP);
                assertThat(text).startsWith("[showing ").contains("sampled evenly to fit 60,000 characters]");
                assertThat(text).contains("Trace \"huge agent\"");
                assertThat(c.system().length() + c.user().length()).isLessThanOrEqualTo(CAP + PROMPT_ALLOWANCE);
            }
            for (Call c : calls) {
                // JSON escapes the text's newlines and quotes; the schema and field names are a few hundred bytes.
                assertThat(c.bodyBytes()).as("request body").isLessThanOrEqualTo((CAP + PROMPT_ALLOWANCE) * 11 / 10);
            }
            assertThat(repairs.get(0).user()).doesNotContain("TRACE_DATA").doesNotContain("gen-17 question");
            assertThat(repairs.get(0).bodyBytes()).as("the repair call").isLessThan(5_000);
            System.out.printf("24 MB trace: %d calls, largest request body %,d bytes, repair call %,d bytes%n", calls.size(),
                    calls.stream().mapToInt(Call::bodyBytes).max().orElse(0), repairs.get(0).bodyBytes());
        } finally {
            server.stop();
            TestServer.await(fake.close());
        }
    }

    /** The trace text between the fence's markers. */
    private static String fenced(String user) {
        int open = user.indexOf("<<<TRACE_DATA\n");
        int close = user.lastIndexOf("\nTRACE_DATA>>>");
        assertThat(open).isNotNegative();
        assertThat(close).isGreaterThan(open);
        return user.substring(open + "<<<TRACE_DATA\n".length(), close);
    }

    /** An agent's trace of 8,000 generations with distinct text (nothing folds away), one failing, and its root. */
    private static List<JsonNode> hugeTrace() {
        Random random = new Random(24);
        String[] words = "order shipping refund customer invoice delay parcel warehouse address tracking payment label carrier".split(" ");
        Instant t0 = Instant.now().minusSeconds(3_600);
        List<JsonNode> events = new ArrayList<>();
        int generations = 8_000;
        for (int g = 0; g < generations; g++) {
            ObjectNode e = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-1")
                    .put("timestamp", t0.plusMillis(g * 100L).toString()).put("uuid", java.util.UUID.randomUUID().toString());
            ObjectNode p = e.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_span_id", "gen-" + g)
                    .put("$ai_parent_id", TRACE).put("$ai_model", "gpt-4o-mini").put("$ai_provider", "openai")
                    .put("$ai_latency", 0.8).put("$ai_input_tokens", 700).put("$ai_output_tokens", 200);
            ArrayNode input = p.putArray("$ai_input");
            input.addObject().put("role", "user").put("content", "gen-" + g + " question: " + sentence(random, words, 200));
            p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", "gen-" + g + " answer: " + sentence(random, words, 200));
            if (g == generations / 2) {
                p.put("$ai_is_error", true).put("$ai_http_status", 500).put("$ai_error", "upstream exploded");
            }
            events.add(e);
        }
        ObjectNode root = JSON.createObjectNode().put("event", "$ai_trace").put("distinct_id", "user-1")
                .put("timestamp", t0.plusMillis(generations * 100L).toString()).put("uuid", java.util.UUID.randomUUID().toString());
        root.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_span_id", TRACE).put("$ai_span_name", "huge agent");
        events.add(root);
        return events;
    }

    private static String sentence(Random random, String[] words, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]).append(random.nextInt(1000));
        }
        return sb.toString();
    }
}
