package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.AlertCorpus;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
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
 * A cluster that ended (retired on its own in a re-clustering, its summaries left in Other) and whose problem comes
 * back days later: the re-clustering gives the comeback the ended cluster's id back, so the regression rule fires once
 * for it and its closed GitHub issue is reopened, instead of a "new" cluster with a second issue.
 */
@DisplayName("An ended cluster coming back")
class ClusterComebackAlertTest {

    private static final String THEME = AlertCorpus.THEME;
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static AlertCorpus corpus;
    private static FakeGithub github;
    private static int githubPort;

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        corpus = new AlertCorpus(vertx, pg, 77);
        github = new FakeGithub();
        githubPort = await(github.start(vertx));
        Map<String, String> settings = AlertCorpus.settings(dataDir, pg, "https://prism.example.com");
        settings.put("alerts.allowPrivateDestinations", "127.0.0.1/32");
        server = TestServer.start(vertx, settings);
        corpus.use(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(github.close());
        await(vertx.close());
        pg.close();
    }

    private static String rule(String name, String trigger) throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/alerts", """
                {"name": "%s", "theme_id": "%s", "trigger": %s, "cooldown_seconds": 0,
                 "destinations": [{"type": "github", "token": "%s", "repo": "%s", "api_url": "http://127.0.0.1:%d"}]}"""
                .formatted(name, THEME, trigger, FakeGithub.TOKEN, FakeGithub.REPO, githubPort));
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static List<JsonNode> deliveriesOf(String rule, String clusterId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        server.http.api("/api/projects/default/alerts/" + rule + "/deliveries").json().get("results").forEach(d -> {
            if (clusterId.equals(d.path("cluster_id").asText())) {
                out.add(d);
            }
        });
        return out;
    }

    @Test
    @DisplayName("the comeback takes the ended cluster's id back, fires the regression rule once and reopens its closed issue")
    void endedClusterComesBack() throws Exception {
        // A week ago: a dozen summaries of each of four error causes, one issue per cluster from a size rule.
        List<String> old = corpus.add(AlertCorpus.errors(12, 5, null), Duration.ofDays(7), Duration.ofDays(7).plusHours(6));
        String sizeRule = rule("Error clusters", "{\"type\": \"size_reached\", \"size\": 5}");
        corpus.refresh();
        String payments = corpus.clusterOf(paymentTraces(old));
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveriesOf(sizeRule, payments).size() == 1
                && deliveriesOf(sizeRule, payments).get(0).get("status").asText().equals("delivered"));
        String rule = rule("Errors back", "{\"type\": \"regressed\", \"quiet_days\": 3}");
        corpus.awaitQuiet();
        FakeGithub.Issue issue = github.issues.get(Integer.parseInt(deliveriesOf(sizeRule, payments).get(0).get("external_ref").asText()
                .replaceAll(".*/", "")));
        issue.state = "closed";

        // The payment timeouts went away: a re-clustering ended their cluster and left its summaries in Other.
        try (Connection c = DriverManager.getConnection("jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://"), "postgres", "")) {
            c.createStatement().executeUpdate("UPDATE clusters SET status = 'retired', retired_into = NULL, size = 0 WHERE cluster_id = '" + payments + "'");
            c.createStatement().executeUpdate("UPDATE cluster_members SET cluster_id = NULL WHERE cluster_id = '" + payments + "'");
        }
        assertThat(server.http.api("/api/projects/default/clusters/" + payments).json().get("status").asText()).isEqualTo("retired");

        // Today they come back.
        List<String> back = corpus.add(AlertCorpus.errors(8, 6, "payment-timeout"), Duration.ofMinutes(10), Duration.ofHours(1));
        corpus.refresh();
        assertThat(corpus.clusterOf(back)).as("the comeback has the ended cluster's id").isEqualTo(payments);
        JsonNode cluster = server.http.api("/api/projects/default/clusters/" + payments).json();
        assertThat(cluster.get("status").asText()).isEqualTo("active");
        assertThat(cluster.get("lifecycle").asText()).isEqualTo("regressed");
        await().atMost(Duration.ofSeconds(30)).until(() -> issue.comments.size() == 1);
        assertThat(issue.state).as("reopened").isEqualTo("open");
        assertThat(issue.comments.get(0)).startsWith("**Cluster came back**");

        // Another cycle the same day: the comeback is not news again, and no second issue was ever made for the cluster.
        corpus.refresh();
        corpus.awaitQuiet();
        assertThat(deliveriesOf(rule, payments)).hasSize(1).allSatisfy(d -> assertThat(d.get("status").asText()).isEqualTo("delivered"));
        assertThat(issue.comments).hasSize(1);
        assertThat(github.prismIssues().stream().filter(i -> i.body.contains("cluster `" + payments + "`"))).hasSize(1);
    }

    /** The first dozen traces of {@link AlertCorpus#errors} with seed 5 that are payment timeouts. */
    private static List<String> paymentTraces(List<String> traces) {
        List<String> out = new ArrayList<>();
        List<dev.prism.support.IssueCorpus.Text> texts = AlertCorpus.errors(12, 5, null);
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).category().equals("payment-timeout")) {
                out.add(traces.get(i));
            }
        }
        return out;
    }
}
