package dev.prism.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Benchmarks of the stages that have performance anchors (docs/benchmarks.md). They live in their own source set
 * ({@code src/bench/java}, compiled with the tests, never in the server jar) and in the package of the commands they
 * drive, so they reach its package-private helpers as tests do. Run:
 * {@code java -cp target/prism.jar:target/test-classes dev.prism.cli.BenchCommand ingest …}.
 */
@Command(name = "bench", description = "Run a benchmark.", mixinStandardHelpOptions = true,
        subcommands = {IngestBench.class, KafkaBench.class, KafkaBacklogBench.class, OtlpBench.class, FormatBench.class, PreviewBench.class, LlmBench.class, EmbedBench.class, SoakBench.class, ScaleBench.class})
public final class BenchCommand {

    /** The benchmarks' credentials for the throw-away servers they start (bodies are built before a server starts). */
    static final String PROJECT_TOKEN = "bench-project-token-0123456789";
    static final String ADMIN_KEY = "bench-admin-key-0123456789";

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}
