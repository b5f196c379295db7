package dev.prism.cli;

import picocli.CommandLine.Command;

/** Benchmarks of the stages that have performance anchors (docs/benchmarks.md). */
@Command(name = "bench", description = "Run a benchmark.", mixinStandardHelpOptions = true,
        subcommands = {IngestBench.class, OtlpBench.class, FormatBench.class, PreviewBench.class, LlmBench.class, EmbedBench.class, SoakBench.class})
public final class BenchCommand {
}
