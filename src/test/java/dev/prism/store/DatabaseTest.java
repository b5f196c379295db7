package dev.prism.store;

import dev.prism.config.PrismConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Database on the embedded server")
class DatabaseTest {

    @Test
    @DisplayName("an analysis leased by a process that died is queued again at the next start, not after its lease, and keeps its attempt")
    void releasesLeasesOfDeadProcess(Vertx vertx, @TempDir Path dataDir) throws Exception {
        PrismConfig.Store config = new PrismConfig.Store(Optional.empty(), dataDir, 2);
        Database first = await(Database.start(vertx, config));
        await(first.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h')").execute());
        await(first.pool().query("""
                INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, attempts,
                                      lease_until, leased_by, next_attempt_at)
                VALUES ('p', 'errors', 'leased', 1, 1, 'running', 1, now() + interval '2 minutes', 'prism-dead', now()),
                       ('p', 'errors', 'finished', 1, 1, 'done', 1, NULL, NULL, now())""").execute());
        await(first.close(vertx));

        Database second = await(Database.start(vertx, config));
        try {
            Row leased = await(second.pool().query("""
                    SELECT status, lease_until, leased_by, next_attempt_at <= now(), attempts FROM analyses
                    WHERE trace_id = 'leased'""").execute()).iterator().next();
            assertThat(leased.getString(0)).isEqualTo("queued");
            assertThat(leased.getValue(1)).isNull();
            assertThat(leased.getString(2)).isNull();
            assertThat(leased.getBoolean(3)).as("due now").isTrue();
            assertThat(leased.getInteger(4)).as("the interrupted attempt still counts").isEqualTo(1);
            String finished = await(second.pool().query("SELECT status FROM analyses WHERE trace_id = 'finished'").execute())
                    .iterator().next().getString(0);
            assertThat(finished).isEqualTo("done");
        } finally {
            await(second.close(vertx));
        }
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
