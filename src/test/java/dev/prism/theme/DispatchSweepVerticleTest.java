package dev.prism.theme;

import dev.prism.bus.Addresses;
import dev.prism.bus.Codecs;
import dev.prism.bus.RelevanceBackfill;
import dev.prism.bus.RunTasks;
import dev.prism.config.PrismConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dispatch sweep between the database and stand-ins for relevance backfill and analysis queueing. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The dispatch sweep")
class DispatchSweepVerticleTest {

    private ThemeTestDatabase db;
    private final List<RelevanceBackfill> backfilled = new CopyOnWriteArrayList<>();
    private final List<RunTasks.Enqueue> enqueued = new CopyOnWriteArrayList<>();
    private String deployment;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        Codecs.register(vertx);
        db = ThemeTestDatabase.start(vertx);
        db.theme("p", "{\"theme_id\": \"everything\", \"name\": \"Everything\"}");
        db.theme("p", "{\"theme_id\": \"long_traces\", \"name\": \"Long traces\","
                + " \"theme_filters\": [{\"key\": \"trace.event_count\", \"operator\": \"gte\", \"value\": 1000, \"type\": \"trace\"}]}");
        db.trace("p", "missed", 1, 120, 1_000, false);
        db.trace("p", "handled", 1, 120, 1_000, true);
        db.trace("p", "fresh", 1, 0, 1_000, false);
        // What relevance answers for a trace it scored late, and what analysis answers when it queued the analyses.
        await(vertx.eventBus().<RelevanceBackfill>consumer(Addresses.RELEVANCE_BACKFILL, m -> {
            backfilled.add(m.body());
            m.reply(new RelevanceBackfill.Scored(Map.of()));
        }).completion());
        await(vertx.eventBus().<RunTasks.Enqueue>consumer(Addresses.ANALYSIS_ENQUEUE, m -> {
            enqueued.add(m.body());
            m.reply(m.body().traces().size());
        }).completion());
        PrismConfig.Ingest ingest = PrismConfig.from(new dev.prism.config.ConfigSource(Map.of(), Map.of(), Map.of())).ingest();
        deployment = await(vertx.deployVerticle(new DispatchSweepVerticle(db.pool(), ingest, 200, 60)));
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(vertx.undeploy(deployment));
        db.close();
    }

    @Test
    @DisplayName("scores, filters and queues a settled version streaming missed, marks it, and leaves handled and fresh ones alone")
    void sweepsMissedTraces() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(1).equals(db.dispatchedVersion("p", "missed")));
        assertThat(backfilled).extracting(RelevanceBackfill::traceId).containsExactly("missed");
        assertThat(enqueued).hasSize(1);
        RunTasks.Enqueue e = enqueued.get(0);
        assertThat(e.themeId()).as("the long-traces filter keeps nothing").isEqualTo("everything");
        assertThat(e.traces()).containsExactly(new RunTasks.TraceRef("missed", 1));
        assertThat(e.runId()).isNull();
        assertThat(e.keepEarlierSummary()).as("a first version has no earlier summary").isFalse();
        assertThat(db.dispatchedVersion("p", "fresh")).as("still in the streaming path").isNull();
    }
}
