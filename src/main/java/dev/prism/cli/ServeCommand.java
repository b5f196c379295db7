package dev.prism.cli;

import dev.prism.PrismServer;
import dev.prism.config.ConfigException;
import dev.prism.config.ConfigLoader;
import dev.prism.config.PrismConfig;
import dev.prism.store.DataDirectoryLock;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the server until the process is asked to stop (Ctrl-C, SIGTERM), then shuts it down cleanly. */
@Command(name = "serve", description = "Run the Prism server (the default command).", mixinStandardHelpOptions = true)
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Configuration file (default: ${DEFAULT-VALUE}).", defaultValue = "conf/prism.json")
    Path configFile;

    @Option(names = "--demo", description = "Feed synthetic traffic into the default project.")
    boolean demo;

    @Override
    public Integer call() throws Exception {
        if (demo) {
            System.setProperty(PrismConfig.DEMO.systemProperty(), "true");
        }
        Vertx vertx = Vertx.vertx();
        PrismServer server;
        try {
            PrismConfig config = ConfigLoader.load(vertx, configFile).toCompletionStage().toCompletableFuture().get();
            server = PrismServer.start(vertx, config, System.out).toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            System.err.println(cause instanceof ConfigException ? "Configuration error: " + cause.getMessage()
                    : cause instanceof DataDirectoryLock.DataDirectoryInUseException ? "Prism could not start: " + cause.getMessage()
                    : "Prism could not start: " + cause);
            vertx.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                System.err.println("Prism stopped cleanly");
            } catch (Exception e) {
                System.err.println("Unclean shutdown: " + e);
            } finally {
                stopped.countDown();
            }
        }, "prism-shutdown"));
        stopped.await();
        return 0;
    }
}
