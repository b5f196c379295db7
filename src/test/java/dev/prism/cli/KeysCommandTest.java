package dev.prism.cli;

import dev.prism.Main;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("prism keys: create, list and revoke through a server's API")
class KeysCommandTest {

    record Run(int code, String out) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    @DisplayName("a created key is printed once and works for its scope; list never shows secrets; a revoked key is refused")
    void lifecycle(Vertx vertx, @TempDir Path dataDir) throws Exception {
        try (ServicePostgres pg = ServicePostgres.createDatabase()) {
            Map<String, String> settings = TestServer.defaults(dataDir);
            settings.put("pg.url", pg.url());
            TestServer server = TestServer.start(vertx, settings);
            try {
                String url = "http://127.0.0.1:" + server.server.httpPort();
                Run created = run("keys", "create", "--url", url, "--admin-key", TestServer.ADMIN_KEY, "--name", "ci", "--scope", "read,ingest");
                assertThat(created.code()).as(created.out()).isZero();
                Matcher m = Pattern.compile("Key \\(shown only once\\): (prism_key_\\S+)").matcher(created.out());
                assertThat(m.find()).as(created.out()).isTrue();
                String key = m.group(1);
                Matcher id = Pattern.compile("^(\\d+) +ci +ingest,read", Pattern.MULTILINE).matcher(created.out());
                assertThat(id.find()).as(created.out()).isTrue();
                assertThat(server.http.get("/api/projects/default/traces", key).status()).isEqualTo(200);

                Run listed = run("keys", "list", "--url", url, "--admin-key", TestServer.ADMIN_KEY);
                assertThat(listed.code()).isZero();
                assertThat(listed.out()).contains("ci").contains("active").doesNotContain(key);

                Run revoked = run("keys", "revoke", id.group(1), "--url", url, "--admin-key", TestServer.ADMIN_KEY);
                assertThat(revoked.code()).as(revoked.out()).isZero();
                assertThat(revoked.out()).contains("revoked");
                assertThat(server.http.get("/api/projects/default/traces", key).status()).isEqualTo(401);

                Run refused = run("keys", "list", "--url", url, "--admin-key", key);
                assertThat(refused.code()).isEqualTo(1);
                assertThat(refused.out()).contains("HTTP 401");
                assertThat(run("keys", "create", "--url", url, "--admin-key", TestServer.ADMIN_KEY, "--name", "x", "--scope", "root").out())
                        .contains("invalid_scopes");
            } finally {
                server.stop();
            }
        }
    }
}
