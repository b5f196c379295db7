package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.common.VectorMath;
import dev.prism.embed.OnnxMiniLm;
import dev.prism.eval.PhraseBank;
import dev.prism.eval.QualityReport;
import dev.prism.eval.QualityReport.ThemeQuality;
import dev.prism.theme.Sampler;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures a labelled corpus against a fresh in-process Prism (embedded PostgreSQL in a temporary directory, the
 * offline analyzer, the local embedding model) the way a user would reach it: events in through {@code /batch/},
 * everything else through the REST API. Waits on the server's own state (no fixed sleeps): every trace completed, a
 * run per theme over the corpus finished with nothing pending, a re-clustering that saw every relevant summary.
 */
public final class EvalRunner {

    /** The themes the corpus labels; others (e.g. unhappy_users) are not measured. */
    public static final List<String> THEMES = PhraseBank.THEMES;

    private static final ObjectMapper JSON = dev.prism.common.JsonMapping.MAPPER;
    private static final String PROJECT = "/api/projects/default";
    private static final int BATCH_EVENTS = 200;

    private final PrintStream progress;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String base;
    private String projectToken;
    private String adminKey;
    private io.vertx.core.Vertx vertx;

    /** @param timeout how long each waiting step may take before the run fails, naming the step */
    public EvalRunner(PrintStream progress, Duration timeout) {
        this.progress = progress;
        this.timeout = timeout;
    }

    /**
     * @param events corpus events (their timestamps are moved, together, to end a minute ago: the server's windows and
     *               trends are relative to now, and the corpus's own dates are fixed for reproducibility)
     * @param labels per trace id, per theme, the true category or "none"
     * @param descriptions per theme, per category, the human description a good cluster name should match
     */
    public List<ThemeQuality> run(List<ObjectNode> events, Map<String, Map<String, String>> labels,
                                  Map<String, Map<String, String>> descriptions) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("trace.idleSeconds", "2");
        settings.put("trace.rootGraceMillis", "200");
        settings.put("trace.sweepMillis", "100");
        settings.put("run.schedulerSeconds", "0"); // the benchmark starts the runs it waits for
        settings.put("cluster.refreshAfter", "0"); // and the one re-clustering it measures
        settings.put("cluster.refreshMinutes", "0");
        settings.put("llm.provider", "offline");
        settings.put("embed.provider", "local");
        long started = System.nanoTime();
        try (BenchServer server = BenchServer.start(settings)) {
            base = server.url();
            projectToken = server.projectToken;
            adminKey = server.adminKey;
            vertx = server.vertx;
            Instant[] window = ingest(events);
            progress.printf("ingested %d events of %d traces in %.1f s%n", events.size(), labels.size(), seconds(started));
            awaitCompleted(labels.size());
            progress.printf("all traces completed after %.1f s%n", seconds(started));
            List<ThemeQuality> out = new ArrayList<>();
            try (OnnxMiniLm model = OnnxMiniLm.load(1)) {
                QualityReport.NearestDescription nearest = (name, texts) -> nearest(model, name, texts);
                for (String theme : THEMES) {
                    if (!descriptions.containsKey(theme)) {
                        continue;
                    }
                    QualityReport.ThemeResult result = measure(theme, labels.keySet(), window, descriptions.get(theme));
                    out.add(QualityReport.score(result, labels, nearest));
                    progress.printf("%s measured after %.1f s%n", theme, seconds(started));
                }
            }
            return out;
        }
    }

    private Instant[] ingest(List<ObjectNode> events) throws Exception {
        Instant last = events.stream().map(e -> Instant.parse(e.get("timestamp").asText())).max(Instant::compareTo).orElseThrow();
        Instant first = events.stream().map(e -> Instant.parse(e.get("timestamp").asText())).min(Instant::compareTo).orElseThrow();
        Duration shift = Duration.between(last, Instant.now().minusSeconds(60));
        for (int from = 0; from < events.size(); from += BATCH_EVENTS) {
            ObjectNode body = JSON.createObjectNode();
            var batch = body.putArray("batch");
            for (ObjectNode e : events.subList(from, Math.min(events.size(), from + BATCH_EVENTS))) {
                ObjectNode moved = e.deepCopy();
                moved.put("timestamp", Instant.parse(e.get("timestamp").asText()).plus(shift).toString());
                batch.add(moved);
            }
            JsonNode answer = send("POST", "/batch/", body.toString(), projectToken);
            int sent = batch.size();
            if (answer.path("accepted").asInt() != sent) {
                throw new IllegalStateException("/batch/ accepted " + answer.path("accepted") + " of " + sent + " events: " + answer);
            }
        }
        return new Instant[]{first.plus(shift).minusSeconds(3600), Instant.now().plusSeconds(3600)};
    }

    private void awaitCompleted(int traces) throws Exception {
        await("every trace completed", () -> {
            int completed = 0;
            String cursor = null;
            do {
                JsonNode page = api("GET", PROJECT + "/traces?status=completed&limit=500" + (cursor == null ? "" : "&cursor=" + encode(cursor)), null);
                completed += page.get("results").size();
                cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
            } while (cursor != null);
            return completed >= traces;
        });
    }

    private QualityReport.ThemeResult measure(String theme, Set<String> traceIds, Instant[] window, Map<String, String> descriptions) throws Exception {
        JsonNode definition = api("GET", PROJECT + "/themes/" + theme, null);
        double rate = definition.path("sample_rate").asDouble(1.0);
        String seed = definition.path("sample_seed").asText(theme);
        Set<String> sampled = new HashSet<>();
        traceIds.forEach(id -> {
            if (Sampler.sampled(seed, id, rate)) {
                sampled.add(id);
            }
        });

        // A run over the corpus's window queues whatever streaming has not analysed yet and counts down to nothing pending.
        ObjectNode corpusWindow = JSON.createObjectNode().put("date_from", window[0].toString()).put("date_to", window[1].toString());
        JsonNode run = api("POST", PROJECT + "/themes/" + theme + "/runs", corpusWindow.toString());
        String runId = run.get("id").asText();
        JsonNode[] finished = new JsonNode[1];
        await(theme + " run " + runId + " finished with nothing pending", () -> {
            finished[0] = api("GET", PROJECT + "/runs/" + runId, null);
            return !finished[0].path("status").asText().equals("running") && finished[0].path("pending").asInt() == 0;
        });
        if (finished[0].path("status").asText().equals("failed")) {
            throw new IllegalStateException(theme + " run failed: " + finished[0]);
        }
        // The run counts only the tasks it queued itself; tasks streaming dispatch queued first (a trace scored for
        // relevance just before the run started) may still wait, and a measure taken then misses them.
        await("no analysis queued or running", () -> {
            dev.prism.bus.AnalysisBacklog.Counts c = vertx.eventBus().<dev.prism.bus.AnalysisBacklog.Counts>request(
                    dev.prism.bus.Addresses.ANALYSIS_BACKLOG, new dev.prism.bus.AnalysisBacklog())
                    .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS).body();
            return c.queued() + c.running() == 0;
        });

        Map<String, QualityReport.Analysis> analyses = new LinkedHashMap<>();
        Map<String, Integer> versions = new HashMap<>();
        String cursor = null;
        do {
            JsonNode page = api("GET", PROJECT + "/summaries?theme=" + theme + "&limit=1000" + (cursor == null ? "" : "&cursor=" + encode(cursor)), null);
            for (JsonNode s : page.get("results")) {
                JsonNode p = s.get("properties");
                String traceId = p.get("$ai_trace_id").asText();
                int version = p.path("$ai_trace_version").asInt();
                if (version >= versions.getOrDefault(traceId, 0)) {
                    versions.put(traceId, version);
                    analyses.put(traceId, new QualityReport.Analysis(p.path("$ai_theme_relevant").asBoolean(), p.path("$ai_summary_title").asText()));
                }
            }
            cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
        } while (cursor != null);
        long relevant = analyses.values().stream().filter(QualityReport.Analysis::relevant).count();

        // Embedding lags the summaries a little: wait until the clustering knows every relevant summary, then re-cluster
        // once, so the measured clustering is one run over all of them rather than whatever earlier partial runs left.
        if (relevant > 0) {
            await(theme + ": the clustering knows all " + relevant + " relevant summaries", () ->
                    api("GET", PROJECT + "/themes/" + theme + "/clusters", null).path("theme_summaries").asLong() >= relevant);
            await(theme + " re-clustering over all " + relevant + " relevant summaries", () ->
                    api("POST", PROJECT + "/themes/" + theme + "/clusters/refresh", null).path("items").asLong() >= relevant);
        }
        List<QualityReport.Cluster> clusters = new ArrayList<>();
        for (JsonNode c : api("GET", PROJECT + "/themes/" + theme + "/clusters", null).get("results")) {
            JsonNode detail = api("GET", PROJECT + "/clusters/" + c.get("id").asText() + "?members_limit=100000", null);
            Set<String> members = new HashSet<>();
            detail.get("members").forEach(m -> members.add(m.get("trace_id").asText()));
            clusters.add(new QualityReport.Cluster(c.get("id").asText(), c.path("title").asText(null), members));
        }
        return new QualityReport.ThemeResult(theme, sampled, analyses, clusters, descriptions);
    }

    /** The description nearest the name by cosine similarity of their local-model embeddings. */
    static String nearest(OnnxMiniLm model, String name, Map<String, String> descriptions) {
        List<String> keys = new ArrayList<>(descriptions.keySet());
        List<String> texts = new ArrayList<>();
        texts.add(name);
        keys.forEach(k -> texts.add(descriptions.get(k)));
        List<float[]> vectors = model.embed(texts);
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < keys.size(); i++) {
            double score = VectorMath.cosine(vectors.get(0), vectors.get(i + 1));
            if (score > bestScore) {
                bestScore = score;
                best = keys.get(i);
            }
        }
        return best;
    }

    private interface Check {
        boolean done() throws Exception;
    }

    private void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        while (!check.done()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(pause); // polling interval between checks of the server's state, not a wait for a result
            pause = Math.min(1000, pause * 2);
        }
    }

    private JsonNode api(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, adminKey);
    }

    private JsonNode send(String method, String path, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
