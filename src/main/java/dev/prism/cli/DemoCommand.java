package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.demo.DemoTraffic;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Sends synthetic traces to a running server at a steady rate. {@code serve --demo} does the same in-process. */
@Command(name = "demo", description = "Send synthetic LLM traffic to a Prism server.", mixinStandardHelpOptions = true)
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--to", defaultValue = "http://localhost:8080", description = "Server base URL (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--token", required = true, description = "The project's ingestion token.")
    String token;

    @Option(names = "--rate", defaultValue = "2", description = "Traces per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", defaultValue = "0", description = "Stop after this many traces; 0 runs until interrupted.")
    long count;

    @Option(names = "--seed", description = "Random seed, for repeatable traffic.")
    Long seed;

    @Override
    public Integer call() throws Exception {
        if (!(rate > 0)) {
            System.err.println("--rate must be above 0");
            return 2;
        }
        DemoTraffic traffic = new DemoTraffic(seed == null ? System.nanoTime() : seed);
        Vertx vertx = Vertx.vertx();
        long intervalNanos = (long) (1e9 / rate);
        long next = System.nanoTime();
        long sent = 0;
        try (BatchSender sender = new BatchSender(vertx, to, token)) {
            while (count == 0 || sent < count) {
                List<JsonNode> events = new ArrayList<>(traffic.nextTrace(Instant.now()));
                BatchSender.Answer answer = ReplayCommand.await(sender.send(events));
                if (!answer.ok()) {
                    System.err.printf("HTTP %d: %s%n", answer.status(), answer.json());
                    return 1;
                }
                sent++;
                if (sent % 50 == 0) {
                    System.out.printf("%d traces sent%n", sent);
                }
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
        } finally {
            vertx.close();
        }
        System.out.printf("%d traces sent%n", sent);
        return 0;
    }
}
