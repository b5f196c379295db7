package dev.prism.run;

import dev.prism.config.PrismConfig;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances that read the same last window and both find it due: the second to start it finds it started, even
 * when the first run already finished (two Vert.x instances with pools of their own on one PostgreSQL).
 */
@DisplayName("A scheduled window is started once across instances")
class ScheduledWindowTest {

    @Test
    @DisplayName("a window started (and finished) by one instance is not started again by another; a later window is; manual runs are not held back")
    void startedOnce(@TempDir Path dir) throws Exception {
        ServicePostgres pg = ServicePostgres.createDatabase();
        Vertx va = Vertx.vertx();
        Vertx vb = Vertx.vertx();
        Database a = await(Database.start(va, new PrismConfig.Store(Optional.of(pg.url()), dir, 4)));
        Database b = await(Database.start(vb, new PrismConfig.Store(Optional.of(pg.url()), dir, 4)));
        try {
            await(a.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h')").execute());
            RunRepository onA = new RunRepository(a.pool());
            RunRepository onB = new RunRepository(b.pool());
            Instant last = Instant.parse("2026-12-06T04:00:00Z");
            Instant now = last.plus(Duration.ofMinutes(10));
            Optional<dev.prism.bus.Run> first = await(onA.insert("p", "t", "schedule", last, now, 1, 0, 0, 0));
            assertThat(first).isPresent();
            await(a.pool().query("UPDATE runs SET status = 'completed', finished_at = now()").execute());
            assertThat(await(onB.insert("p", "t", "schedule", last, now.plusMillis(300), 1, 0, 0, 0))).as("same window, on B").isEmpty();

            // Both at once on the next window: one of them starts it.
            Instant next = now.plus(Duration.ofMinutes(10));
            Future<Optional<dev.prism.bus.Run>> fa = onA.insert("p", "t", "schedule", now, next, 1, 0, 0, 0);
            Future<Optional<dev.prism.bus.Run>> fb = onB.insert("p", "t", "schedule", now, next.plusMillis(5), 1, 0, 0, 0);
            await(Future.join(fa, fb));
            assertThat(List.of(fa.result(), fb.result())).filteredOn(Optional::isPresent).hasSize(1);
            await(a.pool().query("UPDATE runs SET status = 'completed', finished_at = now()").execute());
            assertThat(await(onB.insert("p", "t", "manual", now, next, 1, 0, 0, 0))).as("a manual run of the same window").isPresent();
        } finally {
            await(a.close(va));
            await(b.close(vb));
            await(va.close());
            await(vb.close());
            pg.close();
        }
    }
}
