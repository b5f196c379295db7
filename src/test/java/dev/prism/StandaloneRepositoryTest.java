package dev.prism;

import dev.prism.support.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository runs its own tests after a fresh clone: its data is inside it, CI runs the README's command, and the
 * script the build runs before the tests (src/test/sh/test-services.sh) installs and starts only what is missing.
 */
@DisplayName("A repository that stands on its own")
class StandaloneRepositoryTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path SCRIPT = ROOT.resolve("src/test/sh/test-services.sh");
    /** Built from parts so that this file does not match itself. */
    private static final String OUTSIDE = ".." + "/shared";
    private static final Set<String> NOT_SOURCES = Set.of(".git", "target", "data", "node_modules");

    @Test
    @DisplayName("no file of the repository reads or points at the directory next to the checkout")
    void nothingOutside() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> ROOT.relativize(p).getNameCount() > 0 && !NOT_SOURCES.contains(ROOT.relativize(p).getName(0).toString()))
                    .filter(p -> p.toFile().length() < 1_000_000)
                    .forEach(p -> {
                        if (read(p).contains(OUTSIDE)) {
                            offenders.add(ROOT.relativize(p).toString());
                        }
                    });
        }
        assertThat(offenders).as("files referring to " + OUTSIDE).isEmpty();
        assertThat(Fixtures.DIR).startsWith(ROOT);
    }

    @Test
    @DisplayName(".ci/run runs exactly the README's test command, and the README's replay example names traces that ship here")
    void ciRunsTheReadmeCommand() {
        String readme = read(ROOT.resolve("README.md"));
        Matcher blocks = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(blocks.find()).isTrue();
        assertThat(blocks.group(1).trim()).startsWith("mvn ").contains("java -jar target/prism.jar");
        assertThat(blocks.find()).isTrue();
        String testCommand = blocks.group(1).trim();
        assertThat(testCommand).isEqualTo("mvn -B test");

        List<String> ciCommands = read(ROOT.resolve(".ci/run")).lines().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "))
                .toList();
        assertThat(ciCommands).containsExactly(testCommand);

        Matcher replay = Pattern.compile("prism\\.jar replay (\\S+)").matcher(readme);
        assertThat(replay.find()).isTrue();
        assertThat(ROOT.resolve(replay.group(1))).isDirectoryContaining("glob:**.json");
        assertThat(read(ROOT.resolve("pom.xml"))).contains("src/test/sh/test-services.sh");
    }

    @Test
    @DisplayName("the services script leaves services that answer alone (the build ran it before this test)")
    void servicesScriptIsANoOpWhenAllRuns() throws Exception {
        Result r = runScript(Map.of("PRISM_TEST_SERVICES_DRY_RUN", "1"));

        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("PostgreSQL answers on 127.0.0.1:5432", "Redis answers on 127.0.0.1:6379")
                .doesNotContain("would run", "installing", "starting");
    }

    @Test
    @DisplayName("on a machine without PostgreSQL, Redis or Chromium, the services script installs and starts each (dry run)")
    void servicesScriptInstallsWhatIsMissing(@TempDir Path dir) throws Exception {
        // A PATH with the shell's basic tools only: no PostgreSQL, Redis or browser, and "root" for the install step.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("bash", "sed", "awk", "sort", "ls", "tail", "sleep", "env", "cat", "head", "tr")) {
            Path real = which(tool);
            if (real != null) {
                Files.createSymbolicLink(bin.resolve(tool), real);
            }
        }
        fakeTool(bin, "id", "echo 0");
        fakeTool(bin, "apt-get", "echo 'apt-get must not run in a dry run' >&2; exit 1");
        int pgPort = freePort();
        int redisPort = freePort();

        Result r = runScript(Map.of("PATH", bin.toString(), "PRISM_TEST_SERVICES_DRY_RUN", "1",
                "PRISM_TEST_PG_PORT", String.valueOf(pgPort), "PRISM_TEST_REDIS_PORT", String.valueOf(redisPort),
                "PRISM_TEST_CHROMIUM", dir.resolve("none").toString(), "PRISM_TEST_CHROMEDRIVER", dir.resolve("none").toString(),
                "TMPDIR", dir.toString()));

        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).as(r.output)
                .contains("would run: env DEBIAN_FRONTEND=noninteractive apt-get update")
                .contains("LC_ALL=C.UTF-8 apt-get install -y -qq postgresql")
                .contains("pg_hba.conf")
                .containsPattern("would run: pg_ctlcluster --skip-systemctl-redirect \\S+ \\S+ start")
                .contains("apt-get install -y -qq redis-server")
                .contains("would run: redis-server --daemonize yes --bind 127.0.0.1 --port " + redisPort)
                .contains("apt-get install -y -qq chromium chromium-driver")
                .doesNotContain("apt-get must not run");
        assertThat(r.output.split("apt-get update", -1)).as("one apt-get update for all installs").hasSize(2);
    }

    private record Result(int exit, String output) {
    }

    private static Result runScript(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(which("bash").toString(), SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static void fakeTool(Path bin, String name, String body) throws IOException {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!" + which("bash") + "\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path which(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
