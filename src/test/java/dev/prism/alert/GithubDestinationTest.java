package dev.prism.alert;

import dev.prism.config.PrismConfig;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("GitHub destination against a fake GitHub issues API, tickets in PostgreSQL")
class GithubDestinationTest {

    private ServicePostgres postgres;
    private Database database;
    private FakeGithub github;
    private int port;
    private final List<GuardedHttp> clients = new ArrayList<>();

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        postgres = ServicePostgres.createDatabase();
        database = await(Database.start(vertx, new PrismConfig.Store(Optional.of(postgres.url()), Path.of("unused"), 4)));
        await(database.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p1', 'p1', 'h')").execute());
    }

    @BeforeEach
    void fake(Vertx vertx) throws Exception {
        github = new FakeGithub();
        port = await(github.start(vertx));
    }

    @AfterEach
    void stopFake() throws Exception {
        for (GuardedHttp c : clients) {
            await(c.close());
        }
        clients.clear();
        assertThat(github.problems).isEmpty();
        await(github.close());
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(database.close(vertx));
        postgres.close();
    }

    /** A new destination instance over the same database: what a restarted server has. */
    private GithubDestination restart(Vertx vertx) {
        GuardedHttp http = new GuardedHttp(vertx, AddressPolicy.parse("127.0.0.1"), GuardedHttp.HostResolver.system(vertx), 2_000, "Prism-Alerts/test");
        clients.add(http);
        return new GithubDestination(http, new AlertTickets(database.pool()), Clock.systemUTC());
    }

    private JsonObject config(String key) {
        return new JsonObject().put("type", "github").put("token", FakeGithub.TOKEN).put("repo", FakeGithub.REPO)
                .put("api_url", "http://127.0.0.1:" + port + "/").put("key", key);
    }

    @Test
    @DisplayName("one issue per cluster across growth and a restart, comments on growth, a closed issue reopened on regression")
    void lifecycle(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        JsonObject config = config("lifecycle");
        github.addOthers(3);
        SendOutcome first = await(restart(vertx).send(Notices.growth(cluster, 10, 30, "g1"), config));
        assertThat(first.delivered()).isTrue();
        assertThat(github.prismIssues()).hasSize(1);
        FakeGithub.Issue issue = github.prismIssues().get(0);
        assertThat(first.externalRef()).isEqualTo("https://github.com/acme/app/issues/" + issue.number);
        assertThat(issue.title).isEqualTo("[Prism] Payment timeout <!channel> *now* (Error analysis)");
        String marker = new TicketKey("p1", "rule-1", "lifecycle", cluster).marker();
        assertThat(issue.body).isEqualTo("""
                **Cluster growing** in theme **Error analysis**: Payment timeout \\<\\!channel\\> \\*now\\*

                | Size | Growth | Lifecycle | Severity |
                |---|---|---|---|
                | 30 | \\+200% \\(10 → 30\\) | growing | high |

                **Representative summaries**

                - Payment API timed out after 30 s
                - See \\<http://evil\\.example\\|click here\\> \\& \\[x\\]\\(http://evil\\.example\\) @\u200Bhere
                - Checkout retried twice then gave up

                [Open the cluster in Prism](https://prism.example/#/projects/p1/themes/error_analysis/clusters/CLUSTER) · [Open a trace](https://prism.example/#/projects/p1/traces/t-42)

                Rule: Errors growing · cluster `CLUSTER`

                MARKER
                """.replace("CLUSTER", cluster).replace("MARKER", marker));

        assertThat(await(restart(vertx).send(Notices.growth(cluster, 30, 60, "g2"), config)).delivered()).isTrue();
        GithubDestination restarted = restart(vertx);
        assertThat(await(restarted.send(Notices.growth(cluster, 60, 90, "g3"), config)).delivered()).isTrue();
        assertThat(github.prismIssues()).hasSize(1);
        assertThat(issue.comments).hasSize(2);
        assertThat(issue.comments.get(1)).startsWith("**Cluster growing**: now 90 traces, growth \\+50% \\(60 → 90\\), lifecycle growing.")
                .endsWith(TicketKey.noticeMarker("g3") + "\n");

        issue.state = "closed";
        assertThat(await(restarted.send(Notices.notice("regressed", cluster, "regressed", 90, 95, "r1"), config)).delivered()).isTrue();
        assertThat(issue.state).isEqualTo("open");
        assertThat(issue.comments).hasSize(3);
        assertThat(issue.comments.get(2)).startsWith("**Cluster came back**: now 95 traces");
        assertThat(github.calls).containsExactly("POST /issues", "POST /comments", "POST /comments", "GET /issues/n", "PATCH /issues/n", "POST /comments");

        assertThat(await(restarted.send(Notices.notice("regressed", cluster, "regressed", 95, 97, "r2"), config)).delivered()).isTrue();
        assertThat(github.calls.subList(6, github.calls.size())).containsExactly("GET /issues/n", "POST /comments");
        assertThat(github.prismIssues()).hasSize(1);
    }

    /** The notice a second rule sends about the same cluster. */
    private static AlertNotice ofRule(String ruleId, AlertNotice n) {
        return new AlertNotice(n.projectId(), ruleId, "Errors back", n.themeId(), n.themeName(), n.clusterId(), n.clusterName(), n.kind(),
                n.lifecycle(), n.size(), n.previousSize(), n.growthPercent(), n.severity(), n.summaries(), n.clusterUrl(), n.traceUrl(),
                n.firedAt(), ruleId + "/" + n.dedupeKey());
    }

    @Test
    @DisplayName("two rules sending to one repository share the cluster's issue: the second comments, a regressed lifecycle reopens it, another cluster gets its own")
    void rulesShareTheClusterIssue(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        JsonObject config = config("shared");
        GithubDestination destination = restart(vertx);
        assertThat(await(destination.send(Notices.growth(cluster, 10, 30, "g1"), config)).delivered()).isTrue();
        FakeGithub.Issue issue = github.prismIssues().get(0);

        // A size rule's notice on the open issue: a comment, no second issue.
        AlertNotice size = ofRule("rule-2", Notices.notice("size_reached", cluster, "growing", null, 40, "s40"));
        assertThat(await(restart(vertx).send(size, config)).delivered()).isTrue();
        assertThat(github.prismIssues()).hasSize(1);
        assertThat(issue.comments).hasSize(1);
        assertThat(issue.comments.get(0)).startsWith("**Cluster reached 40 traces**");

        // Closed, then a third rule fires while the cluster is regressed (its notice's kind is not "regressed"): reopened.
        issue.state = "closed";
        AlertNotice back = ofRule("rule-3", Notices.notice("size_reached", cluster, "regressed", null, 50, "s50"));
        assertThat(await(restart(vertx).send(back, config)).delivered()).isTrue();
        assertThat(issue.state).isEqualTo("open");
        assertThat(issue.comments).hasSize(2);
        // Growth on a closed issue comments without reopening: someone closed it, and only a comeback says they were wrong.
        issue.state = "closed";
        assertThat(await(restart(vertx).send(Notices.growth(cluster, 30, 60, "g2"), config)).delivered()).isTrue();
        assertThat(issue.state).isEqualTo("closed");
        assertThat(issue.comments).hasSize(3);
        assertThat(github.calls).containsExactly("POST /issues", "POST /comments", "GET /issues/n", "PATCH /issues/n", "POST /comments",
                "POST /comments");

        String other = "c-" + UUID.randomUUID();
        assertThat(await(destination.send(ofRule("rule-2", Notices.growth(other, 10, 30, "g1")), config)).delivered()).isTrue();
        assertThat(github.prismIssues()).hasSize(2);
        List<String> rows = new ArrayList<>();
        await(database.pool().preparedQuery("SELECT rule_id, cluster_id FROM alert_tickets WHERE destination_key = 'shared' ORDER BY created_at")
                .execute(Tuple.tuple())).forEach(r -> rows.add(r.getString(0) + " " + r.getString(1)));
        assertThat(rows).containsExactly("rule-1 " + cluster, "rule-2 " + other);
    }

    @Test
    @DisplayName("\"send test alert\" (no cluster) opens one issue for the rule and comments on it afterwards")
    void testAlerts(Vertx vertx) throws Exception {
        JsonObject config = config("tests");
        for (String key : List.of("rule-1/test/a", "rule-1/test/b")) {
            AlertNotice test = new AlertNotice("p1", "rule-1", "Errors growing", "error_analysis", null, null, "Test alert from Prism", "test",
                    null, 0, null, null, null, List.of("This is a test of the rule's destinations."), null, null, java.time.Instant.now(), key);
            assertThat(await(restart(vertx).send(test, config)).delivered()).isTrue();
        }
        assertThat(github.prismIssues()).singleElement().satisfies(i -> {
            assertThat(i.title).isEqualTo("[Prism] Test alert from Prism (error_analysis)");
            assertThat(i.comments).hasSize(1);
            assertThat(i.comments.get(0)).startsWith("**Test alert**");
        });
    }

    @Test
    @DisplayName("a create whose answer was lost is found by its hidden marker after a restart, among other issues and pull requests: no duplicate")
    void lostCreate(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        JsonObject config = config("lost");
        github.addOthers(150);
        github.dropNextAnswer("POST /issues");
        SendOutcome lost = await(restart(vertx).send(Notices.growth(cluster, 10, 30, "g1"), config));
        assertThat(lost.delivered()).isFalse();
        assertThat(lost.retryable()).isTrue();
        assertThat(lost.statusCode()).isNull();
        assertThat(lost.detail()).doesNotContain(FakeGithub.TOKEN);
        github.addOthers(5);

        SendOutcome retried = await(restart(vertx).send(Notices.growth(cluster, 10, 30, "g1"), config));
        assertThat(retried.delivered()).isTrue();
        assertThat(github.prismIssues()).hasSize(1);
        FakeGithub.Issue issue = github.prismIssues().get(0);
        assertThat(retried.externalRef()).isEqualTo("https://github.com/acme/app/issues/" + issue.number);
        assertThat(issue.comments).isEmpty();
        assertThat(github.calls).containsExactly("POST /issues", "GET /issues");

        // Growth after the recovery is a comment on the same issue; a comment whose answer was lost is not posted twice.
        github.dropNextAnswer("POST /comments");
        assertThat(await(restart(vertx).send(Notices.growth(cluster, 30, 60, "g2"), config)).retryable()).isTrue();
        assertThat(await(restart(vertx).send(Notices.growth(cluster, 30, 60, "g2"), config)).delivered()).isTrue();
        assertThat(issue.comments).hasSize(1);
        assertThat(github.calls.subList(2, github.calls.size())).containsExactly("POST /comments", "GET /comments");
        assertThat(github.prismIssues()).hasSize(1);
    }

    @Test
    @DisplayName("a create that failed before GitHub made anything is made on the retry, once")
    void failedCreateRetried(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        github.rateLimitNext("POST /issues");
        SendOutcome limited = await(restart(vertx).send(Notices.growth(cluster, 1, 3, "g1"), config("retry")));
        assertThat(limited.retryable()).isTrue();
        assertThat(limited.statusCode()).isEqualTo(403);
        assertThat(limited.retryAfter()).isBetween(Duration.ofSeconds(35), Duration.ofSeconds(41));
        assertThat(limited.detail()).isEqualTo("GitHub issue create rate limited (HTTP 403): API rate limit exceeded");
        assertThat(await(restart(vertx).send(Notices.growth(cluster, 1, 3, "g1"), config("retry"))).delivered()).isTrue();
        assertThat(github.prismIssues()).hasSize(1);
        assertThat(github.calls).containsExactly("POST /issues", "GET /issues", "POST /issues");
    }

    @Test
    @DisplayName("a bad token (401) and an unknown repository (404) are not retried, and the token never shows")
    void failures(Vertx vertx) throws Exception {
        SendOutcome denied = await(restart(vertx).send(Notices.growth("c-" + UUID.randomUUID(), 1, 3, "g1"),
                config("denied").put("token", "ghp_WRONGTOKEN_55555555")));
        assertThat(denied).isEqualTo(SendOutcome.failed(401, false, null, "GitHub issue create answered HTTP 401: Bad credentials"));
        SendOutcome missing = await(restart(vertx).send(Notices.growth("c-" + UUID.randomUUID(), 1, 3, "g1"), config("missing").put("repo", "acme/nope")));
        assertThat(missing).isEqualTo(SendOutcome.failed(404, false, null, "GitHub issue create answered HTTP 404: Not Found"));

        GithubDestination destination = restart(vertx);
        assertThat(destination.validate(new JsonObject().put("repo", "a/b"))).startsWith("token: required");
        assertThat(destination.validate(new JsonObject().put("token", "t").put("repo", "no-slash"))).isEqualTo("repo: required, as owner/name");
        assertThat(destination.validate(new JsonObject().put("token", "t").put("repo", "a/b"))).isNull();
        assertThat(destination.validate(new JsonObject().put("token", "t").put("repo", "a/b").put("api_url", "http://10.1.1.1/api/v3")))
                .isEqualTo("api_url: destination resolves to 10.1.1.1, a private address; set alerts.allowPrivateDestinations to allow it");
        assertThat(destination.targets(new JsonObject().put("token", "t").put("repo", "a/b")))
                .extracting(Object::toString).containsExactly("https://api.github.com/repos/a/b/issues");
    }
}
