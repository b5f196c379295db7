package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.config.PrismConfig;
import dev.prism.demo.DemoTraffic;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench preview}: how long {@code POST …/themes/preview} takes for each built-in theme's filters over a project
 * holding {@code --traces} completed synthetic traces (embedded PostgreSQL in a temporary directory).
 */
@Command(name = "preview", description = "Measure theme preview latency over many stored traces.", mixinStandardHelpOptions = true)
public final class PreviewBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = BenchCommand.PROJECT_TOKEN;
    private static final String ADMIN = BenchCommand.ADMIN_KEY;

    @Option(names = "--traces", defaultValue = "10000", description = "Completed traces to preview over (default: ${DEFAULT-VALUE}).")
    int traces;

    @Option(names = "--runs", defaultValue = "5", description = "Previews per theme; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
        try (BenchServer bench = BenchServer.start(Map.of(PrismConfig.TRACE_IDLE_SECONDS.path(), "1"), BenchCommand.PROJECT_TOKEN, BenchCommand.ADMIN_KEY);
             BatchSender sender = new BatchSender(bench.vertx, bench.url(), TOKEN)) {
            WebClient client = WebClient.create(bench.vertx);
            int port = bench.server.httpPort();
            DemoTraffic demo = new DemoTraffic(11);
            long start = System.nanoTime();
            for (int sent = 0; sent < traces; ) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = 0; i < 20 && sent < traces; i++, sent++) {
                    batch.addAll(demo.nextTrace(Instant.now()));
                }
                ReplayCommand.await(sender.send(batch));
            }
            long completed;
            do {
                Thread.sleep(500);
                completed = completedCount(client, port);
            } while (completed < traces);
            System.out.printf("Stored and completed %,d traces in %.1f s%n", completed, (System.nanoTime() - start) / 1e9);

            JsonNode themes = get(client, port, "/api/projects/default/themes").get("results");
            System.out.printf("%-20s %10s %10s %12s %12s%n", "theme", "matching", "sampled", "median ms", "server ms");
            for (JsonNode theme : themes) {
                ObjectNode draft = MAPPER.createObjectNode();
                draft.set("theme_filters", theme.get("theme_filters"));
                draft.put("sample_rate", theme.get("sample_rate").asDouble());
                draft.putObject("date_range").put("date_from", "-30d");
                long[] wall = new long[runs];
                JsonNode last = null;
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    last = post(client, port, "/api/projects/default/themes/preview", draft);
                    wall[r] = (System.nanoTime() - t0) / 1_000_000;
                }
                Arrays.sort(wall);
                System.out.printf("%-20s %10d %10d %12d %12d%n", theme.get("theme_id").asText(), last.get("matching_theme_filters").asLong(),
                        last.get("sampled").asLong(), wall[runs / 2], last.get("elapsed_ms").asLong());
            }
            client.close();
        }
        return 0;
    }

    private static long completedCount(WebClient client, int port) throws Exception {
        long count = 0;
        String cursor = null;
        do {
            JsonNode page = get(client, port, "/api/projects/default/traces?status=completed&limit=500" + (cursor == null ? "" : "&cursor=" + cursor));
            count += page.get("results").size();
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return count;
    }

    private static JsonNode get(WebClient client, int port, String path) throws Exception {
        HttpResponse<Buffer> r = ReplayCommand.await(client.get(port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN).send());
        return MAPPER.readTree(r.bodyAsString());
    }

    private static JsonNode post(WebClient client, int port, String path, JsonNode body) throws Exception {
        HttpResponse<Buffer> r = ReplayCommand.await(client.post(port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN)
                .sendBuffer(Buffer.buffer(body.toString())));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("preview failed: " + r.statusCode() + " " + r.bodyAsString());
        }
        return MAPPER.readTree(r.bodyAsString());
    }
}
