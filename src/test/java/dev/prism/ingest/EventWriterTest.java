package dev.prism.ingest;

import dev.prism.bus.Failure;
import dev.prism.config.PrismConfig;
import dev.prism.ingest.EventParser.ParsedEvent;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Group commit against the machine's PostgreSQL")
class EventWriterTest {

    private ServicePostgres postgres;
    private Database database;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        postgres = ServicePostgres.createDatabase();
        database = await(Database.start(vertx, new PrismConfig.Store(Optional.of(postgres.url()), Path.of("unused"), 4)));
        await(database.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h')").execute());
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(database.close(vertx));
        postgres.close();
    }

    private static List<ParsedEvent> events(String traceId, int n) {
        List<ParsedEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ParsedEvent(UUID.randomUUID().toString(), "$ai_span", "u", traceId, null, "{\"$ai_trace_id\": \"" + traceId + "\"}"));
        }
        return out;
    }

    @Test
    @DisplayName("requests arriving during a write share the next transaction; past the queue limit the store answers 503")
    void groupsAndSheds(Vertx vertx) throws Exception {
        List<EventWriter.StoredTraces> transactions = new CopyOnWriteArrayList<>();
        EventWriter writer = new EventWriter(database.pool(), 1000, 150, transactions::add);
        Promise<List<Future<Void>>> submitted = Promise.promise();
        vertx.runOnContext(v -> submitted.complete(List.of(
                writer.write("p", events("a", 60)),   // written at once
                writer.write("p", events("b", 60)),   // waits: 60 queued
                writer.write("p", events("c", 60)),   // waits: 120 queued
                writer.write("p", events("d", 60))))); // would make 180 > 150: refused
        List<Future<Void>> writes = await(submitted.future());
        await(Future.join(writes).otherwiseEmpty()); // join waits for all, whatever each outcome
        assertThat(writes.subList(0, 3)).allMatch(Future::succeeded);
        assertThat(writes.get(3).failed()).isTrue();
        Failure refused = Failure.from(writes.get(3).cause());
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.error()).isEqualTo("overloaded");

        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(1).traceIds()).containsExactlyInAnyOrder("b", "c");
        long stored = await(database.pool().preparedQuery("SELECT count(*) FROM events WHERE project_id = $1").execute(Tuple.of("p")))
                .iterator().next().getLong(0);
        assertThat(stored).isEqualTo(180);
        Promise<Void> idle = Promise.promise();
        vertx.runOnContext(v -> writer.idle().onComplete(idle));
        await(idle.future());
    }

    private static List<ParsedEvent> large(String traceId, int n, int chars) {
        List<ParsedEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ParsedEvent(UUID.randomUUID().toString(), "$ai_generation", "u", traceId, null,
                    "{\"$ai_trace_id\": \"" + traceId + "\", \"$ai_input\": \"" + "x".repeat(chars) + "\"}"));
        }
        return out;
    }

    @Test
    @DisplayName("the queue is also bounded by bytes: a few large events fill it long before the event count does")
    void shedsByBytes(Vertx vertx) throws Exception {
        // 10,000 events would be allowed, but only 3 MB of properties.
        EventWriter writer = new EventWriter(database.pool(), 1000, 10_000, 3L << 20, t -> { });
        Promise<List<Future<Void>>> submitted = Promise.promise();
        vertx.runOnContext(v -> submitted.complete(List.of(
                writer.write("p", large("big-a", 2, 1 << 20)),   // written at once
                writer.write("p", large("big-b", 2, 1 << 20)),   // waits: 2 MB queued
                writer.write("p", large("big-c", 2, 1 << 20))))); // would make 4 MB > 3 MB: refused
        List<Future<Void>> writes = await(submitted.future());
        await(Future.join(writes).otherwiseEmpty());
        assertThat(writes.subList(0, 2)).allMatch(Future::succeeded);
        assertThat(writes.get(2).failed()).isTrue();
        assertThat(Failure.from(writes.get(2).cause()).status()).isEqualTo(503);
        Promise<Void> again = Promise.promise();
        vertx.runOnContext(v -> writer.idle().compose(x -> writer.write("p", large("big-c", 2, 1 << 20))).onComplete(again));
        await(again.future()); // once the queue drained, the same request is taken
    }

    @Test
    @DisplayName("a resent event (same uuid) is stored once and does not reopen its trace")
    void idempotent(Vertx vertx) throws Exception {
        List<EventWriter.StoredTraces> transactions = new CopyOnWriteArrayList<>();
        EventWriter writer = new EventWriter(database.pool(), 1000, 1000, transactions::add);
        List<ParsedEvent> batch = events("idem", 3);
        Promise<Void> first = Promise.promise();
        vertx.runOnContext(v -> writer.write("p", batch).onComplete(first));
        await(first.future());
        Promise<Void> again = Promise.promise();
        vertx.runOnContext(v -> writer.write("p", batch).onComplete(again));
        await(again.future());
        long stored = await(database.pool().preparedQuery("SELECT count(*) FROM events WHERE trace_id = 'idem'").execute())
                .iterator().next().getLong(0);
        assertThat(stored).isEqualTo(3);
        assertThat(transactions).hasSize(1); // the retry touched no trace
    }
}
