package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.cluster.AdjustedRandIndex;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6's quality bar through the whole default pipeline: traces ingested over HTTP, selected by the built-in error
 * theme, analysed by the offline analyzer, embedded by the local model and clustered.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Clusters from the offline analyzer and the local model")
class OfflineClusterQualityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Four kinds of failure, each reported in many different words; the label is the index. */
    private static final List<List<String>> FAILURES = List.of(
            List.of("Rate limit reached for gpt-4o-mini in organization org-%s on requests per min (RPM): Limit 500, Used 500",
                    "429 Too Many Requests: rate limit exceeded for project %s, retry after 20s",
                    "Rate limit hit (requests per minute) for key %s; please slow down",
                    "rate_limit_exceeded: you are sending requests too quickly (org %s)"),
            List.of("Request timed out after 60 seconds waiting for the model (request %s)",
                    "The upstream model call timed out (deadline exceeded) for %s",
                    "ReadTimeout: the provider did not answer within 30 s (call %s)",
                    "Timeout while streaming the completion for %s"),
            List.of("You exceeded your current quota, please check your plan and billing details (org %s)",
                    "insufficient_quota: the account %s has no credit left",
                    "Quota exceeded for the monthly token allowance of workspace %s",
                    "Billing quota reached: requests for %s are refused until renewal"),
            List.of("KeyError: 'customer_id' in lookup_order (order %s)",
                    "KeyError: 'shipping_address' while reading order %s",
                    "KeyError: 'sku' in the inventory tool for %s",
                    "KeyError: 'email' when building the receipt of %s"));

    @Test
    @DisplayName("four kinds of failure, each worded many ways, come out as clusters with adjusted Rand index ≥ 0.6")
    void offlineAnalyzerClustersByFailure(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("cluster.refreshAfter", "0");
        settings.put("cluster.refreshMinutes", "0");
        TestServer server = TestServer.start(vertx, settings);
        try {
            Random random = new Random(17);
            Map<String, Integer> truth = new HashMap<>();
            List<JsonNode> events = new ArrayList<>();
            Instant now = Instant.now();
            for (int label = 0; label < FAILURES.size(); label++) {
                for (int i = 0; i < 15; i++) {
                    String traceId = "q" + label + "-" + i;
                    truth.put(traceId, label);
                    String error = FAILURES.get(label).get(i % FAILURES.get(label).size()).formatted(Integer.toHexString(random.nextInt()));
                    ObjectNode e = JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "user-" + random.nextInt(6))
                            .put("uuid", UUID.randomUUID().toString()).put("timestamp", now.toString());
                    ObjectNode p = e.putObject("properties").put("$ai_trace_id", traceId).put("$ai_model", "gpt-4o-mini")
                            .put("$ai_provider", "openai").put("$ai_is_error", true).put("$ai_error", error).put("$ai_latency", 1.2);
                    p.putArray("$ai_input").addObject().put("role", "user").put("content", "Where is my order " + i + "?");
                    events.add(e);
                    ObjectNode root = JSON.createObjectNode().put("event", "$ai_trace").put("distinct_id", e.get("distinct_id").asText())
                            .put("uuid", UUID.randomUUID().toString()).put("timestamp", now.toString());
                    root.putObject("properties").put("$ai_trace_id", traceId).put("$ai_span_name", "support_chat");
                    events.add(root);
                }
            }
            assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events)).status()).isEqualTo(200);
            server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&relevant=true&limit=100",
                    r -> r.json().get("results").size() == truth.size(), Duration.ofSeconds(90));
            // The relevant summaries are embedded; a refresh clusters all of them once they are.
            JsonNode run = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            do {
                Thread.sleep(500);
                run = server.http.admin("POST", "/api/projects/default/themes/error_analysis/clusters/refresh", null).json();
            } while (run.path("items").asInt() < truth.size() && System.nanoTime() < deadline);
            assertThat(run.get("items").asInt()).isEqualTo(truth.size());

            Map<String, String> clusterOf = new HashMap<>();
            for (JsonNode c : server.http.api("/api/projects/default/themes/error_analysis/clusters").json().get("results")) {
                JsonNode detail = server.http.api("/api/projects/default/clusters/" + c.get("id").asText()).json();
                detail.get("members").forEach(m -> clusterOf.put(m.get("trace_id").asText(), c.get("id").asText()));
            }
            List<String> ids = truth.keySet().stream().sorted().toList();
            int[] expected = new int[ids.size()];
            int[] found = new int[ids.size()];
            Map<String, Integer> numbers = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                expected[i] = truth.get(ids.get(i));
                String cluster = clusterOf.get(ids.get(i));
                found[i] = cluster == null ? -1 : numbers.computeIfAbsent(cluster, k -> numbers.size());
            }
            double ari = AdjustedRandIndex.of(expected, found);
            System.out.printf("[offline cluster quality] error_analysis: %d summaries, %d clusters, ARI %.3f, run %s%n", ids.size(),
                    numbers.size(), ari, run);
            assertThat(ari).isGreaterThanOrEqualTo(0.6);
        } finally {
            server.stop();
        }
    }
}
