package dev.prism.eval;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.eval.CorpusGenerator.Corpus;
import dev.prism.eval.CorpusGenerator.LabelledTrace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A corpus on disk: {@code events.jsonl} (PostHog events, one per line, as {@code /batch/} takes them) and
 * {@code labels.jsonl} ({@code {"trace_id", "labels": {theme: category or "none"}}}). Any corpus in this format can be
 * measured, not only a generated one.
 */
public final class CorpusFiles {

    public static final String EVENTS = "events.jsonl";
    public static final String LABELS = "labels.jsonl";

    private static final ObjectMapper JSON = dev.prism.common.JsonMapping.MAPPER;

    /** A corpus read back: its events and the labels per trace id. */
    public record Loaded(List<ObjectNode> events, Map<String, Map<String, String>> labels) {
    }

    private CorpusFiles() {
    }

    public static void write(Corpus corpus, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter events = Files.newBufferedWriter(dir.resolve(EVENTS), StandardCharsets.UTF_8);
             BufferedWriter labels = Files.newBufferedWriter(dir.resolve(LABELS), StandardCharsets.UTF_8)) {
            for (LabelledTrace trace : corpus.traces()) {
                for (ObjectNode event : trace.events()) {
                    events.write(JSON.writeValueAsString(event));
                    events.newLine();
                }
                ObjectNode line = JSON.createObjectNode();
                line.put("trace_id", trace.traceId());
                line.set("labels", JSON.valueToTree(trace.labels()));
                line.put("situation", trace.situation());
                line.set("phrase_ids", JSON.valueToTree(trace.phraseIds()));
                labels.write(JSON.writeValueAsString(line));
                labels.newLine();
            }
        }
    }

    public static Loaded read(Path dir) throws IOException {
        List<ObjectNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(EVENTS), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                events.add((ObjectNode) JSON.readTree(line));
            }
        }
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        int number = 0;
        for (String line : Files.readAllLines(dir.resolve(LABELS), StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = JSON.readTree(line);
            if (!node.path("trace_id").isTextual() || !node.path("labels").isObject()) {
                throw new IOException(LABELS + " line " + number + " needs a trace_id and a labels object");
            }
            labels.put(node.get("trace_id").asText(), JSON.convertValue(node.get("labels"), new TypeReference<LinkedHashMap<String, String>>() {
            }));
        }
        return new Loaded(events, labels);
    }
}
