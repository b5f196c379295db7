package dev.prism;

import dev.prism.cli.DemoCommand;
import dev.prism.cli.EvalCommand;
import dev.prism.cli.FormatCommand;
import dev.prism.cli.KeysCommand;
import dev.prism.cli.ReplayCommand;
import dev.prism.cli.ServeCommand;
import dev.prism.cli.TrainRelevanceCommand;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar prism.jar [serve|replay|demo|format|keys|eval|train-relevance] ...}; {@code serve} when no command is given.
 * The benchmarks are not in this jar: {@code src/bench/java}, run as docs/benchmarks.md says. */
@Command(name = "prism", mixinStandardHelpOptions = true, version = "Prism " + PrismServer.VERSION,
        description = "Turns LLM-application traces into insight.",
        subcommands = {ServeCommand.class, ReplayCommand.class, DemoCommand.class, FormatCommand.class, KeysCommand.class, EvalCommand.class,
                TrainRelevanceCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    private static final Set<String> TOP_LEVEL_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command to its end: {@code serve} returns only once the server was asked to stop. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        boolean explicit = args.length > 0 && (cli.getSubcommands().containsKey(args[0]) || TOP_LEVEL_OPTIONS.contains(args[0]));
        if (explicit) {
            return cli.execute(args);
        }
        String[] serve = new String[args.length + 1];
        serve[0] = "serve";
        System.arraycopy(args, 0, serve, 1, args.length);
        return cli.execute(serve);
    }
}
