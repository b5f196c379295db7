package dev.prism.web;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.prism.bus.Addresses;
import dev.prism.bus.SummaryCreated;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server stopped in the middle of work stops its timers and sweeps before it undeploys the features they call, and
 * does not wait for a backlog: before, the dispatch sweep kept calling analysis after it was undeployed ("No handlers
 * for address prism.analysis.enqueue" every 10 s), re-clustering asked the embedding stage after it was gone, and the
 * embedding stage handed its whole backlog to its pool, whose close then waited for all of it.
 */
@DisplayName("Stopping a busy server")
class ShutdownTest {

    private Vertx vertx;
    private ServicePostgres pg;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @AfterEach
    void cleanUp() throws Exception {
        root.detachAppender(logs);
        if (vertx != null) {
            await(vertx.close());
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @DisplayName("with traces completing, analyses queued and thousands of summaries waiting for vectors, stop takes seconds and nothing calls a feature already gone")
    void stopsCleanly(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("cluster.refreshAfter", "20");
        settings.put("cluster.refreshShare", "0");
        settings.put("cluster.minIntervalSeconds", "0");
        TestServer server = TestServer.start(vertx, settings);
        logs.start();
        root.addAppender(logs);

        // Work in every stage: traces through ingestion, and a backlog of relevant summaries for embedding and clustering.
        for (Fixtures.Fixture f : Fixtures.all()) {
            assertThat(server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events())).status()).isEqualTo(200);
        }
        Instant now = Instant.now();
        for (int i = 0; i < 3_000; i++) {
            vertx.eventBus().publish(Addresses.SUMMARY_CREATED, new SummaryCreated("default", "error_analysis", "shutdown-" + i, 1, 1, true,
                    "Payment API timed out " + i, "The payment provider did not answer within 30 s on attempt " + i, null, "offline",
                    0, 0, 0, 0, now));
        }
        // Some vectors are being made and assigned, and automatic re-clustering has started, when the stop comes.
        Awaitility.await("a re-clustering ran").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> server.http.api("/api/projects/default/themes/error_analysis/clusters").json().hasNonNull("last_run"));

        long t0 = System.nanoTime();
        server.stop();
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[shutdown] stopped in %d ms%n", stopMillis);
        assertThat(stopMillis).as("stop took (ms)").isLessThan(30_000);
        List<String> calledGone = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("No handlers for address") || m.contains("Discarded the request") || m.contains("Discarding message"))
                .toList();
        assertThat(calledGone).as("calls to features already undeployed").isEmpty();
    }
}
