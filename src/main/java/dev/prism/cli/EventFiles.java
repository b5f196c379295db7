package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads events from the files users replay: a fixture ({@code {"events": [...]}}), a JSON array of events,
 * a single event object, or JSON Lines (one event per line).
 */
final class EventFiles {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private EventFiles() {
    }

    /** The files a path names: itself, or the .json/.jsonl files of a directory in name order. */
    static List<Path> expand(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    static List<JsonNode> read(Path file) throws IOException {
        String text = Files.readString(file);
        String trimmed = text.strip();
        if (file.toString().endsWith(".jsonl") || (!trimmed.startsWith("[") && trimmed.contains("\n{"))) {
            List<JsonNode> events = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    events.add(MAPPER.readTree(line));
                }
            }
            return events;
        }
        JsonNode root = MAPPER.readTree(text);
        List<JsonNode> events = new ArrayList<>();
        if (root.isObject() && root.has("events")) {
            root.get("events").forEach(events::add);
        } else if (root.isObject() && root.has("batch")) {
            root.get("batch").forEach(events::add);
        } else if (root.isArray()) {
            root.forEach(events::add);
        } else {
            events.add(root);
        }
        return events;
    }
}
