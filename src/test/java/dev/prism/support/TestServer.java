package dev.prism.support;

import dev.prism.PrismServer;
import dev.prism.config.ConfigSource;
import dev.prism.config.PrismConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a real Prism server for a test: free port, short trace timings, known credentials. */
public final class TestServer {

    public static final String PROJECT_TOKEN = "test-project-token-000000000000";
    public static final String ADMIN_KEY = "test-admin-key-00000000000000000";

    public final PrismServer server;
    public final HttpApi http;
    private final ByteArrayOutputStream console;

    private TestServer(PrismServer server, ByteArrayOutputStream console) {
        this.server = server;
        this.console = console;
        this.http = new HttpApi(server.httpPort());
    }

    /** Settings common to tests; {@code overrides} are system-property-level settings keyed by config path. */
    public static Map<String, String> defaults(Path dataDir) {
        Map<String, String> s = new HashMap<>();
        s.put("http.port", "0");
        s.put("http.host", "127.0.0.1");
        s.put("dataDir", dataDir.toString());
        s.put("auth.projectToken", PROJECT_TOKEN);
        s.put("auth.adminToken", ADMIN_KEY);
        s.put("trace.idleSeconds", "2");
        s.put("trace.rootGraceMillis", "200");
        s.put("trace.sweepMillis", "100");
        s.put("pg.poolSize", "4");
        s.put("run.schedulerSeconds", "0"); // scheduled runs only where a test asks for them
        return s;
    }

    public static TestServer start(Vertx vertx, Map<String, String> settings) throws Exception {
        return start(vertx, settings, null);
    }

    /** @param alertDestinations the destinations alert rules may name; null for the server's own */
    public static TestServer start(Vertx vertx, Map<String, String> settings, java.util.List<dev.prism.alert.Destination> alertDestinations)
            throws Exception {
        Map<String, String> sys = new HashMap<>();
        settings.forEach((k, v) -> {
            if (v != null) {
                sys.put("prism." + k, v);
            }
        });
        PrismConfig config = PrismConfig.from(new ConfigSource(Map.of(), Map.of(), sys));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        PrismServer server = await(alertDestinations == null ? PrismServer.start(vertx, config, out)
                : PrismServer.start(vertx, config, out, alertDestinations));
        return new TestServer(server, console);
    }

    public String console() {
        return console.toString(StandardCharsets.UTF_8);
    }

    public void stop() throws Exception {
        await(server.stop());
    }

    public static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
