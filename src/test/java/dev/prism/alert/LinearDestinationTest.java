package dev.prism.alert;

import dev.prism.config.PrismConfig;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
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
@DisplayName("Linear destination against a fake Linear GraphQL server, tickets in PostgreSQL")
class LinearDestinationTest {

    private ServicePostgres postgres;
    private Database database;
    private FakeLinear linear;
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
        linear = new FakeLinear();
        port = await(linear.start(vertx));
    }

    @AfterEach
    void stopFake() throws Exception {
        for (GuardedHttp c : clients) {
            await(c.close());
        }
        clients.clear();
        await(linear.close());
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(database.close(vertx));
        postgres.close();
    }

    /** A new destination instance over the same database: what a restarted server has. */
    private LinearDestination restart(Vertx vertx) {
        GuardedHttp http = new GuardedHttp(vertx, AddressPolicy.parse("127.0.0.1"), GuardedHttp.HostResolver.system(vertx), 2_000, "Prism-Alerts/test");
        clients.add(http);
        return new LinearDestination(http, new AlertTickets(database.pool()));
    }

    private JsonObject config(String rule) {
        return new JsonObject().put("type", "linear").put("api_key", FakeLinear.API_KEY).put("team_id", FakeLinear.TEAM)
                .put("api_url", "http://127.0.0.1:" + port + "/graphql").put("key", rule);
    }

    private static AlertNotice growth(String cluster, int previous, int size, String dedupe) {
        return Notices.growth(cluster, previous, size, dedupe);
    }

    @Test
    @DisplayName("one issue per cluster across growth and a restart, comments on growth, a done issue reopened on regression")
    void lifecycle(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        JsonObject config = config("lifecycle");
        SendOutcome first = await(restart(vertx).send(growth(cluster, 10, 30, "g1"), config));
        assertThat(first.delivered()).isTrue();
        assertThat(linear.issues).hasSize(1);
        FakeLinear.Issue issue = linear.issueList().get(0);
        assertThat(first.externalRef()).isEqualTo("https://linear.app/acme/issue/" + issue.identifier);
        assertThat(issue.id).isEqualTo(new TicketKey("p1", "rule-1", "lifecycle", cluster).issueId().toString());
        assertThat(issue.title).isEqualTo("[Prism] Payment timeout <!channel> *now* (Error analysis)");
        assertThat(issue.description).isEqualTo("""
                **Cluster growing** in theme **Error analysis**: Payment timeout \\<\\!channel\\> \\*now\\*

                | Size | Growth | Lifecycle | Severity |
                |---|---|---|---|
                | 30 | \\+200% \\(10 → 30\\) | growing | high |

                **Representative summaries**

                - Payment API timed out after 30 s
                - See \\<http://evil\\.example\\|click here\\> \\& \\[x\\]\\(http://evil\\.example\\) @\u200Bhere
                - Checkout retried twice then gave up

                [Open the cluster in Prism](https://prism.example/#/projects/p1/themes/error_analysis/clusters/%s) · [Open a trace](https://prism.example/#/projects/p1/traces/t-42)

                Rule: Errors growing · cluster `%s`
                """.replace("%s", cluster));

        assertThat(await(restart(vertx).send(growth(cluster, 30, 60, "g2"), config)).delivered()).isTrue();
        LinearDestination restarted = restart(vertx);
        assertThat(await(restarted.send(growth(cluster, 60, 90, "g3"), config)).delivered()).isTrue();
        assertThat(linear.issues).hasSize(1);
        assertThat(issue.comments).hasSize(2);
        assertThat(issue.comments.get(1)).startsWith("**Cluster growing**: now 90 traces, growth \\+50% \\(60 → 90\\), lifecycle growing.");

        issue.stateId = "st-done";
        SendOutcome back = await(restarted.send(Notices.notice("regressed", cluster, "regressed", 90, 95, "r1"), config));
        assertThat(back.delivered()).isTrue();
        assertThat(issue.stateType()).isEqualTo("unstarted");
        assertThat(issue.stateId).isEqualTo("st-todo");
        assertThat(issue.comments).hasSize(3);
        assertThat(issue.comments.get(2)).startsWith("**Cluster came back**: now 95 traces");
        assertThat(linear.operations).containsExactly("PrismIssueCreate", "PrismCommentCreate", "PrismCommentCreate",
                "PrismIssue", "PrismTeamStates", "PrismIssueReopen", "PrismCommentCreate");
        assertThat(linear.authorizations).containsOnly(FakeLinear.API_KEY);

        // A regression of an issue that is still open comments without touching its state.
        issue.stateId = "st-progress";
        assertThat(await(restarted.send(Notices.notice("regressed", cluster, "regressed", 95, 99, "r2"), config)).delivered()).isTrue();
        assertThat(issue.stateId).isEqualTo("st-progress");
        assertThat(linear.issues).hasSize(1);
    }

    @Test
    @DisplayName("a create whose answer is lost is found by its id at once: one call later, one issue, delivered")
    void lostAnswerRecoveredAtOnce(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        linear.dropNextAnswer("PrismIssueCreate");
        SendOutcome outcome = await(restart(vertx).send(growth(cluster, 10, 30, "g1"), config("lost-once")));
        assertThat(outcome.delivered()).isTrue();
        assertThat(linear.issues).hasSize(1);
        assertThat(linear.operations).containsExactly("PrismIssueCreate", "PrismIssue");
    }

    @Test
    @DisplayName("a create whose answer was lost (and the server gone before it could look) is found after a restart: no duplicate issue or comment")
    void lostAnswersAcrossRestart(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        JsonObject config = config("lost");
        linear.dropNextAnswer("PrismIssueCreate");
        linear.dropNextAnswer("PrismIssue");
        SendOutcome lost = await(restart(vertx).send(growth(cluster, 10, 30, "g1"), config));
        assertThat(lost.delivered()).isFalse();
        assertThat(lost.retryable()).isTrue();
        assertThat(lost.statusCode()).isNull();
        assertThat(linear.issues).hasSize(1);

        SendOutcome retried = await(restart(vertx).send(growth(cluster, 10, 30, "g1"), config));
        assertThat(retried.delivered()).isTrue();
        assertThat(linear.issues).hasSize(1);
        assertThat(linear.issueList().get(0).comments).isEmpty();
        assertThat(linear.operations).containsExactly("PrismIssueCreate", "PrismIssue", "PrismIssue");

        linear.dropNextAnswer("PrismCommentCreate");
        linear.dropNextAnswer("PrismComment");
        assertThat(await(restart(vertx).send(growth(cluster, 30, 60, "g2"), config)).retryable()).isTrue();
        assertThat(await(restart(vertx).send(growth(cluster, 30, 60, "g2"), config)).delivered()).isTrue();
        assertThat(linear.issueList().get(0).comments).hasSize(1);
        assertThat(linear.operations.subList(3, linear.operations.size())).containsExactly("PrismCommentCreate", "PrismComment", "PrismComment");
    }

    @Test
    @DisplayName("a lost create followed by a different notice adopts the issue and comments with the new notice")
    void lostCreateThenOtherNotice(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        JsonObject config = config("lost-other");
        linear.dropNextAnswer("PrismIssueCreate");
        linear.dropNextAnswer("PrismIssue");
        assertThat(await(restart(vertx).send(growth(cluster, 10, 30, "g1"), config)).delivered()).isFalse();
        assertThat(await(restart(vertx).send(growth(cluster, 30, 60, "g2"), config)).delivered()).isTrue();
        assertThat(linear.issues).hasSize(1);
        assertThat(linear.issueList().get(0).comments).singleElement().satisfies(c -> assertThat(c).contains("now 60 traces"));
    }

    @Test
    @DisplayName("after a re-cluster merged the ticket's cluster into another, the survivor keeps the ticket")
    void mergedClusterKeepsTicket(Vertx vertx) throws Exception {
        String absorbed = "c-" + UUID.randomUUID();
        String survivor = "c-" + UUID.randomUUID();
        JsonObject config = config("merge");
        assertThat(await(restart(vertx).send(growth(absorbed, 10, 30, "g1"), config)).delivered()).isTrue();
        await(database.pool().preparedQuery("""
                        INSERT INTO clusters (project_id, cluster_id, theme_id, centroid, status, retired_into)
                        VALUES ('p1', $1, 'error_analysis', '{0}', 'retired', $2), ('p1', $2, 'error_analysis', '{0}', 'active', NULL)""")
                .execute(Tuple.of(absorbed, survivor)));
        assertThat(await(restart(vertx).send(growth(survivor, 30, 80, "g2"), config)).delivered()).isTrue();
        assertThat(linear.issues).hasSize(1);
        assertThat(linear.issueList().get(0).comments).hasSize(1);
        String keptBy = await(database.pool().preparedQuery("SELECT cluster_id FROM alert_tickets WHERE project_id = 'p1' AND destination_key = 'merge'")
                .execute()).iterator().next().getString("cluster_id");
        assertThat(keptBy).isEqualTo(survivor);
    }

    @Test
    @DisplayName("Linear's RATELIMITED waits for the reset; a wrong key is not retried and never shows in the detail")
    void failures(Vertx vertx) throws Exception {
        String cluster = "c-" + UUID.randomUUID();
        linear.rateLimitNext("PrismIssueCreate");
        SendOutcome limited = await(restart(vertx).send(growth(cluster, 1, 3, "g1"), config("limits")));
        assertThat(limited.retryable()).isTrue();
        assertThat(limited.retryAfter()).isBetween(java.time.Duration.ofSeconds(50), java.time.Duration.ofSeconds(61));
        assertThat(limited.detail()).isEqualTo("Linear issueCreate failed (RATELIMITED): Rate limit exceeded");

        JsonObject wrongKey = config("auth").put("api_key", "lin_api_WRONG_KEY_987654");
        SendOutcome denied = await(restart(vertx).send(growth("c-" + UUID.randomUUID(), 1, 3, "g1"), wrongKey));
        assertThat(denied.delivered()).isFalse();
        assertThat(denied.retryable()).isFalse();
        assertThat(denied.statusCode()).isEqualTo(400);
        assertThat(denied.detail()).contains("AUTHENTICATION_ERROR").doesNotContain("lin_api_WRONG_KEY_987654");

        LinearDestination destination = restart(vertx);
        assertThat(destination.validate(new JsonObject().put("team_id", "t"))).isEqualTo("api_key: required (a Linear API key)");
        assertThat(destination.validate(new JsonObject().put("api_key", "k"))).isEqualTo("team_id: required (the Linear team's id)");
        assertThat(destination.validate(new JsonObject().put("api_key", "k").put("team_id", "t"))).isNull();
        assertThat(destination.targets(new JsonObject().put("api_key", "k").put("team_id", "t")))
                .extracting(Object::toString).containsExactly("https://api.linear.app/graphql");
    }
}
