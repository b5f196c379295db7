package dev.prism.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Running a Node.js check script from a test (for {@code clients/posthog-check} and {@code clients/otel-check}):
 * finding {@code node} and {@code npm} (installed from Debian's packages when missing and the process may), and running
 * a command to completion with a deadline. A check that cannot run fails rather than skips: on CI a skipped check
 * proves nothing.
 */
public final class NodeCheck {

    private NodeCheck() {
    }

    /** A client check installed in a work folder, ready to run against a server. */
    public record Installed(Path node, Path work) {

        /**
         * Runs {@code check.mjs} against the server (its URL and tokens in the environment) and returns the JSON of its
         * last {@code RESULT} line, which the caller asserts on, with the whole output for messages; prints that line
         * under {@code label}.
         */
        public Result check(String label, int port, String projectToken, String adminToken, long seconds) throws Exception {
            String output = run(List.of(node.toString(), "check.mjs"), work, Map.of(
                    "PRISM_URL", "http://127.0.0.1:" + port,
                    "PRISM_PROJECT_TOKEN", projectToken,
                    "PRISM_ADMIN_TOKEN", adminToken), seconds);
            String line = output.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("The check printed no RESULT line:\n" + output));
            System.out.println("[" + label + "] " + line);
            return new Result(new ObjectMapper().readTree(line.substring("RESULT ".length())), output);
        }
    }

    /** What a check reported ({@code json}) and everything it printed ({@code output}). */
    public record Result(JsonNode json, String output) {
    }

    /**
     * Copies {@code clients/<client>}'s {@code files} into {@code work} and installs its pinned packages ({@code npm ci});
     * Node.js must be 20 or later.
     */
    public static Installed install(String client, List<String> files, Path work, long installSeconds) throws Exception {
        Path node = tool("node");
        Path npm = tool("npm");
        String version = run(List.of(node.toString(), "--version"), work, Map.of(), 30).trim();
        assertThat(Integer.parseInt(version.replaceFirst("^v(\\d+)\\..*$", "$1"))).as("Node.js %s", version).isGreaterThanOrEqualTo(20);
        Path source = Path.of(System.getProperty("basedir", ".")).resolve("clients").resolve(client);
        for (String f : files) {
            Files.copy(source.resolve(f), work.resolve(f));
        }
        run(List.of(npm.toString(), "ci", "--no-audit", "--no-fund", "--loglevel=error"), work, Map.of(), installSeconds);
        return new Installed(node, work);
    }

    /** The tool on the PATH, installed from Debian's packages first when missing and this process may. */
    public static Path tool(String name) throws Exception {
        Optional<Path> found = onPath(name);
        if (found.isEmpty() && onPath("apt-get").isPresent()) {
            boolean root = "root".equals(System.getProperty("user.name"));
            String prefix = root ? "" : onPath("sudo").isPresent() ? "sudo -n " : null;
            if (prefix != null) {
                run(List.of("sh", "-c", prefix + "env DEBIAN_FRONTEND=noninteractive apt-get update -qq && " + prefix
                        + "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm"), Path.of("."), Map.of(), 300);
                found = onPath(name);
            }
        }
        return found.orElseThrow(() -> new AssertionError(name + " is not installed: the check needs Node.js 20 and npm"));
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Runs a command to completion (killing it at the deadline) and returns its merged output; fails on a non-zero exit. */
    public static String run(List<String> command, Path dir, Map<String, String> env, long seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("prism-check-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " ran longer than " + seconds + " s:\n" + tail(log));
            }
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + tail(log));
            }
            return Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.length() > 20_000 ? s.substring(s.length() - 20_000) : s;
    }
}
