package dev.prism.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A tiny {@code sh} process that stops the embedded PostgreSQL once the Prism JVM is gone, however it went
 * ({@code kill -9} and OOM kills included): PostgreSQL runs detached from us ({@code pg_ctl} starts it in its own
 * session), so nothing else would ever stop it, and it would hold the data directory against the next start.
 *
 * <p>How it notices: its standard input is a pipe whose write end only this JVM holds (Java closes every other
 * descriptor in the processes it starts). The kernel closes that end when the JVM dies, the watchdog reads end of
 * input, and stops the server whose pid the JVM wrote to that pipe once it ran (or, if the JVM died before, the one
 * named in {@code postmaster.pid}) as {@code pg_ctl stop -m fast} would (SIGINT), then
 * immediately (SIGQUIT) after 5 s, then kills it after 10 s. No polling, no pid of ours that could be reused. It
 * ignores the terminal's and the service manager's signals so that it outlives the JVM it watches; on a clean stop
 * the server is already down and the watchdog just exits.
 */
final class PostgresWatchdog implements AutoCloseable {

    private static final String SCRIPT = String.join("\n",
            "trap '' INT HUP TERM QUIT PIPE",
            // The JVM writes the postmaster's pid once the server runs; end of input means the JVM is gone.
            "pid=",
            "while read -r line; do pid=\"$line\"; done",
            // Not told (the JVM died while the server was starting): the pid file names it, once the server has
            // written it (pg_ctl may still be launching it).
            "f=\"$1/postmaster.pid\"",
            "if [ -z \"$pid\" ]; then",
            "  n=0",
            "  while [ ! -f \"$f\" ] && [ $n -lt 50 ]; do n=$((n+1)); sleep 0.1; done",
            "  [ -f \"$f\" ] && pid=$(head -n 1 \"$f\")",
            "fi",
            "case \"$pid\" in ''|*[!0-9]*) exit 0;; esac",
            // Live, not a zombie, and PostgreSQL (not a reused pid); procfs checks are skipped where there is none.
            "dir=$(cd \"$1\" 2>/dev/null && pwd -P)",
            "alive() {",
            "  kill -0 \"$pid\" 2>/dev/null || return 1",
            "  if [ -r \"/proc/$pid/stat\" ]; then",
            "    grep -q '^[0-9]* (.*) [ZX] ' \"/proc/$pid/stat\" && return 1",
            "    [ \"$(cat \"/proc/$pid/comm\" 2>/dev/null)\" = postgres ] || return 1",
            // A postmaster works in its data directory: a reused pid of another server is not ours.
            "    cwd=$(readlink \"/proc/$pid/cwd\" 2>/dev/null) && [ -n \"$dir\" ] && [ \"$cwd\" != \"$dir\" ] && return 1",
            "  fi",
            "  return 0",
            "}",
            "alive || exit 0",
            "echo \"Prism (pid $2) is gone: stopping its embedded PostgreSQL (pid $pid)\" >&2",
            "kill -INT \"$pid\" 2>/dev/null",
            "i=0",
            "while alive; do",
            "  i=$((i+1))",
            "  [ $i -eq 50 ] && kill -QUIT \"$pid\" 2>/dev/null",
            "  [ $i -eq 100 ] && kill -KILL \"$pid\" 2>/dev/null",
            "  [ $i -ge 150 ] && exit 1",
            "  sleep 0.1",
            "done",
            "exit 0");

    /** Written once (the pid to stop); closing it, or the JVM dying, is the signal. */
    private final Process process;

    private PostgresWatchdog(Process process) {
        this.process = process;
    }

    static PostgresWatchdog start(Path pgData) {
        try {
            Process p = new ProcessBuilder("sh", "-c", SCRIPT, "prism-postgres-watchdog",
                    pgData.toAbsolutePath().toString(), Long.toString(ProcessHandle.current().pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new PostgresWatchdog(p);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL watchdog (sh): " + e.getMessage(), e);
        }
    }

    /**
     * Tells the watchdog which process to stop: remembered by the watchdog itself, so that a data directory removed or
     * rewritten under a running server cannot hide it.
     */
    void watch(long postmasterPid) {
        try {
            var out = process.getOutputStream();
            out.write((postmasterPid + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("The embedded PostgreSQL watchdog is gone: " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Ends the watch: the watchdog stops whatever still runs on the data directory, then exits. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
