package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Sends recorded events (fixture files, JSON arrays, JSON Lines) to a server through {@code /batch/}. */
@Command(name = "replay", description = "Send events from files to a Prism server.", mixinStandardHelpOptions = true)
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Fixture files, JSON arrays or JSONL files, or directories of them.")
    List<Path> paths;

    @Option(names = "--to", required = true, description = "Server base URL, e.g. http://localhost:8080")
    String to;

    @Option(names = "--token", required = true, description = "The project's ingestion token.")
    String token;

    @Option(names = "--batch-size", defaultValue = "100", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            files.addAll(EventFiles.expand(p));
        }
        Vertx vertx = Vertx.vertx();
        int failures = 0;
        long accepted = 0;
        long rejected = 0;
        try (BatchSender sender = new BatchSender(vertx, to, token)) {
            for (Path file : files) {
                List<JsonNode> events;
                try {
                    events = EventFiles.read(file);
                } catch (Exception e) {
                    System.out.printf("%s: cannot read (%s)%n", file, e.getMessage());
                    failures++;
                    continue;
                }
                for (int from = 0; from < events.size(); from += batchSize) {
                    List<JsonNode> batch = events.subList(from, Math.min(events.size(), from + batchSize));
                    BatchSender.Answer answer = await(sender.send(batch));
                    if (!answer.ok()) {
                        failures++;
                        System.out.printf("%s: HTTP %d %s: %s%n", file.getFileName(), answer.status(),
                                answer.json().path("error").asText(), answer.json().path("detail").asText());
                        continue;
                    }
                    accepted += answer.json().path("accepted").asLong();
                    int offset = from;
                    JsonNode rej = answer.json().path("rejected");
                    rejected += rej.size();
                    System.out.printf("%s: %d events, %d accepted, %d ignored, %d rejected%n", file.getFileName(), batch.size(),
                            answer.json().path("accepted").asInt(), answer.json().path("ignored").asInt(), rej.size());
                    rej.forEach(r -> System.out.printf("  event %d rejected: %s%n", offset + r.path("index").asInt(), r.path("reason").asText()));
                }
            }
        } finally {
            vertx.close();
        }
        System.out.printf("Replayed %d file(s): %d events accepted, %d rejected, %d failed request(s)%n", files.size(), accepted, rejected, failures);
        return failures == 0 ? 0 : 1;
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
