package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.AlertCorpus;
import dev.prism.support.HttpApi;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "A cluster whose ticket was closed comes back": someone closes the Linear and GitHub issues Prism opened for a
 * cluster, the server learns it by polling the trackers ({@code alerts.ticketPollSeconds}), and when the cluster then
 * gains members a {@code regressed} rule fires once, reopening both issues with a comment. A closed issue whose cluster
 * gains nothing fires nothing. The cluster never went quiet: only the close makes it a comeback.
 */
@DisplayName("A cluster whose issue was closed on the tracker comes back")
class TicketClosedComebackTest {

    private static final String THEME = AlertCorpus.THEME;
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static AlertCorpus corpus;
    private static FakeLinear linear;
    private static FakeGithub github;
    private static int linearPort;
    private static int githubPort;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        corpus = new AlertCorpus(vertx, pg, 2614);
        linear = new FakeLinear();
        linearPort = await(linear.start(vertx));
        github = new FakeGithub();
        githubPort = await(github.start(vertx));
        Map<String, String> settings = AlertCorpus.settings(dataDir, pg, "https://prism.example.com");
        settings.put("alerts.allowPrivateDestinations", "127.0.0.1/32");
        settings.put("alerts.ticketPollSeconds", "1");
        server = TestServer.start(vertx, settings);
        corpus.use(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(linear.close());
        await(github.close());
        await(vertx.close());
        pg.close();
    }

    private static String rule(String name, String trigger) throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/alerts", """
                {"name": "%s", "theme_id": "%s", "trigger": %s, "cooldown_seconds": 0,
                 "destinations": [{"type": "linear", "api_key": "%s", "team_id": "%s", "api_url": "http://127.0.0.1:%d/graphql"},
                                  {"type": "github", "token": "%s", "repo": "%s", "api_url": "http://127.0.0.1:%d"}]}"""
                .formatted(name, THEME, trigger, FakeLinear.API_KEY, FakeLinear.TEAM, linearPort, FakeGithub.TOKEN, FakeGithub.REPO, githubPort));
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static List<JsonNode> deliveries(String rule, String clusterId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        server.http.api("/api/projects/default/alerts/" + rule + "/deliveries").json().get("results").forEach(d -> {
            if (clusterId == null || clusterId.equals(d.path("cluster_id").asText())) {
                out.add(d);
            }
        });
        return out;
    }

    private static boolean delivered(List<JsonNode> ds, int count) {
        return ds.size() == count && ds.stream().allMatch(d -> d.get("status").asText().equals("delivered"));
    }

    private static FakeLinear.Issue linearIssue(String rule, String clusterId) {
        return linear.issues.get(new TicketKey("default", rule, "linear:" + FakeLinear.TEAM, clusterId).issueId().toString());
    }

    private static FakeGithub.Issue githubIssue(String rule, String clusterId) {
        String marker = new TicketKey("default", rule, "github:" + FakeGithub.REPO, clusterId).marker();
        return github.prismIssues().stream().filter(i -> i.body.contains(marker)).findFirst().orElseThrow();
    }

    private static long tickets(String clusterId, String where) throws Exception {
        return corpus.count("SELECT count(*) FROM alert_tickets WHERE cluster_id = '" + clusterId + "' AND " + where);
    }

    @Test
    @DisplayName("issues closed on the trackers, new members: one regressed notice, both reopened with a comment, nothing on the next cycle; a closed issue without new members: nothing")
    void closedTicketComesBack() throws Exception {
        // Today: a dozen summaries of each error cause; a size rule opens one Linear and one GitHub issue per cluster.
        List<IssueCorpus.Text> texts = AlertCorpus.errors(12, 5, null);
        List<String> traces = corpus.add(texts, Duration.ofHours(3), Duration.ofHours(10));
        String sizeRule = rule("Error clusters", "{\"type\": \"size_reached\", \"size\": 5}");
        corpus.refresh();
        String payments = corpus.clusterOf(ofCategory(texts, traces, "payment-timeout"));
        String tools = corpus.clusterOf(ofCategory(texts, traces, "tool-json"));
        assertThat(tools).isNotEqualTo(payments);
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(deliveries(sizeRule, payments), 2) && delivered(deliveries(sizeRule, tools), 2));
        corpus.awaitQuiet();
        String comebackRule = rule("Errors back", "{\"type\": \"regressed\", \"quiet_days\": 3}");
        FakeLinear.Issue paymentsLinear = linearIssue(sizeRule, payments);
        FakeGithub.Issue paymentsGithub = githubIssue(sizeRule, payments);
        FakeLinear.Issue toolsLinear = linearIssue(sizeRule, tools);
        FakeGithub.Issue toolsGithub = githubIssue(sizeRule, tools);

        // Someone closes the issues of both clusters (Done in Linear, closed on GitHub; the tool errors' Linear issue canceled).
        Instant closed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        paymentsLinear.close("completed", closed);
        paymentsGithub.close(closed.plusMillis(250));
        toolsLinear.close("canceled", closed);
        toolsGithub.close(closed);
        long closing = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> tickets(payments, "state = 'closed'") == 2 && tickets(tools, "state = 'closed'") == 2);
        long learned = System.nanoTime();
        assertThat(tickets(payments, "closed_at = '" + closed + "'")).as("Linear's completedAt").isEqualTo(1);
        assertThat(tickets(payments, "closed_at = '" + closed.plusMillis(250) + "'")).as("GitHub's closed_at").isEqualTo(1);
        // The cluster's page lists both issues, closed, with the trackers' URLs.
        JsonNode listed = server.http.api("/api/projects/default/clusters/" + payments + "/tickets").json().get("results");
        assertThat(listed).extracting(t -> t.get("destination_type").asText() + " " + t.get("state").asText() + " " + t.get("url").asText())
                .containsExactly("github closed https://github.com/" + FakeGithub.REPO + "/issues/" + paymentsGithub.number,
                        "linear closed https://linear.app/acme/issue/" + paymentsLinear.identifier);

        // A clustering cycle without new members: closed issues alone are no comeback.
        corpus.refresh();
        corpus.awaitQuiet();
        assertThat(deliveries(comebackRule, null)).isEmpty();

        // The payment timeouts come back (members after the close, the cluster never quiet).
        int linearComments = paymentsLinear.comments.size();
        int githubComments = paymentsGithub.comments.size();
        List<String> back = corpus.add(AlertCorpus.errors(6, 6, "payment-timeout"), Duration.ZERO, Duration.ofMinutes(1));
        corpus.refresh();
        long refreshed = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(deliveries(comebackRule, payments), 2));
        System.out.printf("ticket closed comeback: four closes stored %d ms after they were made (1 s polls); both issues reopened and commented %d ms after the re-clustering%n",
                (learned - closing) / 1_000_000, (System.nanoTime() - refreshed) / 1_000_000);
        assertThat(corpus.clusterOf(back)).isEqualTo(payments);
        List<JsonNode> notices = deliveries(comebackRule, payments);
        assertThat(notices).allSatisfy(d -> {
            assertThat(d.get("kind").asText()).isEqualTo("regressed");
            assertThat(d.get("dedupe_key").asText()).as("named by the latest close")
                    .isEqualTo(comebackRule + "/" + payments + "/regressed:closed:" + closed.plusMillis(250).truncatedTo(ChronoUnit.SECONDS));
            assertThat(d.get("firing_id").asLong()).isEqualTo(notices.get(0).get("firing_id").asLong());
        });
        assertThat(notices.stream().map(d -> d.get("destination_type").asText())).containsExactlyInAnyOrder("linear", "github");
        assertThat(paymentsLinear.stateType()).as("reopened in the team's first unstarted state").isEqualTo("unstarted");
        assertThat(paymentsGithub.state).isEqualTo("open");
        assertThat(paymentsLinear.comments).hasSize(linearComments + 1);
        assertThat(paymentsGithub.comments).hasSize(githubComments + 1);
        assertThat(paymentsLinear.comments.get(linearComments)).startsWith("**Cluster came back**");
        assertThat(paymentsGithub.comments.get(githubComments)).startsWith("**Cluster came back**");
        assertThat(tickets(payments, "state = 'open' AND closed_at IS NULL")).isEqualTo(2);

        // The next cycle, after the poller has seen the reopened issues: nothing is news again.
        Instant reopened = Instant.now();
        await().atMost(Duration.ofSeconds(15)).until(() -> tickets(payments, "state_checked_at > '" + reopened + "'") == 2);
        corpus.refresh();
        corpus.awaitQuiet();
        assertThat(deliveries(comebackRule, payments)).hasSize(2);
        assertThat(paymentsLinear.comments).hasSize(linearComments + 1);
        assertThat(paymentsGithub.comments).hasSize(githubComments + 1);
        assertThat(tickets(payments, "state = 'open'")).isEqualTo(2);

        // The tool errors gained nothing after their issues were closed: no notice, still closed.
        assertThat(corpus.count("SELECT count(*) FROM cluster_members WHERE cluster_id = '" + tools + "' AND member_at > '" + closed + "'")).isZero();
        assertThat(deliveries(comebackRule, tools)).isEmpty();
        assertThat(toolsLinear.stateType()).isEqualTo("canceled");
        assertThat(toolsGithub.state).isEqualTo("closed");
        assertThat(tickets(tools, "state = 'closed'")).isEqualTo(2);
        // One issue per tracker and cluster throughout.
        assertThat(github.prismIssues().stream().filter(i -> i.body.contains("cluster `" + payments + "`"))).hasSize(1);
        assertThat(linear.issues.values().stream().filter(i -> i.description.contains("cluster `" + payments + "`"))).hasSize(1);
        assertThat(github.problems).isEmpty();
    }

    private static List<String> ofCategory(List<IssueCorpus.Text> texts, List<String> traces, String category) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).category().equals(category)) {
                out.add(traces.get(i));
            }
        }
        return out;
    }
}
