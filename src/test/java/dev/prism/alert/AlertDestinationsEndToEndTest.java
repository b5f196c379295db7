package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.AlertCorpus;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's must-show alert through the four real destinations, each talking to a local server that speaks its
 * protocol: a Slack incoming webhook and a signed webhook ({@link Receiver}), Linear's GraphQL ({@link FakeLinear}) and
 * GitHub's issues API ({@link FakeGithub}). The server builds its own destinations; only
 * {@code alerts.allowPrivateDestinations} lets them reach these loopback servers.
 *
 * <p>One story in order: a cluster grows threefold (one growth alert per destination within one clustering cycle,
 * every payload checked), grows further (a size rule comments on the same issues), the server restarts and
 * re-clusters (nothing new, no duplicate), the issues are closed, and the cluster comes back after quiet days (a
 * regression rule reopens both issues and comments). Summaries go the offline way: stored analyses, embedded by the
 * local model, clustered by the server.
 */
@DisplayName("Alerts end to end through Slack, Linear, GitHub and a signed webhook")
class AlertDestinationsEndToEndTest {

    private static final String THEME = AlertCorpus.THEME;
    private static final String PUBLIC_URL = "https://prism.example.com";
    private static final String WEBHOOK_SECRET = "whsec-e2e-0123456789abcdef";
    private static final String LINEAR_KEY = "linear:" + FakeLinear.TEAM;
    private static final String GITHUB_KEY = "github:" + FakeGithub.REPO;
    private static Path dataDir;
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static AlertCorpus corpus;
    private static Receiver receiver;
    private static FakeLinear linear;
    private static FakeGithub github;
    private static int linearPort;
    private static int githubPort;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        dataDir = dir;
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        corpus = new AlertCorpus(vertx, pg, 1414);
        receiver = await(new Receiver(vertx).listen(0));
        linear = new FakeLinear();
        linearPort = await(linear.start(vertx));
        github = new FakeGithub();
        githubPort = await(github.start(vertx));
        github.addOthers(4); // a repository people use: issue numbers are not Prism's alone
        server = startServer();
    }

    /** The server with its own four destinations, allowed to reach the loopback fakes. */
    private static TestServer startServer() throws Exception {
        Map<String, String> settings = AlertCorpus.settings(dataDir, pg, PUBLIC_URL);
        settings.put("alerts.allowPrivateDestinations", "true");
        TestServer s = TestServer.start(vertx, settings);
        corpus.use(s);
        return s;
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(receiver.close());
        await(linear.close());
        await(github.close());
        await(vertx.close());
        pg.close();
    }

    private static String destinations(boolean chat) {
        String trackers = """
                {"type": "linear", "api_key": "%s", "team_id": "%s", "api_url": "http://127.0.0.1:%d/graphql"},
                {"type": "github", "token": "%s", "repo": "%s", "api_url": "http://127.0.0.1:%d"}"""
                .formatted(FakeLinear.API_KEY, FakeLinear.TEAM, linearPort, FakeGithub.TOKEN, FakeGithub.REPO, githubPort);
        String chats = """
                {"type": "slack", "url": "%s"},
                {"type": "webhook", "url": "%s", "secret": "%s"},
                """.formatted(receiver.url("/services/T0/B0/slacksecret"), receiver.url("/prism-hook"), WEBHOOK_SECRET);
        return "[" + (chat ? chats : "") + trackers + "]";
    }

    private static String rule(String body) throws Exception {
        HttpApi.Response r = server.http.admin("POST", "/api/projects/default/alerts", body);
        assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static JsonNode deliveries(String rule) throws Exception {
        return server.http.api("/api/projects/default/alerts/" + rule + "/deliveries").json().get("results");
    }

    @Test
    @DisplayName("growth threefold: one alert per destination in one cycle, exact payloads; later growth, a restart, a re-cluster and a comeback: one issue per tracker, comments, reopened")
    void fourDestinations() throws Exception {
        // Yesterday: 12 summaries of each of five error causes. Today: the payment timeouts four times as often.
        List<String> before = corpus.add(AlertCorpus.errors(12, 1, null), Duration.ofHours(28), Duration.ofHours(40));
        corpus.refresh();
        List<String> today = corpus.add(AlertCorpus.errors(48, 2, "payment-timeout"), Duration.ofMinutes(30), Duration.ofHours(10));
        corpus.awaitQuiet();
        String growthRule = rule("""
                {"name": "Errors tripling", "theme_id": "%s",
                 "trigger": {"type": "growth", "percent": 200, "window": "day", "min_count": 20},
                 "conditions": {"min_severity": "medium", "min_distinct_users": 2},
                 "destinations": %s}""".formatted(THEME, destinations(true)));
        assertThat(receiver.received()).isEmpty();
        assertThat(linear.requests).isEmpty();
        assertThat(github.calls).isEmpty();

        long cycle = System.nanoTime();
        corpus.refresh(); // one clustering cycle
        long refreshed = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 2 && linear.issues.size() >= 1
                && github.prismIssues().size() >= 1);
        System.out.printf("four destinations: re-clustering %d ms, Slack, webhook, Linear and GitHub served %d ms after it was stored%n",
                (refreshed - cycle) / 1_000_000, (System.nanoTime() - refreshed) / 1_000_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(growthRule).size() == 4
                && java.util.stream.StreamSupport.stream(deliveries(growthRule).spliterator(), false).allMatch(d -> d.get("status").asText().equals("delivered")));
        String clusterId = corpus.clusterOf(today);
        assertThat(corpus.clusterOf(before.subList(0, 12))).as("yesterday's payment timeouts are in the same cluster").isEqualTo(clusterId);
        JsonNode cluster = server.http.api("/api/projects/default/clusters/" + clusterId).json();
        long last = cluster.get("trend").get("last_day").asLong();
        long previous = cluster.get("trend").get("previous_day").asLong();
        assertThat(last).as("the cluster grew threefold").isGreaterThanOrEqualTo(3 * previous);
        JsonNode expected = HttpApi.JSON.readTree(corpus.expectedGrowthNotice(growthRule, "Errors tripling", clusterId, PUBLIC_URL).toString());

        // The signed webhook: the notice as JSON, its signature verified here with the secret over timestamp and body.
        List<Receiver.Received> hooks = receiver.received("/prism-hook");
        assertThat(hooks).hasSize(1);
        Receiver.Received hook = hooks.get(0);
        String timestamp = hook.header("X-Prism-Timestamp");
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp))).as("a fresh timestamp").isLessThan(300);
        assertThat(MessageDigest.isEqual(hmac(WEBHOOK_SECRET, timestamp + "." + hook.raw()).getBytes(StandardCharsets.UTF_8),
                hook.header("X-Prism-Signature").getBytes(StandardCharsets.UTF_8))).as("signature verifies").isTrue();
        assertThat(hmac("another-secret-0000000", timestamp + "." + hook.raw())).isNotEqualTo(hook.header("X-Prism-Signature"));
        assertThat(hook.header("Content-Type")).startsWith("application/json");
        ObjectNode notice = hook.body().deepCopy();
        Instant firedAt = Instant.parse(notice.remove("fired_at").asText());
        assertThat(firedAt).isBetween(Instant.now().minusSeconds(60), Instant.now());
        assertThat(notice).isEqualTo(expected);

        // Slack: the Block Kit message, built here from the expected notice.
        List<Receiver.Received> slack = receiver.received("/services/T0/B0/slacksecret");
        assertThat(slack).hasSize(1);
        assertThat(slack.get(0).body()).isEqualTo(slackMessage(expected, firedAt));
        assertThat(expected.get("summaries")).hasSize(3);

        // Linear: one issueCreate with the id derived from (project, rule, team, cluster), the title and the markdown body.
        assertThat(linear.operations).containsExactly("PrismIssueCreate");
        JsonNode create = linear.requests.get(0);
        assertThat(create.get("query").asText()).startsWith("mutation PrismIssueCreate($input: IssueCreateInput!) { issueCreate(input: $input)");
        String issueId = new TicketKey("default", growthRule, LINEAR_KEY, clusterId).issueId().toString();
        ObjectNode input = HttpApi.JSON.createObjectNode().put("id", issueId).put("teamId", FakeLinear.TEAM)
                .put("title", "[Prism] " + expected.get("cluster_name").asText() + " (" + expected.get("theme_name").asText() + ")")
                .put("description", issueBody(expected, clusterId, null));
        ObjectNode variables = HttpApi.JSON.createObjectNode();
        variables.set("input", input);
        assertThat(create.get("variables")).isEqualTo(variables);
        assertThat(linear.authorizations).containsOnly(FakeLinear.API_KEY);
        FakeLinear.Issue linearIssue = linear.issues.get(issueId);

        // GitHub: one issue with the same body and the hidden marker that finds it again.
        assertThat(github.calls).containsExactly("POST /issues");
        assertThat(github.prismIssues()).hasSize(1);
        FakeGithub.Issue githubIssue = github.prismIssues().get(0);
        assertThat(githubIssue.number).isEqualTo(5);
        assertThat(githubIssue.title).isEqualTo(input.get("title").asText());
        assertThat(githubIssue.body).isEqualTo(issueBody(expected, clusterId, new TicketKey("default", growthRule, GITHUB_KEY, clusterId).marker()));
        assertThat(github.problems).isEmpty();
        assertThat(deliveries(growthRule)).allSatisfy(d -> assertThat(d.get("attempts").asInt()).isEqualTo(1));

        // Further growth: a size rule to the same trackers comments on the cluster's issues; the growth rule said its news today.
        int size = cluster.get("size").asInt();
        String sizeRule = rule("""
                {"name": "Errors past %d", "theme_id": "%s", "trigger": {"type": "size_reached", "size": %d}, "destinations": %s}"""
                .formatted(size + 3, THEME, size + 3, destinations(false)));
        String comebackRule = rule("""
                {"name": "Errors back", "theme_id": "%s", "trigger": {"type": "regressed", "quiet_days": 3}, "destinations": %s}"""
                .formatted(THEME, destinations(false)));
        List<String> more = corpus.add(AlertCorpus.errors(8, 3, "payment-timeout"), Duration.ofMinutes(5), Duration.ofMinutes(20));
        corpus.refresh();
        await().atMost(Duration.ofSeconds(30)).until(() -> linearIssue.comments.size() == 1 && githubIssue.comments.size() == 1);
        assertThat(corpus.clusterOf(more)).isEqualTo(clusterId);
        assertThat(linearIssue.comments.get(0)).startsWith("**Cluster reached ").doesNotContain("<!-- prism");
        assertThat(githubIssue.comments.get(0)).startsWith("**Cluster reached ").contains("<!-- prism-notice: ");
        corpus.awaitQuiet();

        // A restart on the same database and a re-cluster: the cluster keeps its id, nothing is news, nothing is duplicated.
        server.stop();
        // Time passes without a payment timeout: everything so far is six days older.
        corpus.age(Duration.ofDays(6));
        server = startServer();
        corpus.refresh();
        assertThat(corpus.clusterOf(today)).as("the cluster keeps its identity across restart and re-cluster").isEqualTo(clusterId);
        corpus.awaitQuiet();
        assertThat(server.http.api("/api/projects/default/clusters/" + clusterId).json().get("lifecycle").asText()).isEqualTo("fading");

        // Someone closes both issues; the payment timeouts come back after four quiet days.
        linearIssue.stateId = "st-done";
        githubIssue.state = "closed";
        int linearCalls = linear.operations.size();
        int githubCalls = github.calls.size();
        List<String> back = corpus.add(AlertCorpus.errors(6, 4, "payment-timeout"), Duration.ofMinutes(10), Duration.ofHours(2));
        corpus.refresh();
        await().atMost(Duration.ofSeconds(30)).until(() -> linearIssue.comments.size() == 2 && githubIssue.comments.size() == 2);
        assertThat(corpus.clusterOf(back)).isEqualTo(clusterId);
        assertThat(server.http.api("/api/projects/default/clusters/" + clusterId).json().get("lifecycle").asText()).isEqualTo("regressed");
        assertThat(linearIssue.stateType()).as("reopened in the team's first unstarted state").isEqualTo("unstarted");
        assertThat(githubIssue.state).isEqualTo("open");
        assertThat(linearIssue.comments.get(1)).startsWith("**Cluster came back**");
        assertThat(githubIssue.comments.get(1)).startsWith("**Cluster came back**");
        assertThat(linear.operations.subList(linearCalls, linear.operations.size()))
                .containsExactly("PrismIssue", "PrismTeamStates", "PrismIssueReopen", "PrismCommentCreate");
        assertThat(github.calls.subList(githubCalls, github.calls.size())).containsExactly("GET /issues/n", "PATCH /issues/n", "POST /comments");
        corpus.awaitQuiet();

        // Across all of it: one issue per tracker for the cluster (three rules sent to each), one message per chat
        // destination. A stray comeback summary placed in another cluster would give that cluster its own issue: the
        // trackers hold one issue per ticketed cluster.
        assertThat(corpus.count("SELECT count(*) FROM alert_tickets WHERE cluster_id = '" + clusterId + "'")).isEqualTo(2);
        assertThat(linear.issues.values().stream().filter(i -> i.title.equals(input.get("title").asText()))).hasSize(1);
        assertThat((long) linear.issues.size()).isEqualTo(corpus.count("SELECT count(DISTINCT cluster_id) FROM alert_tickets WHERE destination_type = 'linear'"));
        assertThat(github.prismIssues().stream().filter(i -> i.title.equals(input.get("title").asText()))).hasSize(1);
        assertThat((long) github.prismIssues().size()).isEqualTo(corpus.count("SELECT count(DISTINCT cluster_id) FROM alert_tickets WHERE destination_type = 'github'"));
        assertThat(receiver.received()).hasSize(2);
        assertThat(ofCluster(deliveries(sizeRule), clusterId)).hasSize(2);
        assertThat(ofCluster(deliveries(comebackRule), clusterId)).hasSize(2).allSatisfy(d -> {
            assertThat(d.get("status").asText()).isEqualTo("delivered");
            assertThat(d.get("kind").asText()).isEqualTo("regressed");
        });
        assertThat(github.problems).isEmpty();
    }

    private static List<JsonNode> ofCluster(JsonNode deliveries, String clusterId) {
        List<JsonNode> out = new ArrayList<>();
        deliveries.forEach(d -> {
            if (clusterId.equals(d.path("cluster_id").asText())) {
                out.add(d);
            }
        });
        return out;
    }

    private static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** "+300% (12 → 63)": the growth as every destination writes it. */
    private static String growth(JsonNode n) {
        return String.format(Locale.ROOT, "%+.0f%%", n.get("growth_percent").asDouble()) + " (" + n.get("previous_size").asInt() + " → "
                + n.get("size").asInt() + ")";
    }

    private static List<String> summaries(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.get("summaries").forEach(s -> {
            String line = s.asText().replaceAll("\\s+", " ").strip();
            assertThat(line.length()).as("summaries of this corpus are short enough to be quoted whole").isLessThanOrEqualTo(280);
            out.add(line);
        });
        return out;
    }

    /** The Slack message a growth notice must become (Block Kit, mrkdwn escaped). */
    private static JsonNode slackMessage(JsonNode n, Instant firedAt) {
        String theme = n.get("theme_name").asText();
        String name = n.get("cluster_name").asText();
        ObjectNode m = HttpApi.JSON.createObjectNode();
        m.put("text", "Cluster growing in " + slackEscape(theme) + ": " + slackEscape(name) + " (" + n.get("size").asInt() + " traces, growth "
                + growth(n) + ")");
        ArrayNode blocks = m.putArray("blocks");
        blocks.addObject().put("type", "header").putObject("text").put("type", "plain_text").put("text", "Cluster growing · " + theme);
        ObjectNode section = blocks.addObject().put("type", "section");
        section.putObject("text").put("type", "mrkdwn").put("text", "*" + slackEscape(name) + "*\nRule: Errors tripling");
        ArrayNode fields = section.putArray("fields");
        fields.addObject().put("type", "mrkdwn").put("text", "*Theme*\n" + slackEscape(theme));
        fields.addObject().put("type", "mrkdwn").put("text", "*Size*\n" + n.get("size").asInt() + " traces");
        fields.addObject().put("type", "mrkdwn").put("text", "*Growth*\n" + growth(n));
        fields.addObject().put("type", "mrkdwn").put("text", "*Lifecycle*\ngrowing");
        fields.addObject().put("type", "mrkdwn").put("text", "*Severity*\nhigh");
        StringBuilder quoted = new StringBuilder("*Representative summaries*");
        summaries(n).forEach(s -> quoted.append("\n• ").append(slackEscape(s)));
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", quoted.toString());
        ArrayNode buttons = blocks.addObject().put("type", "actions").putArray("elements");
        ObjectNode open = buttons.addObject().put("type", "button").put("action_id", "open_cluster").put("url", PUBLIC_URL + "/#/themes/" + THEME + "/clusters");
        open.putObject("text").put("type", "plain_text").put("text", "Open cluster");
        ObjectNode trace = buttons.addObject().put("type", "button").put("action_id", "open_trace").put("url", n.get("trace_url").asText());
        trace.putObject("text").put("type", "plain_text").put("text", "Open a trace");
        assertThat(n.get("trace_url").asText()).startsWith(PUBLIC_URL + "/#/traces/t");
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", "Prism · growth · " + firedAt);
        return m;
    }

    /** The markdown body of the Linear and GitHub issue for a growth notice; {@code marker} ends GitHub's. */
    private static String issueBody(JsonNode n, String clusterId, String marker) {
        StringBuilder b = new StringBuilder();
        b.append("**Cluster growing** in theme **").append(Markdown.escape(n.get("theme_name").asText())).append("**: ")
                .append(Markdown.escape(n.get("cluster_name").asText())).append("\n\n");
        b.append("| Size | Growth | Lifecycle | Severity |\n|---|---|---|---|\n");
        b.append("| ").append(n.get("size").asInt()).append(" | ").append(Markdown.escape(growth(n))).append(" | growing | high |\n\n");
        b.append("**Representative summaries**\n\n");
        summaries(n).forEach(s -> b.append("- ").append(Markdown.escape(s)).append('\n'));
        b.append('\n');
        b.append("[Open the cluster in Prism](").append(PUBLIC_URL).append("/#/themes/").append(THEME).append("/clusters) · [Open a trace](")
                .append(n.get("trace_url").asText()).append(")\n\n");
        b.append("Rule: Errors tripling · cluster `").append(clusterId).append("`\n");
        if (marker != null) {
            b.append('\n').append(marker).append('\n');
        }
        return b.toString();
    }
}
