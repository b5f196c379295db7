package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.trace.TraceAssembler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench format}: how fast assembled traces become text on one thread, for the fixture mix and for one large
 * synthetic trace (2,000 generations with growing chat histories, about 5.9 MB of events, the size of the PostHog
 * anchor in DESIGN.md §7), unlimited and with a 100,000-character budget.
 */
@Command(name = "format", description = "Measure trace rendering throughput.", mixinStandardHelpOptions = true)
public final class FormatBench implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--fixtures", defaultValue = "examples/traces", description = "Fixture directory (default: ${DEFAULT-VALUE}).")
    Path fixtures;

    @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per case (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--generations", defaultValue = "2000", description = "Generations in the large trace (default: ${DEFAULT-VALUE}).")
    int generations;

    private long sink;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(fixtures)) {
            List<AssembledTrace> mix = new ArrayList<>();
            long bytes = 0;
            for (Path f : EventFiles.expand(fixtures)) {
                List<JsonNode> events = EventFiles.read(f);
                bytes += MAPPER.writeValueAsBytes(events).length;
                mix.add(assemble("fixture-" + f.getFileName(), events));
            }
            measure("fixture mix (" + mix.size() + " traces, " + mb(bytes) + " MB)", mix, bytes, TraceFormatter.Options.defaults());
        } else {
            System.out.println("No fixtures at " + fixtures + "; skipping the fixture mix");
        }
        List<JsonNode> large = largeTrace(generations);
        long largeBytes = MAPPER.writeValueAsBytes(large).length;
        List<AssembledTrace> one = List.of(assemble("large", large));
        measure("large trace (" + generations + " generations, " + mb(largeBytes) + " MB), unlimited", one, largeBytes,
                TraceFormatter.Options.defaults());
        measure("large trace, max_length 100000", one, largeBytes, new TraceFormatter.Options(false, 100_000));
        return sink == 42 ? 1 : 0; // keeps the JIT from discarding the renders
    }

    private void measure(String label, List<AssembledTrace> traces, long bytes, TraceFormatter.Options options) {
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            traces.forEach(t -> sink += TraceFormatter.format(t, options).length());
        }
        long rounds = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            traces.forEach(t -> sink += TraceFormatter.format(t, options).length());
            rounds++;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        double tracesPerSecond = rounds * traces.size() / secs;
        System.out.printf("%-70s %,10.0f traces/s %8.1f MB/s %9.2f ms/trace%n", label, tracesPerSecond,
                rounds * bytes / secs / 1e6, 1000 / tracesPerSecond);
    }

    private static AssembledTrace assemble(String fallbackId, List<JsonNode> events) {
        List<TraceEvent> converted = events.stream().map(e -> TraceEvent.fromCapture(e, java.util.UUID.randomUUID().toString(), Instant.now())).toList();
        String traceId = events.stream().map(e -> e.path("properties").path("$ai_trace_id"))
                .filter(JsonNode::isTextual).map(JsonNode::asText).findFirst().orElse(fallbackId);
        return TraceAssembler.assemble(traceId, converted);
    }

    /** A long agent conversation: each generation sends the history so far, as OpenAI-chat SDKs do. */
    static List<JsonNode> largeTrace(int generations) {
        Random random = new Random(7);
        String[] words = "the order shipping refund customer invoice delay parcel warehouse address tracking payment label carrier"
                .split(" ");
        List<JsonNode> events = new ArrayList<>();
        Instant t0 = Instant.parse("2025-06-01T10:00:00Z");
        List<ObjectNode> recent = new ArrayList<>();
        for (int g = 0; g < generations; g++) {
            ObjectNode e = MAPPER.createObjectNode().put("event", "$ai_generation").put("distinct_id", "bench-user")
                    .put("timestamp", t0.plusMillis(g * 1500L).toString()).put("uuid", "bench-" + g);
            ObjectNode p = e.putObject("properties").put("$ai_trace_id", "bench-large").put("$ai_span_id", "gen-" + g)
                    .put("$ai_model", "gpt-4o-mini").put("$ai_provider", "openai").put("$ai_latency", 1.2)
                    .put("$ai_input_tokens", 900).put("$ai_output_tokens", 120).put("$ai_total_cost_usd", 0.0004);
            ArrayNode input = p.putArray("$ai_input");
            input.addObject().put("role", "system").put("content", "You are a helpful logistics assistant.");
            for (ObjectNode m : recent) {
                input.add(m);
            }
            ObjectNode user = MAPPER.createObjectNode().put("role", "user").put("content", sentence(random, words, 40));
            input.add(user);
            ObjectNode answer = MAPPER.createObjectNode().put("role", "assistant").put("content", sentence(random, words, 60));
            p.putArray("$ai_output_choices").add(answer);
            recent.add(user);
            recent.add(answer);
            if (recent.size() > 6) { // a sliding window keeps each event near 2.9 KB, like the anchor's trace
                recent.subList(0, 2).clear();
            }
            events.add(e);
        }
        return events;
    }

    private static String sentence(Random random, String[] words, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
        }
        return sb.append('.').toString();
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1e6);
    }
}
