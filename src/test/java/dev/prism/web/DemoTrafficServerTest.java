package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("serve --demo")
class DemoTrafficServerTest {

    @Test
    @DisplayName("fills a fresh server with completed traces of several models, some with errors, without any client")
    void demoFillsServer(Vertx vertx, @TempDir Path dataDir) throws Exception {
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("demo.enabled", "true");
        settings.put("demo.tracesPerSecond", "40");
        settings.put("trace.idleSeconds", "1");
        TestServer server = TestServer.start(vertx, settings);
        try {
            JsonNode page = server.http.awaitApi("/api/projects/default/traces?status=completed&limit=200",
                    r -> r.json().path("results").size() >= 40, Duration.ofSeconds(60)).json();
            Set<String> models = new HashSet<>();
            int withErrors = 0;
            int deep = 0;
            for (JsonNode t : page.get("results")) {
                t.get("aggregates").get("models").forEach(m -> models.add(m.asText()));
                withErrors += t.get("aggregates").get("error_count").asInt() > 0 ? 1 : 0;
                deep += t.get("aggregates").get("tree_depth").asInt() >= 2 ? 1 : 0;
            }
            assertThat(models).hasSizeGreaterThanOrEqualTo(3);
            assertThat(withErrors).isPositive();
            assertThat(deep).isPositive();
        } finally {
            server.stop();
        }
    }
}
