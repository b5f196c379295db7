package dev.prism.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.config.PrismConfig;
import dev.prism.store.Database;
import dev.prism.support.ServicePostgres;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ticket poller against the fake Linear and GitHub servers: it stores what the trackers say of the issues Prism
 * keeps for clusters (closed, and when), with the rule's credentials, and only through the destinations' address policy.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Alert ticket poller against fake Linear and GitHub servers")
class AlertTicketPollTest {

    private static final PrismConfig.Alerts ALERTS = new PrismConfig.Alerts(5, 0, 2000, 5, 1000, "false", 1);
    private ServicePostgres postgres;
    private Database database;
    private FakeLinear linear;
    private FakeGithub github;
    private int linearPort;
    private int githubPort;

    @BeforeAll
    void start(Vertx vertx) throws Exception {
        postgres = ServicePostgres.createDatabase();
        database = await(Database.start(vertx, new PrismConfig.Store(Optional.of(postgres.url()), Path.of("unused"), 4)));
        await(database.pool().query("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p1', 'p1', 'h')").execute());
        linear = new FakeLinear();
        linearPort = await(linear.start(vertx));
        github = new FakeGithub();
        githubPort = await(github.start(vertx));
    }

    @AfterAll
    void stop(Vertx vertx) throws Exception {
        await(linear.close());
        await(github.close());
        await(database.close(vertx));
        postgres.close();
    }

    private ObjectNode linearDestination() {
        return NoticeJson.MAPPER.createObjectNode().put("type", "linear").put("api_key", FakeLinear.API_KEY).put("team_id", FakeLinear.TEAM)
                .put("api_url", "http://127.0.0.1:" + linearPort + "/graphql");
    }

    private ObjectNode githubDestination() {
        return NoticeJson.MAPPER.createObjectNode().put("type", "github").put("token", FakeGithub.TOKEN).put("repo", FakeGithub.REPO)
                .put("api_url", "http://127.0.0.1:" + githubPort);
    }

    private void ticket(String rule, String destinationKey, String cluster, String type, String externalId, String number) throws Exception {
        await(database.pool().preparedQuery("""
                        INSERT INTO alert_tickets (project_id, rule_id, destination_key, cluster_id, destination_type, external_id, external_number, url, state)
                        VALUES ('p1', $1, $2, $3, $4, $5, $6, 'https://example.invalid/' || $6, 'open')""")
                .execute(Tuple.of(rule, destinationKey, cluster, type, externalId, number)));
    }

    private Row row(String cluster, String type) throws Exception {
        return await(database.pool().preparedQuery("SELECT state, closed_at, state_checked_at FROM alert_tickets WHERE cluster_id = $1 AND destination_type = $2")
                .execute(Tuple.of(cluster, type))).iterator().next();
    }

    private String deploy(Vertx vertx, AddressPolicy policy) throws Exception {
        GuardedHttp http = new GuardedHttp(vertx, policy, GuardedHttp.HostResolver.system(vertx), 2_000, "Prism-Alerts/test");
        List<Destination> destinations = AlertDestinations.all(http, new AlertTickets(database.pool()), Clock.systemUTC());
        return await(vertx.deployVerticle(new AlertTicketPollVerticle(database.pool(), destinations, ALERTS)));
    }

    @Test
    @DisplayName("closes and reopens on the trackers are stored with the trackers' times; a refused address is never called")
    void pollsTrackers(Vertx vertx) throws Exception {
        // The Linear ticket's rule is gone; another rule sending to the same team still has the key to ask with.
        await(new AlertRepository(database.pool()).insert(new AlertRule("p1", "r1", "Errors", "error_analysis",
                new AlertRule.Trigger(AlertRule.SIZE_REACHED, 5, null, null, null, null, null), AlertRule.Conditions.NONE,
                List.of(linearDestination(), githubDestination()), 0, true, null, null)));
        String issueId = new TicketKey("p1", "r-gone", "linear:" + FakeLinear.TEAM, "c_lin").issueId().toString();
        FakeLinear.Issue linearIssue = new FakeLinear.Issue(issueId, "ENG-1", "[Prism] a", "body");
        linear.issues.put(issueId, linearIssue);
        ticket("r-gone", "linear:" + FakeLinear.TEAM, "c_lin", "linear", issueId, "ENG-1");
        FakeGithub.Issue githubIssue = new FakeGithub.Issue(5001, 1, "[Prism] b", "body", false);
        github.issues.put(1, githubIssue);
        ticket("r1", "github:" + FakeGithub.REPO, "c_gh", "github", "5001", "1");
        Instant linearClosed = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MILLIS);
        Instant githubClosed = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        linearIssue.close("canceled", linearClosed);
        githubIssue.close(githubClosed);

        // Only public addresses allowed: the loopback trackers are asked about nothing; the tickets wait for another interval.
        String blocked = deploy(vertx, AddressPolicy.publicOnly());
        await().atMost(Duration.ofSeconds(15)).until(() -> row("c_lin", "linear").getValue("state_checked_at") != null
                && row("c_gh", "github").getValue("state_checked_at") != null);
        await(vertx.undeploy(blocked));
        assertThat(linear.requests).isEmpty();
        assertThat(github.calls).isEmpty();
        assertThat(row("c_lin", "linear").getString("state")).isEqualTo("open");
        assertThat(row("c_gh", "github").getString("state")).isEqualTo("open");

        String allowed = deploy(vertx, AddressPolicy.parse("127.0.0.1"));
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> "closed".equals(row("c_lin", "linear").getString("state"))
                    && "closed".equals(row("c_gh", "github").getString("state")));
            assertThat(row("c_lin", "linear").getOffsetDateTime("closed_at").toInstant()).isEqualTo(linearClosed);
            assertThat(row("c_gh", "github").getOffsetDateTime("closed_at").toInstant()).isEqualTo(githubClosed);
            assertThat(linear.operations).containsOnly("PrismIssueState");
            assertThat(linear.requests.get(0).get("query").asText())
                    .isEqualTo("query PrismIssueState($id: String!) { issue(id: $id) { id state { type } completedAt canceledAt } }");
            assertThat(linear.requests.get(0).get("variables").get("id").asText()).isEqualTo(issueId);
            assertThat(linear.authorizations).containsOnly(FakeLinear.API_KEY);
            assertThat(github.calls).containsOnly("GET /issues/n");
            assertThat(github.problems).isEmpty();

            // Someone reopens them: the next polls say so.
            linearIssue.moveTo("st-todo");
            githubIssue.state = "open";
            githubIssue.closedAt = null;
            await().atMost(Duration.ofSeconds(15)).until(() -> "open".equals(row("c_lin", "linear").getString("state"))
                    && "open".equals(row("c_gh", "github").getString("state")));
            assertThat(row("c_lin", "linear").getValue("closed_at")).isNull();
            assertThat(row("c_gh", "github").getValue("closed_at")).isNull();
        } finally {
            await(vertx.undeploy(allowed));
        }
    }
}
