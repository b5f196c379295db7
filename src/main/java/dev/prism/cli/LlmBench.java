package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.demo.DemoTraffic;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.prism.cli.BenchServer.ADMIN_KEY;
import static dev.prism.cli.BenchServer.PROJECT_TOKEN;

/**
 * The LLM stage's throughput (DESIGN.md §7): a run of one theme over stored traces against a local OpenAI-compatible
 * server that answers every call after a fixed latency. The ideal is concurrency ÷ latency; the server's own log gives
 * the calls per second and the most calls it ever had in flight.
 */
@Command(name = "llm", description = "Measure analysis throughput against a local provider with fixed latency.", mixinStandardHelpOptions = true)
final class LlmBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--traces", defaultValue = "3000", description = "Traces the run analyses (default: ${DEFAULT-VALUE}).")
    int traces;

    @Option(names = "--latency-ms", defaultValue = "200", description = "The fake provider's latency per call (default: ${DEFAULT-VALUE}).")
    long latencyMillis;

    @Option(names = "--concurrency", defaultValue = "32", description = "Calls in flight (llm.maxConcurrent, default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() throws Exception {
        Vertx providerVertx = Vertx.vertx();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicLong calls = new AtomicLong();
        AtomicLong firstCall = new AtomicLong();
        AtomicLong lastReply = new AtomicLong();
        HttpServer provider = ReplayCommand.await(providerVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            long now = System.nanoTime();
            firstCall.compareAndSet(0, now);
            calls.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            providerVertx.setTimer(latencyMillis, id -> {
                inFlight.decrementAndGet();
                lastReply.set(System.nanoTime());
                req.response().putHeader("Content-Type", "application/json").end(completion());
            });
        })).listen(0, "127.0.0.1"));

        Map<String, String> settings = Map.of("trace.idleSeconds", "1", "llm.provider", "openai",
                "llm.baseUrl", "http://127.0.0.1:" + provider.actualPort() + "/v1", "llm.apiKey", "bench-key-not-secret",
                "llm.maxConcurrent", String.valueOf(concurrency), "llm.requestsPerMinute", "1000000", "llm.tokensPerMinute", "1000000000",
                "run.schedulerSeconds", "0", "run.progressMillis", "200");
        try (BenchServer bench = BenchServer.start(settings);
             BatchSender sender = new BatchSender(bench.vertx, bench.url(), PROJECT_TOKEN)) {
            WebClient client = WebClient.create(bench.vertx);
            int port = bench.server.httpPort();
            // Streaming dispatch would analyse traces as they complete; with every theme off, the run does all the work.
            for (JsonNode theme : send(client, port, "GET", "/api/projects/default/themes", null).get("results")) {
                send(client, port, "PATCH", "/api/projects/default/themes/" + theme.get("theme_id").asText(),
                        MAPPER.createObjectNode().put("enabled", false));
            }
            DemoTraffic demo = new DemoTraffic(5);
            for (int sent = 0; sent < traces; ) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = 0; i < 50 && sent < traces; i++, sent++) {
                    batch.addAll(demo.nextTrace(Instant.now()));
                }
                ReplayCommand.await(sender.send(batch));
            }
            while (completed(client, port) < traces) {
                Thread.sleep(500);
            }
            ObjectNode theme = MAPPER.createObjectNode().put("theme_id", "bench").put("name", "Bench").put("description", "Every trace")
                    .put("sample_rate", 1.0);
            theme.putObject("schedule").put("type", "manual");
            send(client, port, "POST", "/api/projects/default/themes", theme);

            JsonNode run = send(client, port, "POST", "/api/projects/default/themes/bench/runs", MAPPER.createObjectNode().put("date_from", "-1h"));
            long id = run.get("id").asLong();
            while (run.get("status").asText().equals("running")) {
                Thread.sleep(200);
                run = send(client, port, "GET", "/api/projects/default/runs/" + id, null);
            }
            double seconds = (lastReply.get() - firstCall.get()) / 1e9;
            double ideal = concurrency * 1000.0 / latencyMillis;
            System.out.printf("Run %d: %s, %d analysed, %d failed, %.1f s as recorded by the run%n", id, run.get("status").asText(),
                    run.get("analysed").asLong(), run.get("failed").asLong(), run.get("duration_ms").asLong() / 1000.0);
            System.out.printf("Provider log: %d calls in %.2f s = %.1f calls/s; at most %d in flight; ideal %d / %.1f s = %.0f calls/s; %.1f%% of ideal%n",
                    calls.get(), seconds, calls.get() / seconds, maxInFlight.get(), concurrency, latencyMillis / 1000.0, ideal,
                    100 * calls.get() / seconds / ideal);
            client.close();
        } finally {
            ReplayCommand.await(providerVertx.close()); // closes the fake provider without a graceful wait for idle keep-alive connections
        }
        return 0;
    }

    static String completion() {
        ObjectNode answer = MAPPER.createObjectNode().put("theme_relevant", true).put("title", "Bench pattern")
                .put("summary", "A trace analysed by the benchmark provider.").put("severity", "low");
        ObjectNode body = MAPPER.createObjectNode().put("id", "chatcmpl-bench").put("object", "chat.completion").put("model", "gpt-4o-mini");
        body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                .putObject("message").put("role", "assistant").put("content", answer.toString());
        body.putObject("usage").put("prompt_tokens", 800).put("completion_tokens", 60).put("total_tokens", 860);
        return body.toString();
    }

    private static long completed(WebClient client, int port) throws Exception {
        long count = 0;
        String cursor = null;
        do {
            JsonNode page = send(client, port, "GET", "/api/projects/default/traces?status=completed&limit=500"
                    + (cursor == null ? "" : "&cursor=" + cursor), null);
            count += page.get("results").size();
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return count;
    }

    private static JsonNode send(WebClient client, int port, String method, String path, JsonNode body) throws Exception {
        var request = client.request(io.vertx.core.http.HttpMethod.valueOf(method), port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN_KEY);
        HttpResponse<Buffer> r = ReplayCommand.await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body.toString())));
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " failed: " + r.statusCode() + " " + r.bodyAsString());
        }
        return MAPPER.readTree(r.bodyAsString());
    }
}
