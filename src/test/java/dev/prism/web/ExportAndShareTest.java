package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.bus.Addresses;
import dev.prism.bus.EmbedSnapshot;
import dev.prism.bus.SummaryCreated;
import dev.prism.export.CsvExport;
import dev.prism.export.ExportRenderersTest;
import dev.prism.support.IssueCorpus;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's "must show" for export and sharing, in the running server: a small corpus of error and feature-request
 * summaries (stored as done analyses, then announced as the analysis stage does) is embedded by the local model and
 * clustered; the error theme is then exported in all four formats and shared read-only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Theme export and share links in the running server")
class ExportAndShareTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String THEMES = "/api/projects/default/themes/";
    private static final String HOSTILE_TRACE = "t|=1+1";
    private static final String HOSTILE_SUMMARY = "=HYPERLINK(\"http://evil.example\") <img src=x onerror=alert(1)> | **bold** ";
    private static Vertx vertx;
    private static ServicePostgres pg;
    private static TestServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static String base;
    private static JsonNode errorClusters;
    private static JsonNode featureClusters;
    private static String readKey;

    record Answer(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    static void start(@TempDir Path dataDir) throws Exception {
        vertx = Vertx.vertx();
        pg = ServicePostgres.createDatabase();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("cluster.refreshAfter", "0"); // runs only when the test asks
        settings.put("cluster.refreshMinutes", "0");
        server = TestServer.start(vertx, settings);
        base = "http://127.0.0.1:" + server.server.httpPort();

        // Two categories per theme, six summaries each, from several users.
        List<IssueCorpus.Text> texts = IssueCorpus.generate(6, 0, 11).stream().filter(t -> t.label() <= 1).toList();
        add(texts);
        for (String theme : List.of(IssueCorpus.ERRORS, IssueCorpus.FEATURES)) {
            assertThat(call("POST", THEMES + theme + "/clusters/refresh", TestServer.ADMIN_KEY, null).status()).isEqualTo(200);
        }
        errorClusters = call("GET", THEMES + IssueCorpus.ERRORS + "/clusters", TestServer.ADMIN_KEY, null).json().get("results");
        featureClusters = call("GET", THEMES + IssueCorpus.FEATURES + "/clusters", TestServer.ADMIN_KEY, null).json().get("results");
        assertThat(errorClusters.size()).as("error clusters").isPositive();
        assertThat(featureClusters.size()).as("feature clusters").isPositive();
        readKey = call("POST", "/api/projects/default/keys", TestServer.ADMIN_KEY, "{\"name\": \"reader\", \"scopes\": [\"read\"]}").json()
                .get("key").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        await(vertx.close());
        pg.close();
    }

    @Test
    @Order(1)
    @DisplayName("Markdown: a downloadable report with a section per cluster and relative trace links")
    void markdown() throws Exception {
        Answer md = call("GET", THEMES + "error_analysis/export?format=md", readKey, null);
        assertThat(md.status()).isEqualTo(200);
        assertThat(md.headers().firstValue("Content-Type").orElse("")).startsWith("text/markdown");
        assertThat(md.headers().firstValue("Content-Disposition").orElse(""))
                .matches("attachment; filename=\"prism-error_analysis-\\d{8}\\.md\"");
        assertThat(md.body().lines().filter(l -> l.startsWith("## "))).hasSize(errorClusters.size());
        assertThat(md.body()).contains("](/#/traces/").doesNotContainPattern("(?<!\\\\)<img");
        for (JsonNode c : errorClusters) {
            assertThat(md.body()).contains("| " + c.get("size").asInt() + " | ");
        }
    }

    @Test
    @Order(2)
    @DisplayName("CSV: parses back to one row per cluster and one per member, sizes as the API lists them, the hostile summary neutralised")
    void csv() throws Exception {
        Answer csv = call("GET", THEMES + "error_analysis/export?format=csv", readKey, null);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).endsWith(".csv\"");
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(csv.body()), CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).isEqualTo(CsvExport.HEADER);
            rows = parser.getRecords();
        }
        List<CSVRecord> clusters = rows.stream().filter(r -> r.get("level").equals("cluster")).toList();
        assertThat(clusters).hasSize(errorClusters.size());
        int members = 0;
        for (int i = 0; i < clusters.size(); i++) {
            assertThat(clusters.get(i).get("cluster_id")).isEqualTo(errorClusters.get(i).get("id").asText());
            assertThat(clusters.get(i).get("size")).isEqualTo(errorClusters.get(i).get("size").asText());
            members += errorClusters.get(i).get("size").asInt();
        }
        assertThat(rows.stream().filter(r -> r.get("level").equals("member"))).hasSize(members);
        CSVRecord hostile = rows.stream().filter(r -> HOSTILE_TRACE.equals(r.get("trace_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("the hostile trace is a member of an error cluster"));
        assertThat(hostile.get("summary")).startsWith("'=HYPERLINK(");
        assertThat(hostile.get("link")).isEqualTo("/#/traces/t%7C%3D1%2B1");
    }

    @Test
    @Order(3)
    @DisplayName("JSON: the documented shape, clusters as the API lists them, up to three representatives each with its summary")
    void json() throws Exception {
        Answer answer = call("GET", THEMES + "error_analysis/export?format=json", TestServer.ADMIN_KEY, null);
        assertThat(answer.status()).isEqualTo(200);
        JsonNode json = answer.json();
        assertThat(json.get("schema").asText()).isEqualTo("prism.theme-export");
        assertThat(json.get("theme").get("id").asText()).isEqualTo("error_analysis");
        assertThat(json.get("clusters")).hasSize(errorClusters.size());
        for (int i = 0; i < errorClusters.size(); i++) {
            JsonNode c = json.get("clusters").get(i);
            assertThat(c.get("id").asText()).isEqualTo(errorClusters.get(i).get("id").asText());
            assertThat(c.get("title").asText()).isEqualTo(errorClusters.get(i).get("title").asText());
            assertThat(c.get("representatives").size()).isBetween(1, 3);
            c.get("representatives").forEach(r -> assertThat(r.get("summary").asText()).isNotBlank());
            assertThat(c.get("members")).hasSize(c.get("size").asInt());
            c.get("members").forEach(m -> assertThat(m.get("title").isNull()).as("member titles found").isFalse());
            long daily = 0;
            for (JsonNode d : c.get("trend").get("daily")) {
                daily += d.get("count").asLong();
            }
            assertThat(daily).as("every member falls on a day of the 14-day trend").isEqualTo(c.get("size").asLong());
        }
    }

    @Test
    @Order(4)
    @DisplayName("ipynb: valid against the nbformat 4.5 schema, a Markdown cell per cluster and code that loads the data into pandas")
    void notebook() throws Exception {
        Answer nb = call("GET", THEMES + "error_analysis/export?format=ipynb", readKey, null);
        assertThat(nb.status()).isEqualTo(200);
        assertThat(nb.headers().firstValue("Content-Disposition").orElse("")).endsWith(".ipynb\"");
        ExportRenderersTest.assertValidNotebook(nb.body().getBytes(StandardCharsets.UTF_8));
        JsonNode cells = nb.json().get("cells");
        long markdown = 0;
        for (JsonNode c : cells) {
            markdown += c.get("cell_type").asText().equals("markdown") ? 1 : 0;
        }
        assertThat(markdown).isEqualTo(1 + errorClusters.size());
        assertThat(cells.toString()).contains("pd.json_normalize");
    }

    @Test
    @Order(5)
    @DisplayName("an unknown format is a 400, an unknown theme a 404, an ingest key a 403")
    void refusals() throws Exception {
        assertThat(call("GET", THEMES + "error_analysis/export?format=xlsx", readKey, null).status()).isEqualTo(400);
        assertThat(call("GET", THEMES + "nope/export?format=md", readKey, null).status()).isEqualTo(404);
        String ingest = call("POST", "/api/projects/default/keys", TestServer.ADMIN_KEY, "{\"name\": \"sdk\", \"scopes\": [\"ingest\"]}").json()
                .get("key").asText();
        assertThat(call("GET", THEMES + "error_analysis/export?format=md", ingest, null).status()).isEqualTo(403);
    }

    @Test
    @Order(6)
    @DisplayName("a share link reads one theme's clusters and exports, nothing else, and stops working at once when revoked")
    void shareLink() throws Exception {
        assertThat(call("POST", THEMES + "error_analysis/shares", readKey, "{}").status()).as("making a link needs admin").isEqualTo(403);
        assertThat(call("POST", THEMES + "error_analysis/shares", TestServer.ADMIN_KEY, "{\"expires_at\": \"2020-01-01T00:00:00Z\"}").status())
                .isEqualTo(400);
        Answer created = call("POST", THEMES + "error_analysis/shares", TestServer.ADMIN_KEY,
                "{\"expires_at\": \"" + Instant.now().plus(1, ChronoUnit.DAYS) + "\"}");
        assertThat(created.status()).isEqualTo(201);
        String token = created.json().get("token").asText();
        long shareId = created.json().get("id").asLong();
        assertThat(token).startsWith("prism_share_");
        assertThat(created.json().get("url").asText()).isEqualTo("/#/shared/" + token);
        JsonNode listed = call("GET", THEMES + "error_analysis/shares", TestServer.ADMIN_KEY, null).json().get("results");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).has("token")).as("tokens are shown once").isFalse();
        assertThat(listed.toString()).doesNotContain(token);

        // Reads: the theme, its clusters, one cluster, an export.
        Answer shared = call("GET", "/api/shared/" + token, null, null);
        assertThat(shared.status()).isEqualTo(200);
        assertThat(shared.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(shared.json().get("theme").get("id").asText()).isEqualTo("error_analysis");
        Set<String> ids = new HashSet<>();
        shared.json().get("results").forEach(c -> ids.add(c.get("id").asText()));
        Set<String> expected = new HashSet<>();
        errorClusters.forEach(c -> expected.add(c.get("id").asText()));
        assertThat(ids).isEqualTo(expected);
        String errorCluster = errorClusters.get(0).get("id").asText();
        Answer cluster = call("GET", "/api/shared/" + token + "/clusters/" + errorCluster, null, null);
        assertThat(cluster.status()).isEqualTo(200);
        assertThat(cluster.json().get("members").size()).isPositive();
        Answer export = call("GET", "/api/shared/" + token + "/export?format=csv", null, null);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body()).startsWith(String.join(",", CsvExport.HEADER));

        // Refused: another theme's cluster, the token as an API key (any project, any route), writes.
        assertThat(call("GET", "/api/shared/" + token + "/clusters/" + featureClusters.get(0).get("id").asText(), null, null).status())
                .isEqualTo(404);
        assertThat(call("GET", THEMES + "error_analysis/clusters", token, null).status()).isEqualTo(401);
        assertThat(call("GET", THEMES + "feature_requests/export?format=md", token, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/projects/other/themes", token, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/projects/default/traces/t0/text", token, null).status()).isEqualTo(401);
        assertThat(call("POST", THEMES + "error_analysis/clusters/refresh", token, null).status()).isEqualTo(401);
        assertThat(call("DELETE", THEMES + "error_analysis/shares/" + shareId, token, null).status()).isEqualTo(401);
        assertThat(call("POST", "/api/shared/" + token, null, "{}").status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/shared/" + token, null, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/shared/" + token + "/traces/t0", null, null).status()).isEqualTo(404);

        // A wrong token and a revoked one get the same answer.
        Answer unknown = call("GET", "/api/shared/prism_share_" + "A".repeat(43), null, null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(call("DELETE", THEMES + "feature_requests/shares/" + shareId, TestServer.ADMIN_KEY, null).status())
                .as("a link is revoked through its own theme").isEqualTo(404);
        Answer revoked = call("DELETE", THEMES + "error_analysis/shares/" + shareId, TestServer.ADMIN_KEY, null);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("revoked_at").isNull()).isFalse();
        Answer after = call("GET", "/api/shared/" + token, null, null);
        assertThat(after.status()).as("revocation holds on the very next request").isEqualTo(404);
        assertThat(after.json()).isEqualTo(unknown.json());
        assertThat(call("GET", "/api/shared/" + token + "/export?format=md", null, null).status()).isEqualTo(404);
        assertThat(call("GET", "/api/shared/" + token + "/clusters/" + errorCluster, null, null).status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    @DisplayName("the dashboard's #/shared/{token} view shows the theme's clusters as text without an API key, and a revoked link says so")
    void sharedDashboardView() throws Exception {
        Path chromium = Path.of(System.getProperty("prism.test.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("prism.test.chromedriver", "/usr/bin/chromedriver"));
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(chromium) && java.nio.file.Files.isExecutable(chromedriver),
                "Chromium is not installed (src/test/sh/test-services.sh installs it before the tests)");
        String token = call("POST", THEMES + "error_analysis/shares", TestServer.ADMIN_KEY, null).json().get("token").asText();
        long id = call("GET", THEMES + "error_analysis/shares", TestServer.ADMIN_KEY, null).json().get("results").get(1).get("id").asLong();
        Path profile = java.nio.file.Files.createTempDirectory("prism-chromium-");
        var options = new org.openqa.selenium.chrome.ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--no-first-run", "--window-size=1280,900", "--user-data-dir=" + profile.toAbsolutePath());
        var service = new org.openqa.selenium.chrome.ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        var driver = new org.openqa.selenium.chrome.ChromeDriver(service, options);
        try {
            driver.get(base + "/#/shared/" + token);
            org.awaitility.Awaitility.await("shared clusters shown").atMost(Duration.ofSeconds(20))
                    .until(() -> driver.findElements(org.openqa.selenium.By.cssSelector("[data-testid=shared-cluster]")).size() == errorClusters.size());
            String page = driver.findElement(org.openqa.selenium.By.id("app")).getText();
            for (JsonNode c : errorClusters) {
                assertThat(page).contains(c.get("title").asText());
            }
            assertThat(driver.findElement(org.openqa.selenium.By.id("nav")).isDisplayed()).as("no signed-in navigation").isFalse();
            driver.findElements(org.openqa.selenium.By.cssSelector("[data-testid=shared-cluster] button")).get(0).click();
            org.awaitility.Awaitility.await("representatives shown").atMost(Duration.ofSeconds(20))
                    .until(() -> !driver.findElements(org.openqa.selenium.By.cssSelector("[data-testid=shared-cluster] li")).isEmpty());
            java.nio.file.Files.createDirectories(Path.of("target", "screenshots"));
            java.nio.file.Files.write(Path.of("target", "screenshots", "shared-view.png"),
                    driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

            assertThat(call("DELETE", THEMES + "error_analysis/shares/" + id, TestServer.ADMIN_KEY, null).status()).isEqualTo(200);
            driver.navigate().refresh();
            org.awaitility.Awaitility.await("revoked link refused").atMost(Duration.ofSeconds(20))
                    .until(() -> !driver.findElements(org.openqa.selenium.By.cssSelector("[data-testid=shared-error]")).isEmpty());
            assertThat(driver.findElement(org.openqa.selenium.By.cssSelector("[data-testid=shared-error]")).getText()).contains("revoked");
        } finally {
            driver.quit();
        }
    }

    @Test
    @Order(8)
    @DisplayName("a share token never reaches the logs: failed requests log the path with the token replaced")
    void tokenNotLogged() {
        assertThat(HttpServerVerticle.loggable("/api/shared/prism_share_abc/export")).isEqualTo("/api/shared/<token>/export");
        assertThat(HttpServerVerticle.loggable("/api/shared/prism_share_abc")).isEqualTo("/api/shared/<token>");
        assertThat(HttpServerVerticle.loggable("/api/projects/default/themes")).isEqualTo("/api/projects/default/themes");
    }

    private static Answer call(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.headers());
    }

    /** Stores each text as a completed trace with a user and a done analysis, announces its summary, waits for the vectors. */
    private static void add(List<IssueCorpus.Text> texts) throws Exception {
        String jdbc = "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
        List<SummaryCreated> summaries = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement trace = c.prepareStatement("INSERT INTO traces (project_id, trace_id, version, status, first_seen, last_seen, "
                     + "completed_at) VALUES ('default', ?, 1, 'completed', ?, ?, ?)");
             PreparedStatement event = c.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id, \"timestamp\", "
                     + "properties) VALUES ('default', ?, '$ai_generation', ?, ?, ?, '{}'::jsonb)");
             PreparedStatement analysis = c.prepareStatement("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, "
                     + "prompt_version, status, theme_relevant, title, summary, model, input_tokens, output_tokens, cost_usd, latency_ms, "
                     + "created_at, completed_at) VALUES ('default', ?, ?, 1, 1, 'done', true, ?, ?, 'offline', 0, 0, 0, 0, ?, ?)")) {
            int n = 0;
            for (IssueCorpus.Text t : texts) {
                boolean hostile = n == 0;
                String id = hostile ? HOSTILE_TRACE : "t" + n;
                String summary = hostile ? HOSTILE_SUMMARY + t.summary() : t.summary();
                Timestamp ts = Timestamp.from(now.minus(n % 3, ChronoUnit.HOURS));
                trace.setString(1, id);
                trace.setTimestamp(2, ts);
                trace.setTimestamp(3, ts);
                trace.setTimestamp(4, ts);
                trace.addBatch();
                event.setString(1, UUID.randomUUID().toString());
                event.setString(2, "user-" + (n % 4));
                event.setString(3, id);
                event.setTimestamp(4, ts);
                event.addBatch();
                analysis.setString(1, t.themeId());
                analysis.setString(2, id);
                analysis.setString(3, t.title());
                analysis.setString(4, summary);
                analysis.setTimestamp(5, ts);
                analysis.setTimestamp(6, ts);
                analysis.addBatch();
                summaries.add(new SummaryCreated("default", t.themeId(), id, 1, 1, true, t.title(), summary, null, "offline", 0, 0, 0, 0,
                        ts.toInstant()));
                n++;
            }
            trace.executeBatch();
            event.executeBatch();
            analysis.executeBatch();
        }
        summaries.forEach(s -> vertx.eventBus().publish(Addresses.SUMMARY_CREATED, s));
        for (String theme : List.of(IssueCorpus.ERRORS, IssueCorpus.FEATURES)) {
            long expected = texts.stream().filter(t -> t.themeId().equals(theme)).count();
            org.awaitility.Awaitility.await("vectors of " + theme).atMost(Duration.ofSeconds(90)).until(() ->
                    await(vertx.eventBus().<EmbedSnapshot.Vectors>request(Addresses.EMBED_SNAPSHOT, new EmbedSnapshot("default", theme)))
                            .body().items().size() >= expected);
        }
    }
}
