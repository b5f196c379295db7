package dev.prism.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server process of one data directory, found through the {@code postmaster.pid} file PostgreSQL keeps
 * there, and stopped with the signals {@code pg_ctl stop} sends. Blocking: call from a worker thread.
 */
final class Postmaster {

    private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
    static final String PID_FILE = "postmaster.pid";

    private Postmaster() {
    }

    /** The pid recorded in {@code pgData/postmaster.pid}, if the file is there and readable. */
    static OptionalLong recordedPid(Path pgData) {
        try {
            List<String> lines = Files.readAllLines(pgData.resolve(PID_FILE), StandardCharsets.UTF_8);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Whether {@code pid} is a live PostgreSQL process. A zombie is not live (it holds nothing, and it stays a zombie
     * where the init process does not reap orphans); a pid reused by another program is not PostgreSQL.
     */
    static boolean isLivePostgres(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return true; // no procfs (macOS): trust the pid file
        }
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            // "pid (comm) S ...": the state follows the last ')' since comm may itself contain one.
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            if (state.equals("Z") || state.equals("X")) {
                return false;
            }
            return Files.readString(proc.resolve("comm"), StandardCharsets.US_ASCII).trim().equals("postgres");
        } catch (IOException | RuntimeException e) {
            return Files.exists(proc); // unreadable but present: assume it is, rather than remove a live server's pid file
        }
    }

    /**
     * Whether {@code pid} works in {@code pgData}: the postmaster's working directory is its data directory. After a
     * reboot a stale pid file may name another server's process; that one must be left alone. Where the working
     * directory cannot be read, the pid file is trusted.
     */
    static boolean servesDirectory(long pid, Path pgData) {
        Path cwd = Path.of("/proc", Long.toString(pid), "cwd");
        try {
            return Files.isSameFile(cwd.toRealPath(), pgData.toRealPath());
        } catch (IOException | SecurityException e) {
            return true;
        }
    }

    /**
     * Makes sure no server runs on {@code pgData} before we start ours: a live PostgreSQL left by a Prism that died
     * (its data directory lock is ours now, so nothing else may use it) is shut down, fast first, then immediately,
     * then killed; a pid file naming a dead or unrelated process is removed so PostgreSQL does not refuse to start.
     * Fsync is on, so even an immediate stop loses nothing acknowledged: the next start replays the WAL.
     */
    static void stopLeftover(Path pgData, Duration budget) {
        OptionalLong recorded = recordedPid(pgData);
        if (recorded.isEmpty()) {
            return;
        }
        long pid = recorded.getAsLong();
        if (isLivePostgres(pid) && servesDirectory(pid, pgData)) {
            LOG.warn("A PostgreSQL server (pid {}) left by an earlier Prism still runs on {}; stopping it", pid, pgData.toAbsolutePath());
            long deadline = System.nanoTime() + budget.toNanos();
            long third = budget.toNanos() / 3;
            if (!signalAndWait(pid, "INT", Math.min(deadline, System.nanoTime() + third))
                    && !signalAndWait(pid, "QUIT", Math.min(deadline, System.nanoTime() + third))
                    && !signalAndWait(pid, "KILL", deadline)) {
                throw new IllegalStateException("A PostgreSQL server (pid " + pid + ") still runs on " + pgData.toAbsolutePath()
                        + " and did not stop within " + budget.toSeconds() + " s; stop it and start Prism again");
            }
            LOG.info("Stopped the leftover PostgreSQL server (pid {})", pid);
        }
        try {
            // Left behind when the server was killed, or naming a process that is not (or no longer) ours.
            if (recordedPid(pgData).equals(recorded) && !(isLivePostgres(pid) && servesDirectory(pid, pgData))) {
                Files.deleteIfExists(pgData.resolve(PID_FILE));
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the stale {}: {}", pgData.resolve(PID_FILE), e.getMessage());
        }
    }

    /** Sends {@code signal} to {@code pid} if it still is PostgreSQL, then waits until it is gone or the deadline passes. */
    static boolean signalAndWait(long pid, String signal, long deadlineNanos) {
        if (isLivePostgres(pid)) {
            signal(pid, signal);
        }
        while (isLivePostgres(pid)) {
            if (System.nanoTime() > deadlineNanos) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isLivePostgres(pid);
            }
        }
        return true;
    }

    /**
     * Sends a named signal with {@code kill(1)}: Java itself can only send SIGTERM and SIGKILL, and PostgreSQL's fast
     * shutdown is SIGINT, its immediate shutdown SIGQUIT.
     */
    static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            if (signal.equals("KILL")) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            } else {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
