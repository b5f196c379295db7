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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/**
 * The LLM stage (DESIGN.md §7), against a local OpenAI-compatible server that answers every call after a fixed latency.
 * By default its throughput: a run of one theme over stored traces; the ideal is concurrency ÷ latency, and the
 * server's own log gives the calls per second and the most calls it ever had in flight. With {@code --cost}, the cost
 * per 1,000 traces of the six built-in themes on the demo mix, streamed as the traces complete, priced from the
 * server's log of usage: once with the built-in prompts (the trace first, a prefix shared across themes) and once with
 * the same prompts laid out as before (the theme's instructions first). The server caches prompts as OpenAI does
 * ({@link PromptCacheModel}).
 */
@Command(name = "llm", description = "Measure analysis throughput, or with --cost the dollars per 1,000 traces, against a local provider.",
        mixinStandardHelpOptions = true)
final class LlmBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--traces", defaultValue = "3000", description = "Traces the run analyses (default: ${DEFAULT-VALUE}).")
    int traces;

    @Option(names = "--latency-ms", defaultValue = "200", description = "The fake provider's latency per call (default: ${DEFAULT-VALUE}).")
    long latencyMillis;

    @Option(names = "--concurrency", defaultValue = "32", description = "Calls in flight (llm.maxConcurrent, default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--cost", description = "Measure dollars per 1,000 traces for the six built-in themes, with and without the shared prefix.")
    boolean cost;

    @Option(names = "--model", defaultValue = "gpt-4.1-mini", description = "With --cost: the model requested and priced (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--seed", defaultValue = "5", description = "With --cost: the demo traffic's seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--context-chars", defaultValue = "0", description = "With --cost: earlier turns of about this many characters "
            + "added to each trace's first generation, for traces as long as a RAG or agent application's (default: ${DEFAULT-VALUE}).")
    int contextChars;

    @Override
    public Integer call() throws Exception {
        return cost ? cost() : throughput();
    }

    /**
     * Lengthens a demo trace as an application with retrieved documents or a long history would: earlier user and
     * assistant turns (each under the length the text renderer shortens) inserted after the system message of its
     * first generation whose input is a list of role/content messages. Each trace gets different text.
     */
    static void addContext(List<ObjectNode> trace, int chars, java.util.Random random) {
        if (chars <= 0) {
            return;
        }
        for (ObjectNode event : trace) {
            JsonNode input = event.path("properties").path("$ai_input");
            if (!"$ai_generation".equals(event.path("event").asText()) || !input.isArray() || input.isEmpty()
                    || !input.get(0).has("role") || !input.get(0).path("content").isTextual()) {
                continue;
            }
            com.fasterxml.jackson.databind.node.ArrayNode messages = (com.fasterxml.jackson.databind.node.ArrayNode) input;
            int at = "system".equals(messages.get(0).path("role").asText()) ? 1 : 0;
            String[] words = {"invoice", "ledger", "shipment", "warranty", "tenant", "clause", "refund", "schedule", "policy", "account",
                    "order", "delivery", "payment", "contract", "customer", "supplier", "report", "quarter", "region", "balance"};
            for (int added = 0; added < chars; ) {
                StringBuilder doc = new StringBuilder("Earlier context, document ").append(random.nextInt(100_000)).append(":");
                while (doc.length() < 900) {
                    doc.append(' ').append(words[random.nextInt(words.length)]).append(' ').append(random.nextInt(10_000));
                }
                messages.insert(at++, MAPPER.createObjectNode().put("role", "user").put("content", doc.toString()));
                messages.insert(at++, MAPPER.createObjectNode().put("role", "assistant").put("content", "Noted; I will use this document."));
                added += doc.length() + 40;
            }
            return;
        }
    }

    private Integer throughput() throws Exception {
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
        try (BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
             BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchCommand.PROJECT_TOKEN)) {
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

    /**
     * What the benchmark provider billed, as its usage figures said: one line per call, with the trace it carried (its
     * fenced text) and how long the system message and the leading fenced trace are together, in tokens (0 when the
     * prompt does not start with the trace).
     */
    record Billed(long promptTokens, long cachedTokens, long completionTokens, String trace, long sharedPrefixTokens) {
    }

    /** One layout's figures. */
    record CostRun(String layout, int traces, long analyses, List<Billed> calls, double serverSpendUsd) {
        long prompt() {
            return calls.stream().mapToLong(Billed::promptTokens).sum();
        }

        long cached() {
            return calls.stream().mapToLong(Billed::cachedTokens).sum();
        }

        long completion() {
            return calls.stream().mapToLong(Billed::completionTokens).sum();
        }

        long callsWithCache() {
            return calls.stream().filter(c -> c.cachedTokens() > 0).count();
        }

        /** Calls whose system message and leading trace reach the 1,024 tokens a provider caches at the least. */
        long callsWithCacheablePrefix() {
            return calls.stream().filter(c -> c.sharedPrefixTokens() >= PromptCacheModel.MIN_TOKENS).count();
        }

        /** Traces analysed by 1, 2, … themes. */
        java.util.SortedMap<Long, Long> themesPerTrace() {
            Map<String, Long> perTrace = calls.stream().collect(java.util.stream.Collectors.groupingBy(Billed::trace,
                    java.util.stream.Collectors.counting()));
            return perTrace.values().stream().collect(java.util.stream.Collectors.groupingBy(n -> n, java.util.TreeMap::new,
                    java.util.stream.Collectors.counting()));
        }

        /** Dollars per 1,000 traces at a model's list prices (cached input at its cached price). */
        double usdPerThousand(dev.prism.pricing.Pricing.Price p) {
            double usd = ((prompt() - cached()) * p.input() + cached() * p.cacheRead() + completion() * p.output()) / 1e6;
            return usd / traces * 1_000;
        }
    }

    /** A realistic answer's length: a cause title and a three-sentence summary (about 100 tokens). */
    static final String BENCH_ANSWER = MAPPER.createObjectNode().put("theme_relevant", true).put("title", "Provider rate limit (429)")
            .put("summary", "The assistant called the model provider three times while exporting the user's report and every call was "
                    + "refused with HTTP 429 (rate limit). The SDK retried with backoff but gave up after 42 seconds. The user never got "
                    + "the export and asked twice more before leaving.").put("severity", "high").toString();

    private Integer cost() throws Exception {
        List<CostRun> runs = new ArrayList<>();
        runs.add(costRun(false));
        runs.add(costRun(true));
        dev.prism.pricing.Pricing.Price price = dev.prism.pricing.Pricing.DEFAULTS.price(model);
        if (price == null) {
            throw new IllegalArgumentException("no built-in price for " + model);
        }
        System.out.println();
        System.out.printf("Demo mix, seed %d, %d traces%s, six built-in themes (their pre-filters and sampling); tokens ~ characters / 4.%n", seed,
                traces, contextChars > 0 ? String.format(", about %,d characters of earlier turns added to each", contextChars) : "");
        System.out.println("| layout | analyses | calls | calls with cached input | input tokens | of which cached | output tokens "
                + "| server's recorded spend | $ / 1,000 traces, " + model + " | $ / 1,000 traces, gpt-4o-mini |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        dev.prism.pricing.Pricing.Price mini = dev.prism.pricing.Pricing.DEFAULTS.price("gpt-4o-mini");
        for (CostRun r : runs) {
            System.out.printf("| %s | %,d | %,d | %,d (%.0f %%) | %,d | %,d (%.1f %%) | %,d | $%.4f | $%.4f | $%.4f |%n", r.layout(), r.analyses(),
                    r.calls().size(), r.callsWithCache(), 100.0 * r.callsWithCache() / Math.max(1, r.calls().size()), r.prompt(), r.cached(),
                    100.0 * r.cached() / Math.max(1, r.prompt()), r.completion(), r.serverSpendUsd(), r.usdPerThousand(price), r.usdPerThousand(mini));
        }
        for (CostRun r : runs) {
            System.out.printf("%s: traces analysed by n themes %s; calls whose system message and leading trace reach 1,024 tokens: %,d of %,d%n",
                    r.layout(), r.themesPerTrace(), r.callsWithCacheablePrefix(), r.calls().size());
        }
        System.out.printf("Prices per million tokens: %s $%.3f input, $%.3f cached input, $%.2f output; gpt-4o-mini $%.3f / $%.4f / $%.2f.%n",
                model, price.input(), price.cacheRead(), price.output(), mini.input(), mini.cacheRead(), mini.output());
        System.out.println("Published for comparison (per 1,000 conversations): Clio $0.49, Kura $0.34.");
        return 0;
    }

    /** One layout on a fresh server: the same demo traces, streamed through the six themes, until the queue is empty. */
    private CostRun costRun(boolean legacyLayout) throws Exception {
        Vertx providerVertx = Vertx.vertx();
        PromptCacheModel cache = new PromptCacheModel();
        List<Billed> billed = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpServer provider = ReplayCommand.await(providerVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            String prompt;
            String requested;
            String trace;
            long sharedPrefixTokens;
            try {
                JsonNode json = MAPPER.readTree(body.toString());
                String system = json.get("messages").get(0).get("content").asText();
                String user = json.get("messages").get(1).get("content").asText();
                prompt = system + user;
                requested = json.path("model").asText("unknown");
                int open = user.indexOf(dev.prism.bus.TracePrompt.FENCE_OPEN + "\n");
                trace = open < 0 ? "" : user.substring(open, user.indexOf("\n" + dev.prism.bus.TracePrompt.FENCE_CLOSE, open));
                int shared = dev.prism.bus.TracePrompt.sharedPrefixLength(user);
                sharedPrefixTokens = shared == 0 ? 0 : PromptCacheModel.tokens(system) + PromptCacheModel.tokens(user.substring(0, shared));
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
                return;
            }
            // Looked up as the request arrives, stored once it is answered: requests sent together all miss.
            Billed b = new Billed(PromptCacheModel.tokens(prompt), cache.cachedTokens(prompt, System.currentTimeMillis()),
                    PromptCacheModel.tokens(BENCH_ANSWER), trace, sharedPrefixTokens);
            providerVertx.setTimer(latencyMillis, id -> {
                cache.store(prompt, System.currentTimeMillis());
                billed.add(b);
                req.response().putHeader("Content-Type", "application/json").end(completion(requested, b));
            });
        })).listen(0, "127.0.0.1"));
        Map<String, String> settings = Map.of("trace.idleSeconds", "1", "llm.provider", "openai", "llm.model", model,
                "llm.baseUrl", "http://127.0.0.1:" + provider.actualPort() + "/v1", "llm.apiKey", "bench-key-not-secret",
                "llm.maxConcurrent", String.valueOf(concurrency), "llm.requestsPerMinute", "1000000", "llm.tokensPerMinute", "1000000000",
                "run.schedulerSeconds", "0");
        try (BenchServer bench = BenchServer.start(settings, BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
             BatchSender sender = new BatchSender(bench.vertx, bench.url(), BenchCommand.PROJECT_TOKEN)) {
            WebClient client = WebClient.create(bench.vertx);
            int port = bench.server.httpPort();
            if (legacyLayout) {
                for (JsonNode theme : send(client, port, "GET", "/api/projects/default/themes", null).get("results")) {
                    String id = theme.get("theme_id").asText();
                    ObjectNode clone = MAPPER.createObjectNode().put("clone_from", id).put("theme_id", "legacy_" + id)
                            .put("sample_seed", theme.get("sample_seed").asText()).put("enabled", true)
                            .put("prompt", legacyLayout(theme.get("prompt").asText()));
                    send(client, port, "POST", "/api/projects/default/themes", clone);
                    send(client, port, "PATCH", "/api/projects/default/themes/" + id, MAPPER.createObjectNode().put("enabled", false));
                }
            }
            DemoTraffic demo = new DemoTraffic(seed);
            java.util.Random contextRandom = new java.util.Random(seed);
            for (int sent = 0; sent < traces; ) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = 0; i < 50 && sent < traces; i++, sent++) {
                    List<ObjectNode> trace = demo.nextTrace(Instant.now());
                    addContext(trace, contextChars, contextRandom);
                    batch.addAll(trace);
                }
                ReplayCommand.await(sender.send(batch));
            }
            while (completed(client, port) < traces) {
                Thread.sleep(500);
            }
            // Completed traces are dispatched as they complete; the queue is empty once every selected analysis is done.
            dev.prism.bus.AnalysisBacklog.Counts counts;
            int quiet = 0;
            do {
                Thread.sleep(1_000);
                counts = ReplayCommand.await(bench.vertx.eventBus().<dev.prism.bus.AnalysisBacklog.Counts>request(
                        dev.prism.bus.Addresses.ANALYSIS_BACKLOG, new dev.prism.bus.AnalysisBacklog())).body();
                quiet = counts.queued() + counts.running() == 0 ? quiet + 1 : 0;
            } while (quiet < 3);
            double spend = send(client, port, "GET", "/api/projects/default/llm", null).get("spent_today_usd").asDouble();
            String layout = legacyLayout ? "theme instructions first (before this change)" : "trace first, shared prefix (built-in)";
            System.out.printf("%s: %d traces, %d analyses done, %d dead, %d provider calls%n", layout, traces, counts.done(), counts.dead(), billed.size());
            client.close();
            return new CostRun(layout, traces, counts.done(), List.copyOf(billed), spend);
        } finally {
            ReplayCommand.await(providerVertx.close());
        }
    }

    /**
     * A built-in prompt laid out as before the shared prefix: the theme's instructions and "Look for" list, then the
     * trace, then the answer contract. The same text, in the order that puts the theme's own words first.
     */
    static String legacyLayout(String prompt) {
        String lead = "{{trace_text}}\n\n";
        String reply = "Reply with one JSON object";
        if (!prompt.startsWith(lead) || !prompt.contains(reply)) {
            throw new IllegalStateException("not the built-in layout: " + prompt);
        }
        String rest = prompt.substring(lead.length());
        int at = rest.indexOf(reply);
        return (rest.substring(0, at) + "{{trace_text}}\n\n" + rest.substring(at)).replace("the trace above", "the trace below");
    }

    static String completion(String model, Billed usage) {
        ObjectNode body = MAPPER.createObjectNode().put("id", "chatcmpl-bench").put("object", "chat.completion").put("model", model);
        body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                .putObject("message").put("role", "assistant").put("content", BENCH_ANSWER);
        ObjectNode u = body.putObject("usage").put("prompt_tokens", usage.promptTokens()).put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        return body.toString();
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
        var request = client.request(io.vertx.core.http.HttpMethod.valueOf(method), port, "127.0.0.1", path).bearerTokenAuthentication(BenchCommand.ADMIN_KEY);
        HttpResponse<Buffer> r = ReplayCommand.await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body.toString())));
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " failed: " + r.statusCode() + " " + r.bodyAsString());
        }
        return MAPPER.readTree(r.bodyAsString());
    }
}
