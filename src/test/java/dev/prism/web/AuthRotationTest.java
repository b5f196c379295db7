package dev.prism.web;

import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Admin key rotation and the failed-authentication slow-down")
class AuthRotationTest {

    private static final String TRACES = "/api/projects/default/traces";

    @Test
    @DisplayName("the generated admin key works until PRISM_ADMIN_TOKEN is set; from that start on it gets 401 and the configured one works")
    void configuredAdminTokenRevokesGenerated(Vertx vertx, @TempDir Path dataDir) throws Exception {
        try (ServicePostgres pg = ServicePostgres.createDatabase()) {
            Map<String, String> settings = TestServer.defaults(dataDir);
            settings.put("pg.url", pg.url());
            settings.put("auth.adminToken", null);
            TestServer first = TestServer.start(vertx, settings);
            String generated;
            try {
                Matcher m = Pattern.compile("Admin API key \\(Authorization: Bearer \\.\\.\\.\\): +(prism_admin_\\S+)").matcher(first.console());
                assertThat(m.find()).as(first.console()).isTrue();
                generated = m.group(1);
                assertThat(first.http.get(TRACES, generated).status()).isEqualTo(200);
            } finally {
                first.stop();
            }

            TestServer plainRestart = TestServer.start(vertx, settings);
            try {
                assertThat(plainRestart.http.get(TRACES, generated).status()).as("a restart alone changes nothing").isEqualTo(200);
            } finally {
                plainRestart.stop();
            }

            settings.put("auth.adminToken", TestServer.ADMIN_KEY);
            TestServer configured = TestServer.start(vertx, settings);
            try {
                HttpApi.Response refused = configured.http.get(TRACES, generated);
                assertThat(refused.status()).isEqualTo(401);
                assertThat(refused.json().get("error").asText()).isEqualTo("unauthorized");
                assertThat(configured.http.get(TRACES, TestServer.ADMIN_KEY).status()).isEqualTo(200);
            } finally {
                configured.stop();
            }

            // Someone who copies the generated key into PRISM_ADMIN_TOKEN keeps a working key rather than none.
            settings.put("auth.adminToken", generated);
            TestServer copied = TestServer.start(vertx, settings);
            try {
                assertThat(copied.http.get(TRACES, generated).status()).isEqualTo(200);
                assertThat(copied.http.get(TRACES, TestServer.ADMIN_KEY).status()).as("the previous configured key is replaced").isEqualTo(401);
            } finally {
                copied.stop();
            }
        }
    }

    @Test
    @DisplayName("after auth.maxFailuresPerMinute wrong keys or tokens, an address gets 429 with Retry-After, even with a right key")
    void failedAuthenticationIsSlowedDown(Vertx vertx, @TempDir Path dataDir) throws Exception {
        try (ServicePostgres pg = ServicePostgres.createDatabase()) {
            Map<String, String> settings = TestServer.defaults(dataDir);
            settings.put("pg.url", pg.url());
            settings.put("auth.maxFailuresPerMinute", "5");
            TestServer server = TestServer.start(vertx, settings);
            try {
                assertThat(server.http.get(TRACES, null).status()).as("a missing key is no failed guess").isEqualTo(401);
                for (int i = 0; i < 3; i++) {
                    assertThat(server.http.get(TRACES, "guess-" + i).status()).isEqualTo(401);
                }
                String event = IngestionContract.event("$ai_generation", "slow-1").toString();
                assertThat(server.http.post("/i/v0/e/", event, "Authorization", "Bearer guess-header").status()).isEqualTo(401);
                assertThat(server.http.post("/batch/", HttpApi.batch("guess-body", List.of(IngestionContract.event("$ai_generation", "slow-2"))))
                        .status()).as("the fifth failure is still answered").isEqualTo(401);

                HttpApi.Response blocked = server.http.get(TRACES, TestServer.ADMIN_KEY);
                assertThat(blocked.status()).isEqualTo(429);
                assertThat(blocked.json().get("error").asText()).isEqualTo("too_many_failures");
                long retryAfter = Long.parseLong(blocked.headers().firstValue("Retry-After").orElseThrow());
                assertThat(retryAfter).isBetween(1L, 60L);
                assertThat(server.http.post("/i/v0/e/", event, "Authorization", "Bearer " + TestServer.PROJECT_TOKEN).status()).isEqualTo(429);
                assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, List.of(IngestionContract.event("$ai_generation", "slow-3"))))
                        .status()).isEqualTo(429);
            } finally {
                server.stop();
            }
        }
    }
}
