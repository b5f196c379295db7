package dev.prism.llm;

import dev.prism.config.PrismConfig;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances' limits (two Vert.x instances, each with its own Redis client or PostgreSQL pool) racing for one
 * budget and one provider minute, against the machine's Redis and PostgreSQL: together they never pass a limit, and
 * take all of it.
 */
@DisplayName("Rate limits and budgets shared by instances")
class SharedLimitsTest {

    static final String REDIS = System.getProperty("prism.test.redis", "redis://127.0.0.1:6379");
    private static ServicePostgres pg;
    private static Vertx va;
    private static Vertx vb;
    private static Database dba;
    private static Database dbb;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        pg = ServicePostgres.createDatabase();
        va = Vertx.vertx();
        vb = Vertx.vertx();
        dba = await(Database.start(va, new PrismConfig.Store(Optional.of(pg.url()), dir.resolve("a"), 8)));
        dbb = await(Database.start(vb, new PrismConfig.Store(Optional.of(pg.url()), dir.resolve("b"), 8)));
    }

    @AfterAll
    static void stop() throws Exception {
        await(dba.close(va));
        await(dbb.close(vb));
        await(va.close());
        await(vb.close());
        pg.close();
    }

    private static SharedCounters counters(String backend, Vertx vertx, Database db) {
        return backend.equals("redis") ? new RedisCounters(vertx, REDIS) : new PgCounters(db.pool());
    }

    /** Runs {@code each} {@code n} times on each instance's event loop at once; counts the true answers. */
    private static int race(int n, Function<SharedLimits, Future<Boolean>> each, SharedLimits a, SharedLimits b) throws Exception {
        List<Future<Boolean>> all = new ArrayList<>();
        List<Future<Void>> started = new ArrayList<>();
        for (Object[] side : new Object[][]{{va, a}, {vb, b}}) {
            io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
            started.add(done.future());
            ((Vertx) side[0]).runOnContext(v -> {
                synchronized (all) {
                    for (int i = 0; i < n; i++) {
                        all.add(each.apply((SharedLimits) side[1]));
                    }
                }
                done.complete();
            });
        }
        await(Future.all(started));
        List<Future<Boolean>> copy;
        synchronized (all) {
            copy = List.copyOf(all);
        }
        await(Future.join(copy));
        return (int) copy.stream().filter(f -> f.succeeded() && f.result()).count();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgresql"})
    @DisplayName("400 reservations of $0.01 from two instances against a $1.50 budget: exactly 150 pass, the day holds $1.50, never more")
    void budget(String backend) throws Exception {
        long now = System.currentTimeMillis();
        SharedLimits a = new SharedLimits(counters(backend, va, dba), 1_000_000, 1_000_000_000, () -> now);
        SharedLimits b = new SharedLimits(counters(backend, vb, dbb), 1_000_000, 1_000_000_000, () -> now);
        String project = "p-" + UUID.randomUUID();
        LocalDate day = a.today();
        long t0 = System.nanoTime();
        int passed = race(200, l -> l.reserve(project, day, 1.5, 0.01), a, b);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(passed).isEqualTo(150);
        assertThat(await(a.spentToday(project))).isEqualTo(1.5);
        // A settled call that cost less gives its rest back to both instances.
        await(b.settle(project, day, -0.005));
        assertThat(await(a.reserve(project, day, 1.5, 0.005))).isTrue();
        assertThat(await(b.reserve(project, day, 1.5, 0.000001))).isFalse();
        // The stored spend is a floor: raised to it, never lowered.
        await(a.spentAtLeast(project, 1.0));
        assertThat(await(b.spentToday(project))).isEqualTo(1.5);
        System.out.printf("shared budget (%s): 400 reservations from two instances in %d ms%n", backend, millis);
        await(a.close());
        await(b.close());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgresql"})
    @DisplayName("a theme's own $0.02 within a project's $0.05: the theme is refused by its own budget and says so, another theme goes on, "
            + "the project's budget still caps the sum")
    void themeBudget(String backend) throws Exception {
        long now = System.currentTimeMillis();
        SharedLimits a = new SharedLimits(counters(backend, va, dba), 1_000_000, 1_000_000_000, () -> now);
        String project = "p-" + UUID.randomUUID();
        java.util.function.Function<String, Future<String>> call = theme -> a.call(project, theme, 0.05, theme.equals("errors") ? 0.02 : null,
                "openai", 10, 0.01, () -> Future.succeededFuture("answer"), r -> 0.01);
        assertThat(await(call.apply("errors"))).isEqualTo("answer");
        assertThat(await(call.apply("errors"))).isEqualTo("answer");
        Throwable refused = awaitFailure(call.apply("errors"));
        assertThat(refused).isInstanceOf(SharedLimits.BudgetReached.class);
        assertThat(((SharedLimits.BudgetReached) refused).theme).as("the theme's budget is spent").isTrue();
        assertThat(((SharedLimits.BudgetReached) refused).project).as("the project's is not").isFalse();
        assertThat(await(a.themeSpentToday(project, "errors"))).isEqualTo(0.02);
        assertThat(await(call.apply("ux"))).as("another theme goes on").isEqualTo("answer");
        assertThat(await(call.apply("ux"))).isEqualTo("answer");
        assertThat(await(call.apply("ux"))).isEqualTo("answer");
        Throwable capped = awaitFailure(call.apply("ux"));
        assertThat(((SharedLimits.BudgetReached) capped).project).as("$0.05 spent by the themes together").isTrue();
        assertThat(((SharedLimits.BudgetReached) capped).theme).isFalse();
        assertThat(await(a.spentToday(project))).isEqualTo(0.05);
        await(a.close());
    }

    private static Throwable awaitFailure(Future<?> f) throws Exception {
        try {
            await(f);
        } catch (Exception e) {
            Throwable t = e;
            while (!(t instanceof SharedLimits.BudgetReached) && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        }
        throw new AssertionError("expected a refusal");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgresql"})
    @DisplayName("a provider's minute of 60 requests and 50,000 tokens: two instances together take 60 calls of 500 tokens, then 50 of 1,000")
    void rate(String backend) throws Exception {
        String provider = "openai-" + UUID.randomUUID();
        long[] now = {System.currentTimeMillis() / 60_000 * 60_000 + 1_000};
        SharedLimits a = new SharedLimits(counters(backend, va, dba), 60, 50_000, () -> now[0]);
        SharedLimits b = new SharedLimits(counters(backend, vb, dbb), 60, 50_000, () -> now[0]);
        assertThat(race(100, l -> l.admit(provider, 500).map(w -> w == 0), a, b)).as("by requests").isEqualTo(60);
        long wait = await(a.admit(provider, 1));
        assertThat(wait).as("until the next minute").isEqualTo(59_000);
        now[0] += 60_000;
        assertThat(race(100, l -> l.admit(provider, 1_000).map(w -> w == 0), a, b)).as("by tokens").isEqualTo(50);
        now[0] += 60_000;
        assertThat(await(b.admit(provider, 80_000))).as("a call larger than the minute runs alone").isZero();
        assertThat(await(a.admit(provider, 1))).isPositive();
        await(a.close());
        await(b.close());
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
