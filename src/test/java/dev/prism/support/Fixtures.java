package dev.prism.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.trace.TraceAssembler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository's trace fixtures in {@code examples/traces} (the README's replay example reads the same files). */
public final class Fixtures {

    public static final Path DIR = locate();

    private Fixtures() {
    }

    /** The fixtures directory of this checkout, whatever directory the test JVM was started in. */
    private static Path locate() {
        // Surefire sets basedir to the project directory; an IDE run usually starts there anyway.
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("examples/traces");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Fixtures not found at " + dir + ": run the tests from the repository root");
        }
        return dir;
    }

    public record Fixture(String name, JsonNode json) {
        public List<JsonNode> events() {
            List<JsonNode> out = new ArrayList<>();
            json.get("events").forEach(out::add);
            return out;
        }

        /** The trace id the fixture's events share, or null when none carries a usable one. */
        public String traceId() {
            for (JsonNode e : json.get("events")) {
                JsonNode t = e.path("properties").path("$ai_trace_id");
                if (t.isTextual() && !t.asText().isBlank()) {
                    return t.asText();
                }
            }
            return null;
        }

        /** The fixture's events assembled as the trace stage would hand them over (a synthetic id when none is usable). */
        public AssembledTrace assemble() {
            List<TraceEvent> events = new ArrayList<>();
            int i = 0;
            for (JsonNode e : events()) {
                events.add(TraceEvent.fromCapture(e, "uuid-" + i++, Instant.EPOCH));
            }
            return TraceAssembler.assemble(traceId() == null ? "no-trace-id" : traceId(), events);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static List<Fixture> all() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().map(Fixtures::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Fixture named(String prefix) {
        return all().stream().filter(f -> f.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    private static Fixture load(Path p) {
        try {
            return new Fixture(p.getFileName().toString().replace(".json", ""), HttpApi.JSON.readTree(p.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
