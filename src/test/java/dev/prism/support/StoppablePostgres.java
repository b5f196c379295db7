package dev.prism.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL server of a test's own, on a fixed data directory and port, that the test can stop (fast shutdown:
 * sessions are terminated, as on a restart by an operator) and start again: an "external" database for Prism
 * ({@code pg.url}) that goes away under load.
 */
public final class StoppablePostgres implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres running;

    private StoppablePostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    public static StoppablePostgres start(Path dataDir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // the same port again after a restart: Prism's pool reconnects where it was
        }
        StoppablePostgres pg = new StoppablePostgres(dataDir, port);
        pg.start();
        return pg;
    }

    public synchronized void start() throws IOException {
        if (running == null) {
            running = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60)).setRegisterShutdownHook(true).start();
        }
    }

    public synchronized void stop() throws IOException {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    public String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
