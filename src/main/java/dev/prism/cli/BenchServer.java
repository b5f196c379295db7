package dev.prism.cli;

import dev.prism.PrismServer;
import dev.prism.config.ConfigSource;
import dev.prism.config.PrismConfig;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throw-away server for a benchmark: free port on loopback, known tokens, embedded PostgreSQL in a temporary
 * directory (unless a URL is given) that {@link #close()} deletes. {@code -Dprism.<key>=…} still tunes it.
 */
final class BenchServer implements AutoCloseable {

    static final String PROJECT_TOKEN = "bench-project-token-0123456789";
    static final String ADMIN_KEY = "bench-admin-key-0123456789";

    final Vertx vertx;
    final PrismServer server;
    private final Path dataDir;

    private BenchServer(Vertx vertx, PrismServer server, Path dataDir) {
        this.vertx = vertx;
        this.server = server;
        this.dataDir = dataDir;
    }

    /** @param settings config paths to values (e.g. {@code trace.idleSeconds}), applied before -Dprism.* overrides */
    static BenchServer start(Map<String, String> settings) throws Exception {
        Path dataDir = Files.createTempDirectory("prism-bench");
        Map<String, String> sys = new HashMap<>();
        sys.put(PrismConfig.HTTP_PORT.systemProperty(), "0");
        sys.put(PrismConfig.HTTP_HOST.systemProperty(), "127.0.0.1");
        sys.put(PrismConfig.DATA_DIR.systemProperty(), dataDir.toString());
        sys.put(PrismConfig.PROJECT_TOKEN.systemProperty(), PROJECT_TOKEN);
        sys.put(PrismConfig.ADMIN_TOKEN.systemProperty(), ADMIN_KEY);
        settings.forEach((k, v) -> sys.put("prism." + k, v));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("prism."))
                .forEach(k -> sys.put(k, System.getProperty(k)));
        Vertx vertx = Vertx.vertx();
        PrismConfig config = PrismConfig.from(new ConfigSource(Map.of(), Map.of(), sys));
        PrismServer server = ReplayCommand.await(PrismServer.start(vertx, config, new PrintStream(OutputStream.nullOutputStream())));
        return new BenchServer(vertx, server, dataDir);
    }

    String url() {
        return "http://127.0.0.1:" + server.httpPort();
    }

    @Override
    public void close() throws Exception {
        ReplayCommand.await(server.stop().eventually(vertx::close));
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("Could not remove " + dataDir + ": " + e.getMessage());
        }
    }
}
