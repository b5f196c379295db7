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
 * A throw-away server for {@code eval} and the benchmarks: free port on loopback, a project token and an admin key made
 * for this run (nothing guessable is ever listening), embedded PostgreSQL in a temporary directory (unless a URL is
 * given) that {@link #close()} deletes. {@code -Dprism.<key>=…} still tunes it.
 */
final class BenchServer implements AutoCloseable {

    final Vertx vertx;
    final PrismServer server;
    /** The project's ingestion token for this run. */
    final String projectToken;
    /** The admin key for this run. */
    final String adminKey;
    private final Path dataDir;

    private BenchServer(Vertx vertx, PrismServer server, Path dataDir, String projectToken, String adminKey) {
        this.vertx = vertx;
        this.server = server;
        this.dataDir = dataDir;
        this.projectToken = projectToken;
        this.adminKey = adminKey;
    }

    private static String secret(String prefix) {
        byte[] bytes = new byte[18];
        new java.security.SecureRandom().nextBytes(bytes);
        return prefix + java.util.HexFormat.of().formatHex(bytes);
    }

    /** @param settings config paths to values (e.g. {@code trace.idleSeconds}), applied before -Dprism.* overrides */
    static BenchServer start(Map<String, String> settings) throws Exception {
        return start(settings, secret("phc_run_"), secret("prism_run_"));
    }

    /** With the caller's credentials: a benchmark builds its request bodies, which carry the token, before the server starts. */
    static BenchServer start(Map<String, String> settings, String projectToken, String adminKey) throws Exception {
        Path dataDir = Files.createTempDirectory("prism-bench");
        Map<String, String> sys = new HashMap<>();
        sys.put(PrismConfig.HTTP_PORT.systemProperty(), "0");
        sys.put(PrismConfig.HTTP_HOST.systemProperty(), "127.0.0.1");
        sys.put(PrismConfig.DATA_DIR.systemProperty(), dataDir.toString());
        sys.put(PrismConfig.PROJECT_TOKEN.systemProperty(), projectToken);
        sys.put(PrismConfig.ADMIN_TOKEN.systemProperty(), adminKey);
        settings.forEach((k, v) -> sys.put("prism." + k, v));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("prism."))
                .forEach(k -> sys.put(k, System.getProperty(k)));
        Vertx vertx = Vertx.vertx();
        PrismConfig config = PrismConfig.from(new ConfigSource(Map.of(), Map.of(), sys));
        PrismServer server = ReplayCommand.await(PrismServer.start(vertx, config, new PrintStream(OutputStream.nullOutputStream())));
        return new BenchServer(vertx, server, dataDir, projectToken, adminKey);
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
