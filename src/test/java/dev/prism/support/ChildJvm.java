package dev.prism.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A main class of this build run in a JVM of its own, so that a test can kill it the way a crash does (SIGKILL, no
 * shutdown hooks) and look at what it leaves behind. Its output goes to a file the test reads.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildJvm start(Path log, Map<String, String> env, List<String> jvmOptions, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small and quick to start: two cores are shared by everything on this machine.
        command.addAll(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Only what the test sets: a PRISM_PG_URL of the machine running the tests must not redirect the child.
        pb.environment().keySet().removeIf(k -> k.startsWith("PRISM_"));
        pb.environment().putAll(env);
        return new ChildJvm(pb.start(), log);
    }

    /** Surefire runs tests from a manifest-only jar; the real class path is in its own property. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Waits until the output (from the start of the log) matches {@code regex}; returns the first match. */
    public Matcher awaitOutput(String regex, Duration timeout) throws Exception {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String out = output();
            Matcher m = p.matcher(out);
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new AssertionError("The child JVM exited (" + process.exitValue() + ") before printing " + regex + ":\n" + tail(out));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No " + regex + " within " + timeout + ":\n" + tail(out));
            }
            Thread.sleep(50);
        }
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    /** SIGKILL, as a crash or the OOM killer would: no shutdown hook runs. Waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /**
     * Live PostgreSQL processes whose command line names {@code dataDir} (the postmaster keeps its own command line,
     * {@code postgres -D <dir> ...}): what a crash could leave behind for that directory. Linux procfs only.
     */
    public static List<Long> postgresProcessesFor(Path dataDir) throws IOException {
        String needle = dataDir.toAbsolutePath().toString();
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    String comm = Files.readString(proc.resolve("comm")).trim();
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (state != 'Z' && state != 'X' && comm.equals("postgres") && cmdline.contains(needle)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited while we looked
                }
            }
        }
        return pids;
    }

    /** Polls {@link #postgresProcessesFor} until none is left or the timeout passes; returns what is left. */
    public static List<Long> awaitNoPostgresFor(Path dataDir, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> left = postgresProcessesFor(dataDir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = postgresProcessesFor(dataDir);
        }
        return left;
    }
}
