package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.TraceEvent;
import dev.prism.format.TraceFormatter;
import dev.prism.pricing.EventCost;
import dev.prism.pricing.Pricing;
import dev.prism.trace.TraceAssembler;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Renders the traces in a file (fixture, JSON array or JSON Lines of events) as text on stdout, offline. */
@Command(name = "format", description = "Render a trace file as readable text.", mixinStandardHelpOptions = true)
public final class FormatCommand implements Callable<Integer> {

    /** Events without a usable {@code $ai_trace_id} are rendered together under this id. */
    static final String NO_TRACE_ID = "(no trace id)";

    @Parameters(paramLabel = "FILE", description = "A fixture file, a JSON array of events or a JSONL file.")
    Path file;

    @Option(names = "--line-numbers", description = "Prefix every line with L001:.")
    boolean lineNumbers;

    @Option(names = "--max-length", defaultValue = "0", description = "Character budget; 0 renders everything (default).")
    int maxLength;

    @Override
    public Integer call() throws Exception {
        List<JsonNode> raw = EventFiles.read(file);
        Pricing pricing = pricing();
        Map<String, List<TraceEvent>> byTrace = new LinkedHashMap<>();
        for (JsonNode e : raw) {
            JsonNode id = e.path("properties").path("$ai_trace_id");
            String traceId = id.isTextual() && !id.asText().isBlank() || id.isNumber() ? id.asText() : NO_TRACE_ID;
            TraceEvent event = TraceEvent.fromCapture(e, UUID.randomUUID().toString(), Instant.now());
            // Price events sent without a cost as ingestion does, so this text matches the server's for the same events.
            EventCost.estimate(event.event(), event.properties(), pricing);
            byTrace.computeIfAbsent(traceId, t -> new java.util.ArrayList<>()).add(event);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        boolean first = true;
        for (Map.Entry<String, List<TraceEvent>> trace : byTrace.entrySet()) {
            if (!first) {
                out.println();
            }
            first = false;
            out.print(TraceFormatter.format(TraceAssembler.assemble(trace.getKey(), trace.getValue()),
                    new TraceFormatter.Options(lineNumbers, maxLength)));
        }
        return byTrace.isEmpty() ? 1 : 0;
    }

    /** The server's prices: the built-in table and {@code llm.prices} from the environment, as {@code serve} reads it. */
    private static Pricing pricing() {
        String prices = System.getProperty("llm.prices", System.getenv("PRISM_LLM_PRICES"));
        try {
            return new Pricing(Pricing.parse(prices));
        } catch (IllegalArgumentException e) {
            System.err.println("Ignoring PRISM_LLM_PRICES: " + e.getMessage());
            return Pricing.DEFAULTS;
        }
    }
}
