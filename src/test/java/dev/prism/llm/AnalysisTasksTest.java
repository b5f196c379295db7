package dev.prism.llm;

import dev.prism.config.PrismConfig;
import dev.prism.llm.AnalysisTasks.Key;
import dev.prism.llm.AnalysisTasks.Result;
import dev.prism.llm.AnalysisTasks.Task;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
@DisplayName("Durable analysis tasks against the machine's PostgreSQL")
class AnalysisTasksTest {

    private ServicePostgres postgres;
    private Database database;
    private AnalysisTasks tasks;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        postgres = ServicePostgres.createDatabase();
        database = await(Database.start(vertx, new PrismConfig.Store(Optional.of(postgres.url()), Path.of("unused"), 8)));
        await(database.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h')").execute());
        tasks = new AnalysisTasks(database.pool());
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(database.close(vertx));
        postgres.close();
    }

    private static List<Key> keys(String theme, int n) {
        List<Key> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Key("p", theme, "trace-" + i, 1, 1));
        }
        return out;
    }

    private static Result result() {
        return new Result("offline", "offline", true, "t", "s", "low", 10, 5, 0, 3);
    }

    @Test
    @DisplayName("the sweep's scan pages relevant finished summaries oldest first, each trace version's latest prompt version only")
    void scan() throws Exception {
        String theme = "scan-" + UUID.randomUUID();
        await(database.pool().preparedQuery("""
                        INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, theme_relevant, title,
                                              summary, model, input_tokens, output_tokens, cost_usd, latency_ms, completed_at)
                        VALUES ('p', $1, 'a', 1, 1, 'done', true, 'A', 'a', 'm', 1, 1, 0, 1, '2001-01-01T00:00:01Z'),
                               ('p', $1, 'b', 1, 1, 'done', false, 'B', 'b', 'm', 1, 1, 0, 1, '2001-01-01T00:00:02Z'),
                               ('p', $1, 'c', 1, 1, 'done', true, 'C old prompt', 'c', 'm', 1, 1, 0, 1, '2001-01-01T00:00:03Z'),
                               ('p', $1, 'c', 1, 2, 'done', true, 'C', 'c', 'm', 1, 1, 0, 1, '2001-01-01T00:00:04Z'),
                               ('p', $1, 'd', 1, 1, 'queued', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                               ('p', $1, 'e', 2, 1, 'done', true, 'E', 'e', 'm', NULL, NULL, NULL, NULL, '2001-01-01T00:00:05Z'),
                               ('p', $1, 'f', 1, 1, 'done', true, 'F', 'f', 'm', 1, 1, 0, 1, '2001-01-01T00:00:09Z')""")
                .execute(io.vertx.sqlclient.Tuple.of(theme)));
        Instant until = Instant.parse("2001-01-01T00:00:06Z");
        dev.prism.bus.SummaryScan.Page first = await(tasks.scan(new dev.prism.bus.SummaryScan(dev.prism.bus.SummaryScan.START, 0, until, 2)));
        assertThat(first.entries()).extracting(e -> e.summary().title()).containsExactly("A", "C");
        dev.prism.bus.SummaryScan.Entry last = first.entries().get(1);
        dev.prism.bus.SummaryScan.Page second = await(tasks.scan(new dev.prism.bus.SummaryScan(last.summary().createdAt(), last.id(), until, 2)));
        assertThat(second.entries()).singleElement().satisfies(e -> {
            assertThat(e.summary().traceId()).isEqualTo("e");
            assertThat(e.summary().traceVersion()).isEqualTo(2);
            assertThat(e.summary().themeId()).isEqualTo(theme);
            assertThat(e.summary().themeRelevant()).isTrue();
        });
        assertThat(first.entries().get(1).summary().promptVersion()).isEqualTo(2);
    }

    @Test
    @DisplayName("a result's embedText is stored and comes back from the summaries list and the sweep's scan; without one it is null")
    void embedTextStored() throws Exception {
        String theme = "embed-" + UUID.randomUUID();
        await(tasks.enqueue(List.of(new Key("p", theme, "with", 1, 1), new Key("p", theme, "without", 1, 1))));
        await(database.pool().preparedQuery("UPDATE analyses SET next_attempt_at = now() - interval '1 hour' WHERE theme_id = $1")
                .execute(io.vertx.sqlclient.Tuple.of(theme)));
        List<Task> claimed = new ArrayList<>();
        for (int i = 0; i < 20 && claimed.size() < 2; i++) {
            for (Task t : await(tasks.claim("w-embed", 50, 60_000))) {
                if (t.key().themeId().equals(theme)) {
                    claimed.add(t);
                } else {
                    await(tasks.complete(t.id(), "w-embed", result()));
                }
            }
        }
        assertThat(claimed).hasSize(2);
        for (Task t : claimed) {
            Result r = t.key().traceId().equals("with")
                    ? new Result("offline", "offline", true, "Provider rate limit (429)", "gpt-4o: 429", "high", 0, 0, 0, 1, "Provider rate limit (<n>)")
                    : result();
            assertThat(await(tasks.complete(t.id(), "w-embed", r))).isTrue();
        }
        List<dev.prism.bus.SummaryCreated> listed = await(tasks.summaries(new dev.prism.bus.SummaryQuery("p", theme, null, null, null, 10, null)))
                .results();
        assertThat(listed).extracting(dev.prism.bus.SummaryCreated::traceId, dev.prism.bus.SummaryCreated::embedText)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("with", "Provider rate limit (<n>)"),
                        org.assertj.core.groups.Tuple.tuple("without", null));
        dev.prism.bus.SummaryScan.Page page = await(tasks.scan(new dev.prism.bus.SummaryScan(dev.prism.bus.SummaryScan.START, 0,
                Instant.now().plusSeconds(60), 10_000)));
        assertThat(page.entries()).filteredOn(e -> e.summary().themeId().equals(theme))
                .extracting(e -> e.summary().embedText()).containsExactlyInAnyOrder("Provider rate limit (<n>)", null);
    }

    @Test
    @DisplayName("claims take turns across themes: a theme with a long queue does not starve one queued after it")
    void fairAcrossThemes() throws Exception {
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
        String busy = "busy-" + UUID.randomUUID();
        String quiet = "quiet-" + UUID.randomUUID();
        await(tasks.enqueue(keys(busy, 200)));
        await(tasks.enqueue(keys(quiet, 3)));
        List<Task> first = await(tasks.claim("w", 6, 60_000));
        assertThat(first).extracting(t -> t.key().themeId()).containsOnly(busy, quiet);
        assertThat(first.stream().filter(t -> t.key().themeId().equals(quiet))).hasSize(3);
        List<Task> paused = await(tasks.claim("w", 50, 60_000, List.of("p")));
        assertThat(paused).as("a paused project's tasks stay queued").isEmpty();
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
    }

    @Test
    @DisplayName("a paused (project, theme) pair's tasks stay queued while the project's other themes are claimed")
    void pausedThemes() throws Exception {
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
        String unpriced = "unpriced-" + UUID.randomUUID();
        String priced = "priced-" + UUID.randomUUID();
        await(tasks.enqueue(keys(unpriced, 5)));
        await(tasks.enqueue(keys(priced, 5)));
        List<Task> claimed = await(tasks.claim("w", 50, 60_000, List.of(), List.<String[]>of(new String[]{"p", unpriced})));
        assertThat(claimed).hasSize(5).allMatch(t -> t.key().themeId().equals(priced));
        List<Task> later = await(tasks.claim("w", 50, 60_000, List.of(), List.of()));
        assertThat(later).as("once the pair is no longer paused").hasSize(5).allMatch(t -> t.key().themeId().equals(unpriced));
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
    }

    @Test
    @DisplayName("enqueueing is idempotent: a task exists once per trace version and prompt version")
    void idempotent() throws Exception {
        String theme = "idem-" + UUID.randomUUID();
        assertThat(await(tasks.enqueue(keys(theme, 5)))).isEqualTo(5);
        assertThat(await(tasks.enqueue(keys(theme, 5)))).isZero();
        List<Key> bumped = List.of(new Key("p", theme, "trace-0", 2, 1), new Key("p", theme, "trace-0", 1, 2));
        assertThat(await(tasks.enqueue(bumped))).isEqualTo(2);
    }

    @Test
    @DisplayName("concurrent claimers never get the same task, and a finished task is never claimed again")
    void disjointClaims() throws Exception {
        String theme = "claim-" + UUID.randomUUID();
        await(tasks.enqueue(keys(theme, 40)));
        List<Future<List<Task>>> claims = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            claims.add(tasks.claim("worker-" + w, 15, 60_000));
        }
        await(Future.all(claims));
        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (int w = 0; w < 4; w++) {
            for (Task t : claims.get(w).result()) {
                if (t.key().themeId().equals(theme)) {
                    assertThat(seen.add(t.id())).as("task " + t.id() + " claimed twice").isTrue();
                    assertThat(await(tasks.complete(t.id(), "worker-" + w, result()))).isTrue();
                    total++;
                }
            }
        }
        assertThat(total).isEqualTo(40);
        List<Task> again = await(tasks.claim("worker-9", 100, 60_000));
        assertThat(again).noneMatch(t -> t.key().themeId().equals(theme));
    }

    @Test
    @DisplayName("a crashed worker's lease runs out and another worker takes the task; the stale worker cannot write its result")
    void expiredLease() throws Exception {
        String theme = "lease-" + UUID.randomUUID();
        await(tasks.enqueue(keys(theme, 1)));
        Task first = await(tasks.claim("crashing", 100, 200)).stream().filter(t -> t.key().themeId().equals(theme)).findFirst().orElseThrow();
        Thread.sleep(400);
        Task second = await(tasks.claim("rescuer", 100, 60_000)).stream().filter(t -> t.key().themeId().equals(theme)).findFirst().orElseThrow();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(await(tasks.complete(first.id(), "crashing", result()))).isFalse();
        assertThat(await(tasks.complete(second.id(), "rescuer", result()))).isTrue();
        assertThat(await(tasks.complete(second.id(), "rescuer", result()))).as("written once").isFalse();
        assertThat(await(tasks.doneBy(second.id(), "rescuer"))).as("a retried write learns its first attempt landed").isTrue();
        assertThat(await(tasks.doneBy(first.id(), "crashing"))).as("the stale worker's result was not the one stored").isFalse();
    }

    @Test
    @DisplayName("failures retry at the given time, dead-letter after the last attempt with the reason and raw reply, and can be re-queued")
    void retriesAndDeadLetters() throws Exception {
        String theme = "dead-" + UUID.randomUUID();
        await(tasks.enqueue(keys(theme, 1)));
        for (int attempt = 1; attempt <= 3; attempt++) {
            Task t = await(tasks.claim("w", 100, 60_000)).stream().filter(x -> x.key().themeId().equals(theme)).findFirst().orElseThrow();
            assertThat(t.attempts()).isEqualTo(attempt);
            assertThat(await(tasks.fail(t.id(), "w", "HTTP 500: boom", "not json", Instant.now().minusSeconds(1), 3))).isTrue();
        }
        assertThat(await(tasks.claim("w", 100, 60_000))).noneMatch(x -> x.key().themeId().equals(theme));
        var dead = await(tasks.deadLetters("p", 100)).stream().filter(d -> d.key().themeId().equals(theme)).toList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).lastError()).isEqualTo("HTTP 500: boom");
        assertThat(dead.get(0).rawReply()).isEqualTo("not json");
        assertThat(dead.get(0).attempts()).isEqualTo(3);
        assertThat(await(tasks.requeueDead("p", List.of(dead.get(0).id())))).isEqualTo(1);
        Task back = await(tasks.claim("w", 100, 60_000)).stream().filter(x -> x.key().themeId().equals(theme)).findFirst().orElseThrow();
        assertThat(back.attempts()).isEqualTo(1);

        String later = "later-" + UUID.randomUUID();
        await(tasks.enqueue(keys(later, 1)));
        Task t = await(tasks.claim("w", 100, 60_000)).stream().filter(x -> x.key().themeId().equals(later)).findFirst().orElseThrow();
        await(tasks.fail(t.id(), "w", "429", null, Instant.now().plusSeconds(60), 5));
        assertThat(await(tasks.claim("w", 100, 60_000))).as("not before its retry time").noneMatch(x -> x.key().themeId().equals(later));
    }

    /** Leases the task of (theme, trace, version) to {@code worker} directly, so no other test's task is claimed. */
    private long leased(String theme, String trace, int version, String worker) throws Exception {
        return await(database.pool().preparedQuery("""
                        UPDATE analyses SET status = 'running', leased_by = $4, lease_until = now() + interval '1 minute'
                        WHERE project_id = 'p' AND theme_id = $1 AND trace_id = $2 AND trace_version = $3 RETURNING id""")
                .execute(io.vertx.sqlclient.Tuple.of(theme, trace, version, worker))).iterator().next().getLong(0);
    }

    private List<dev.prism.bus.SummaryCreated> listed(String theme, boolean includeSuperseded) throws Exception {
        return await(tasks.summaries(new dev.prism.bus.SummaryQuery("p", theme, null, null, null, 100, null, includeSuperseded))).results();
    }

    @Test
    @DisplayName("a later trace version's summary supersedes the earlier one when it is stored; lists omit the superseded unless asked")
    void laterVersionSupersedes() throws Exception {
        String theme = "versions-" + UUID.randomUUID();
        await(tasks.enqueue(List.of(new Key("p", theme, "x", 1, 1), new Key("p", theme, "x", 2, 1), new Key("p", theme, "other", 1, 1))));
        assertThat(await(tasks.store(leased(theme, "x", 1, "w"), "w", result()))).isEqualTo(new AnalysisTasks.Stored(true, null));
        assertThat(await(tasks.store(leased(theme, "other", 1, "w"), "w", result()))).isEqualTo(new AnalysisTasks.Stored(true, null));
        assertThat(listed(theme, false)).extracting(s -> s.traceId() + "@" + s.traceVersion()).containsExactlyInAnyOrder("x@1", "other@1");

        assertThat(await(tasks.store(leased(theme, "x", 2, "w"), "w", result()))).isEqualTo(new AnalysisTasks.Stored(true, null));
        assertThat(listed(theme, false)).extracting(s -> s.traceId() + "@" + s.traceVersion()).containsExactlyInAnyOrder("x@2", "other@1");
        assertThat(listed(theme, false)).allMatch(s -> !s.superseded());
        List<dev.prism.bus.SummaryCreated> all = listed(theme, true);
        assertThat(all).extracting(s -> s.traceId() + "@" + s.traceVersion() + ":" + s.supersededByVersion())
                .containsExactlyInAnyOrder("x@1:2", "x@2:null", "other@1:null");
    }

    @Test
    @DisplayName("an earlier version finishing after a later one is stored superseded at once (kept, paid for, but not counted)")
    void earlierVersionLate() throws Exception {
        String theme = "versions-" + UUID.randomUUID();
        await(tasks.enqueue(List.of(new Key("p", theme, "x", 1, 1), new Key("p", theme, "x", 2, 1))));
        long first = leased(theme, "x", 1, "w");
        assertThat(await(tasks.store(leased(theme, "x", 2, "w"), "w", result()))).isEqualTo(new AnalysisTasks.Stored(true, null));
        assertThat(await(tasks.store(first, "w", result()))).isEqualTo(new AnalysisTasks.Stored(true, 2));
        assertThat(await(tasks.storedBy(first, "w"))).isEqualTo(new AnalysisTasks.Stored(true, 2));
        assertThat(listed(theme, false)).extracting(dev.prism.bus.SummaryCreated::traceVersion).containsExactly(2);
        assertThat(listed(theme, true)).hasSize(2);
    }

    @Test
    @DisplayName("a version that keeps the earlier summary is queued only for a trace the theme never analysed (a dead attempt does not count)")
    void keepEarlier() throws Exception {
        String theme = "versions-" + UUID.randomUUID();
        await(tasks.enqueue(List.of(new Key("p", theme, "analysed", 1, 1), new Key("p", theme, "dead", 1, 1))));
        await(database.pool().preparedQuery("UPDATE analyses SET status = 'dead' WHERE theme_id = $1 AND trace_id = 'dead'")
                .execute(io.vertx.sqlclient.Tuple.of(theme)));
        List<Key> second = List.of(new Key("p", theme, "analysed", 2, 1), new Key("p", theme, "dead", 2, 1), new Key("p", theme, "new", 2, 1));
        assertThat(await(tasks.enqueue(second, null, k -> true))).as("the analysed trace keeps its summary").isEqualTo(2);
        assertThat(await(tasks.enqueue(List.of(new Key("p", theme, "analysed", 2, 1)), null, k -> false)))
                .as("without keeping, the new version is queued").isEqualTo(1);
    }

    @Test
    @DisplayName("a result's cache reads and writes are stored next to its tokens and cost")
    void cachedTokensStored() throws Exception {
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
        String theme = "cached-" + UUID.randomUUID();
        await(tasks.enqueue(keys(theme, 1)));
        Task task = await(tasks.claim("w", 1, 60_000)).get(0);
        Result cached = new Result("openai", "gpt-4.1-mini", true, "Expired credentials", "s", "high", 2_000, 60, 0.000_35, 410, 1_792, 0);
        assertThat(await(tasks.complete(task.id(), "w", cached))).isTrue();
        io.vertx.sqlclient.Row row = await(database.pool().preparedQuery(
                "SELECT input_tokens, cache_read_tokens, cache_write_tokens, cost_usd FROM analyses WHERE id = $1")
                .execute(io.vertx.sqlclient.Tuple.of(task.id()))).iterator().next();
        assertThat(row.getLong(0)).isEqualTo(2_000);
        assertThat(row.getLong(1)).isEqualTo(1_792);
        assertThat(row.getLong(2)).isZero();
        assertThat(row.getDouble(3)).isEqualTo(0.000_35);
    }

    @Test
    @DisplayName("a claim takes a trace version's tasks for every theme together, however long each theme's queue")
    void siblingsClaimedTogether() throws Exception {
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
        String long1 = "long-" + UUID.randomUUID();
        String short1 = "short-" + UUID.randomUUID();
        String paused = "paused-" + UUID.randomUUID();
        List<Key> backlog = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            backlog.add(new Key("p", long1, "older-" + i, 1, 1));
        }
        await(tasks.enqueue(backlog));
        // The trace's task is the oldest of the short theme's queue but 101st in the long one's.
        await(tasks.enqueue(List.of(new Key("p", short1, "shared", 1, 1))));
        await(tasks.enqueue(List.of(new Key("p", long1, "shared", 1, 1), new Key("p", paused, "shared", 1, 1),
                new Key("p", short1, "shared", 2, 1))));
        List<Task> claimed = await(tasks.claim("w", 4, 60_000, List.of(), List.<String[]>of(new String[]{"p", paused})));
        assertThat(claimed).hasSize(4);
        assertThat(claimed).filteredOn(t -> t.key().traceId().equals("shared") && t.key().traceVersion() == 1)
                .extracting(t -> t.key().themeId()).as("both themes' tasks for the trace version, none of the paused theme")
                .containsExactlyInAnyOrder(long1, short1);
        await(database.pool().query("UPDATE analyses SET status = 'done'").execute());
    }
}
