package dev.prism.store;

import dev.prism.support.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Embedded PostgreSQL")
class EmbeddedPostgresServerTest {

    @TempDir
    Path dataDir;

    @Test
    @DisplayName("runs with fsync and synchronous commit on, so acknowledged writes survive a power loss")
    void durable() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir)) {
            try (Connection c = connect(server.settings().port())) {
                assertThat(show(c, "fsync")).isEqualTo("on");
                assertThat(show(c, "synchronous_commit")).isEqualTo("on");
                assertThat(show(c, "full_page_writes")).isEqualTo("on");
            }
        }
        assertThat(ChildJvm.postgresProcessesFor(dataDir)).as("a clean stop leaves nothing running").isEmpty();
    }

    @Test
    @DisplayName("a second server on the same data directory is refused at once, with a message saying why")
    void secondOwnerRefused() throws Exception {
        Path log = dataDir.resolve("child.log");
        try (ChildJvm child = ChildJvm.start(log, Map.of(), List.of(), EmbeddedPostgresChild.class.getName(), dataDir.toString())) {
            child.awaitOutput("READY", Duration.ofSeconds(60));
            long started = System.nanoTime();
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir))
                    .isInstanceOf(DataDirectoryLock.DataDirectoryInUseException.class)
                    .hasMessageContaining("Another Prism (pid " + child.pid() + ") is already using the data directory")
                    .hasMessageContaining(dataDir.toAbsolutePath().toString());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            assertThat(ChildJvm.postgresProcessesFor(dataDir)).as("the first one's server is left alone").hasSize(1);
        }
        assertThat(ChildJvm.awaitNoPostgresFor(dataDir, Duration.ofSeconds(15))).isEmpty();
    }

    @Test
    @DisplayName("does not outlive its JVM: after kill -9 the watchdog stops it within seconds, and the next start succeeds")
    void watchdogStopsServerAfterKill9() throws Exception {
        Path log = dataDir.resolve("child.log");
        ChildJvm child = ChildJvm.start(log, Map.of(), List.of(), EmbeddedPostgresChild.class.getName(), dataDir.toString());
        Matcher ready = child.awaitOutput("READY port=(\\d+) postmaster=(\\d+)", Duration.ofSeconds(60));
        long postmaster = Long.parseLong(ready.group(2));
        try (Connection c = connect(Integer.parseInt(ready.group(1))); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v text)");
            s.execute("INSERT INTO kept VALUES ('acknowledged')");
        }
        child.kill();
        long killed = System.nanoTime();
        assertThat(ChildJvm.awaitNoPostgresFor(dataDir, Duration.ofSeconds(15))).as("server left after kill -9").isEmpty();
        assertThat(Postmaster.isLivePostgres(postmaster)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(12));
        assertThat(child.output()).contains("is gone: stopping its embedded PostgreSQL (pid " + postmaster + ")");

        assertRestartKeeps("acknowledged");
    }

    @Test
    @DisplayName("a start that finds an orphaned server on its data directory (its watchdog killed too) stops it and starts within 30 s")
    void orphanStoppedAtStart() throws Exception {
        Path log = dataDir.resolve("child.log");
        ChildJvm child = ChildJvm.start(log, Map.of(), List.of(), EmbeddedPostgresChild.class.getName(), dataDir.toString());
        Matcher ready = child.awaitOutput("READY port=(\\d+) postmaster=(\\d+)", Duration.ofSeconds(60));
        long postmaster = Long.parseLong(ready.group(2));
        try (Connection c = connect(Integer.parseInt(ready.group(1))); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v text)");
            s.execute("INSERT INTO kept VALUES ('before the orphaning')");
        }
        List<ProcessHandle> watchdogs = child.process().children()
                .filter(p -> p.info().command().map(cmd -> cmd.endsWith("sh")).orElse(false)).toList();
        assertThat(watchdogs).as("the child's watchdog").hasSize(1);
        watchdogs.get(0).destroyForcibly();
        watchdogs.get(0).onExit().get();
        child.kill();
        Thread.sleep(500); // not a wait for a condition: proof that nothing stops the orphan by itself
        assertThat(ChildJvm.postgresProcessesFor(dataDir)).as("orphaned server").containsExactly(postmaster);

        long started = System.nanoTime();
        assertRestartKeeps("before the orphaning");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(Postmaster.isLivePostgres(postmaster)).isFalse();
    }

    @Test
    @DisplayName("a stale pid file naming another server's live process (pid reused after a reboot) leaves that server alone")
    void stalePidFileOfAnotherServer(@TempDir Path otherDir) throws Exception {
        try (EmbeddedPostgresServer other = EmbeddedPostgresServer.start(otherDir)) {
            long otherPid = Postmaster.recordedPid(other.dataDirectory()).orElseThrow();
            Files.createDirectories(dataDir.resolve("postgres"));
            Files.writeString(dataDir.resolve("postgres").resolve("postmaster.pid"), otherPid + "\n" + dataDir.resolve("postgres") + "\n");
            try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir); Connection c = connect(server.settings().port())) {
                assertThat(show(c, "fsync")).isEqualTo("on");
            }
            assertThat(Postmaster.isLivePostgres(otherPid)).as("the other directory's server").isTrue();
            try (Connection c = connect(other.settings().port())) {
                assertThat(show(c, "fsync")).isEqualTo("on");
            }
        }
    }

    private void assertRestartKeeps(String value) throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir);
             Connection c = connect(server.settings().port()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(value);
        }
        assertThat(ChildJvm.postgresProcessesFor(dataDir)).isEmpty();
    }

    private static Connection connect(int port) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }

    private static String show(Connection c, String setting) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
