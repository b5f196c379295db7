package dev.prism.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server started from the binaries bundled in the jar, keeping its data in a directory of ours so that
 * it survives restarts. Blocking: call from a worker thread.
 *
 * <p>What it guarantees, beyond the embedding library's test-oriented defaults:
 * <ul>
 *   <li>Durable: fsync and synchronous commit on, so an acknowledged write survives a power loss or an OS crash
 *       and a power loss cannot corrupt the database.</li>
 *   <li>One owner: {@code <dataDir>/prism.lock} is locked for the life of the process, so a second Prism on the same
 *       directory is refused at once.</li>
 *   <li>No orphans: a {@link PostgresWatchdog} stops the server within seconds of the JVM's death, also after
 *       {@code kill -9}; and a server still found running on the directory at start (its watchdog killed too) is
 *       stopped before ours starts.</li>
 * </ul>
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** How long a leftover server may take to stop (fast, then immediate, then kill) before we give up. */
    private static final Duration LEFTOVER_STOP_BUDGET = Duration.ofSeconds(20);
    /** How long a clean stop may take: a shutdown checkpoint with fsync on can outlast pg_ctl's own 5 s. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final EmbeddedPostgres postgres;
    private final DataDirectoryLock lock;
    private final PostgresWatchdog watchdog;
    private final Path pgData;
    private final OptionalLong postmasterPid;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, DataDirectoryLock lock, PostgresWatchdog watchdog, Path pgData) {
        this.postgres = postgres;
        this.lock = lock;
        this.watchdog = watchdog;
        this.pgData = pgData;
        this.postmasterPid = Postmaster.recordedPid(pgData);
    }

    /** Starts the server on {@code dataDir/postgres}, holding {@code dataDir}'s lock until {@link #close()}. */
    static EmbeddedPostgresServer start(Path dataDir) {
        DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
        Path pgData = dataDir.resolve("postgres");
        PostgresWatchdog watchdog = null;
        try {
            Files.createDirectories(pgData);
            // We hold the lock, so whatever still runs on the directory belongs to a Prism that is gone.
            Postmaster.stopLeftover(pgData, LEFTOVER_STOP_BUDGET);
            // Before the server starts, so that no moment exists where the JVM could die leaving it unwatched.
            watchdog = PostgresWatchdog.start(pgData);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    // The library passes -F (fsync off) and synchronous_commit=off, fine for tests, not for a server
                    // that acknowledges data: a later -c on the command line overrides -F.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // We stop it ourselves on shutdown; the library's hook would race with our own.
                    .setRegisterShutdownHook(false)
                    .start();
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(pg, lock, watchdog, pgData);
            server.postmasterPid.ifPresent(watchdog::watch);
            LOG.debug("Embedded PostgreSQL pid {} on port {}, watchdog pid {}", server.postmasterPid, pg.getPort(), watchdog.pid());
            return server;
        } catch (IOException | RuntimeException e) {
            if (watchdog != null) {
                watchdog.close(); // stops a server the library may have left half-started
            }
            lock.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + pgData.toAbsolutePath() + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    Database.ConnectionSettings settings() {
        return new Database.ConnectionSettings("localhost", postgres.getPort(), "postgres", "postgres", "");
    }

    @Override
    public void close() {
        try {
            postgres.close();
            // pg_ctl gives up after 5 s while the server may still be writing its shutdown checkpoint: wait for it, so
            // that the lock is released only once nothing runs on the directory any more.
            postmasterPid.ifPresent(pid -> {
                if (!Postmaster.signalAndWait(pid, "INT", System.nanoTime() + STOP_WAIT.toNanos())) {
                    LOG.warn("Embedded PostgreSQL (pid {}) did not stop within {} s; its watchdog takes over", pid, STOP_WAIT.toSeconds());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            watchdog.close();
            lock.close();
        }
    }

    Path dataDirectory() {
        return pgData;
    }
}
