package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Browser;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which the build
 * installs) against a real server on the machine's PostgreSQL. Screenshots land in {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Dashboard in headless Chromium")
class DashboardBrowserTest {

    private static final String THEME = "checkout_failures";

    private Vertx vertx;
    private ServicePostgres pg;
    private TestServer server;
    private Browser browser;
    private ChromeDriver driver;
    private String base;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        Assumptions.assumeTrue(Browser.installed(),
                "Chromium is not installed: apt-get install -y chromium chromium-driver (the build does it before the tests: src/test/sh/test-services.sh)");
        pg = ServicePostgres.createDatabase();
        vertx = Vertx.vertx();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        server = TestServer.start(vertx, settings);
        base = "http://127.0.0.1:" + server.server.httpPort();

        // Headless Chromium with CSP violations recorded before any page script runs (shared with ClusterPagesBrowserTest).
        browser = new Browser();
        driver = browser.driver;
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.stop();
        }
        if (vertx != null) {
            TestServer.await(vertx.close());
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** The Content-Security-Policy must not break the dashboard: nothing it loads or does may be blocked. */
    @org.junit.jupiter.api.AfterEach
    void nothingBlockedByContentSecurityPolicy() {
        assertThat(browser.cspViolations()).as("CSP violations").isEmpty();
    }

    @Test
    @Order(1)
    @DisplayName("sign in, create a custom theme with a filter, replay fixtures, and watch summaries stream in without reloading")
    void signInCreateThemeAndWatchLive() throws Exception {
        driver.get(base + "/");
        // A wrong key is refused with a message; the right one opens the themes list.
        find("#api-key").sendKeys("not-the-key");
        find("#signin-submit").click();
        waitFor(() -> text("[data-testid=signin-error]").contains("not accepted"), "wrong key refused");
        find("#api-key").clear();
        find("#api-key").sendKeys(TestServer.ADMIN_KEY);
        find("#signin-submit").click();
        waitFor(() -> count("[data-testid=themes-table] tbody tr") >= 6, "themes listed");
        assertThat(text("[data-testid=themes-table]")).contains("built-in");
        waitFor(() -> "live".equals(find("#live").getAttribute("data-state")), "WebSocket live");
        shot("01-themes");

        // Create a custom theme with a filter; the server's validation messages show next to the form.
        find("[data-testid=new-theme]").click();
        find("#theme-name").sendKeys("Checkout failures");
        find("#theme-id").sendKeys(THEME);
        find("#theme-description").sendKeys("Errors, failures, timeouts and rate limits in the assistant");
        // Fixture traces are from 2025: widen the window so preview, test and runs see them.
        find("#date-from").clear();
        find("#date-from").sendKeys("2024-01-01T00:00:00Z");
        find("[data-testid=add-theme-filter]").click();
        WebElement key = find("[data-testid=theme-filters] input.key");
        key.sendKeys("$ai_provider");
        choose("[data-testid=theme-filters] select.op", "is_set");
        waitFor(() -> count("[data-testid=preview-matching]") == 1, "live preview");
        find("#theme-prompt").clear();
        find("#theme-prompt").sendKeys("Summarise this trace.");
        find("#save-theme").click();
        waitFor(() -> text("[data-testid=form-errors]").contains("prompt"), "validation messages");
        choose("#prompt-template", "error_analysis");
        assertThat(find("#theme-prompt").getAttribute("value")).contains("{{trace_text}}");
        find("#save-theme").click();
        waitFor(() -> driver.getCurrentUrl().endsWith("#/themes/" + THEME + "/edit"), "theme created");
        JsonNode created = server.http.api("/api/projects/default/themes/" + THEME).json();
        assertThat(created.get("theme_filters").get(0).get("key").asText()).isEqualTo("$ai_provider");
        assertThat(created.get("theme_filters").get(0).get("operator").asText()).isEqualTo("is_set");
        shot("02-theme-form");

        // Open its results and mark the page: if anything reloaded it, the mark would be gone.
        driver.get(base + "/#/themes/" + THEME + "/summaries");
        waitFor(() -> THEME.equals(js("return document.body.dataset.resultsReady")), "results view");
        waitFor(() -> "live".equals(find("#live").getAttribute("data-state")), "WebSocket live");
        assertThat(count("[data-testid=summaries-empty]")).isEqualTo(1);
        js("window.__notReloaded = true");
        // A second tab watches a built-in theme's clusters (the custom theme's offline results are not relevant, so never cluster).
        String summariesTab = driver.getWindowHandle();
        driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        signedIn();
        driver.get(base + "/#/themes/error_analysis/clusters");
        waitFor(() -> "error_analysis".equals(js("return document.body.dataset.resultsReady")), "clusters view");
        waitFor(() -> "live".equals(find("#live").getAttribute("data-state")), "WebSocket live in the second tab");
        js("window.__notReloaded = true");
        String clustersTab = driver.getWindowHandle();
        driver.switchTo().window(summariesTab);

        for (Fixtures.Fixture f : Fixtures.all()) {
            server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
        }
        waitFor(() -> count("[data-testid=summaries] .summary") > 0, Duration.ofSeconds(90), "summaries appear live");
        assertThat(js("return window.__notReloaded")).isEqualTo(true);
        assertThat(text("[data-testid=streaming]")).startsWith("streaming");
        // Everything the server stored for the theme ends up on the page (first page of 50), still without a reload.
        waitFor(() -> {
            int stored = apiSize("/api/projects/default/summaries?theme=" + THEME + "&limit=1000");
            return stored > 0 && count("[data-testid=summaries] .summary") == Math.min(50, stored);
        }, Duration.ofSeconds(60), "every stored summary shown");
        assertThat(js("return window.__notReloaded")).isEqualTo(true);
        System.out.printf("Dashboard: %d summaries of %s arrived live%n", count("[data-testid=summaries] .summary"), THEME);
        shot("03-results-summaries");

        // Clusters: live when the clustering endpoint exists, an empty state otherwise.
        driver.switchTo().window(clustersTab);
        HttpApi.Response clusters = server.http.api("/api/projects/default/themes/error_analysis/clusters");
        if (clusters.status() == 200) {
            // Once the fixtures' summaries are embedded, ask for a re-clustering as a user would; the cards arrive over /ws.
            awaitQuietly(() -> apiSize("/api/projects/default/summaries?theme=error_analysis&relevant=true&limit=100") >= 5, Duration.ofSeconds(60));
            Thread.sleep(3_000);
            find("[data-testid=recluster]").click();
            boolean formed = awaitQuietly(() -> apiSize("/api/projects/default/themes/error_analysis/clusters") > 0, Duration.ofSeconds(60));
            if (formed) {
                waitFor(() -> count("[data-testid=cluster-cards] .card") > 0, Duration.ofSeconds(30), "cluster cards appear live");
                assertThat(js("return window.__notReloaded")).isEqualTo(true);
                int cards = count("[data-testid=cluster-cards] .card");
                System.out.printf("Dashboard: %d clusters of error_analysis appeared live%n", cards);
                shot("04-results-clusters");
                // A card is a link to the cluster's own page (ClusterPagesBrowserTest checks that page in depth).
                find("[data-testid=cluster-cards] .card").click();
                waitFor(() -> js("return document.body.dataset.clusterReady") != null && count("[data-testid=cluster-title]") == 1, "cluster page");
                driver.navigate().back();
                waitFor(() -> "error_analysis".equals(js("return document.body.dataset.resultsReady")), "clusters view again");
            } else {
                System.out.println("Dashboard: the clusters endpoint answered but formed no cluster of the fixtures in time");
            }
        } else {
            assertThat(count("[data-testid=clusters-empty]")).isEqualTo(1);
            System.out.println("Dashboard: no clusters endpoint on this server (" + clusters.status() + "); the empty state shows");
        }
        shot("04-results-clusters");
        find("button[data-tab=map]").click();
        shot("05-results-map");

        driver.close();
        driver.switchTo().window(summariesTab);

        // A trace from the summaries: text, span tree and every theme's result side by side.
        find("button[data-tab=summaries]").click();
        String traceId = find("[data-testid=summaries] .summary").getAttribute("data-trace");
        driver.get(base + "/#/traces/" + traceId);
        waitFor(() -> count("[data-testid=trace-text]") == 1 && count("[data-testid=trace-tree] li") > 0, "trace view");
        // Under the theme's name (not its id), with the trace's cluster in every theme next to it.
        waitFor(() -> count("[data-testid=trace-analyses] [data-theme=" + THEME + "]") == 1, "the theme's result next to the trace");
        assertThat(text("[data-testid=trace-analyses]")).contains("Checkout failures");
        assertThat(count("[data-testid=trace-clusters]")).isEqualTo(1);
        assertThat(text("[data-testid=trace-text]")).isNotBlank();
        shot("06-trace");

        // Test on sample traces, inline.
        driver.get(base + "/#/themes/" + THEME + "/edit");
        waitFor(() -> count("[data-testid=preview-matching]") == 1 && Integer.parseInt(text("[data-testid=preview-matching]").replace(",", "")) > 0,
                "preview counts the replayed traces");
        find("#test-theme").click();
        waitFor(() -> count("[data-testid=test-results] tbody tr") > 0, Duration.ofSeconds(60), "test results inline");
        shot("07-theme-test");

        // Runs: start one; its row appears and advances from run.progress.
        driver.get(base + "/#/runs");
        choose("[data-testid=run-theme]", THEME);
        find("[data-testid=start-run]").click();
        waitFor(() -> count("[data-testid=runs-table] tr[data-run]") > 0, "run listed");
        waitFor(() -> count("[data-testid=runs-table] tr[data-status=completed]") > 0, Duration.ofSeconds(60), "run completes live");
        shot("08-runs");
    }

    @Test
    @Order(2)
    @DisplayName("a trace whose user text holds <script> and <img onerror> renders as inert text everywhere")
    void hostileTraceIsInert() throws Exception {
        String traceId = "xss-" + System.nanoTime();
        String payload = "<script>window.__pwned=1;alert(1)</script><img src=x onerror=\"window.__pwned=2;alert(2)\"> please help, this is broken";
        String now = Instant.now().toString();
        ArrayNode events = HttpApi.JSON.createArrayNode();
        ObjectNode gen = events.addObject().put("event", "$ai_generation").put("distinct_id", "<img src=y onerror=alert(3)>").put("timestamp", now);
        ObjectNode p = gen.putObject("properties").put("$ai_trace_id", traceId).put("$ai_span_id", "g1").put("$ai_model", "gpt-4o-mini")
                .put("$ai_provider", "openai").put("$ai_span_name", "<img src=z onerror=\"window.__pwned=4\">")
                .put("$ai_is_error", true).put("$ai_error", "<script>window.__pwned=5</script> upstream failed").put("$ai_http_status", 500);
        p.putArray("$ai_input").addObject().put("role", "user").put("content", payload);
        p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", "<b onmouseover=alert(6)>Sorry</b>");
        events.addObject().put("event", "$ai_trace").put("distinct_id", "u").put("timestamp", now).putObject("properties")
                .put("$ai_trace_id", traceId).put("$ai_span_name", "<img src=w onerror=\"window.__pwned=7\">");
        server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, List.of(events.get(0), events.get(1))));
        server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&trace_id=" + traceId + "&limit=100",
                r -> r.json().path("results").size() > 0, Duration.ofSeconds(90));

        signedIn();
        driver.get(base + "/#/traces/" + traceId);
        waitFor(() -> count("[data-testid=trace-text]") == 1, "trace view");
        waitFor(() -> count("[data-testid=trace-analyses] [data-theme=error_analysis]") == 1, "analyses shown");
        assertThat(text("[data-testid=trace-text]")).contains("<script>window.__pwned=1;alert(1)</script>").contains("<img src=x onerror=");
        assertThat(text("h1")).contains("<img src=w onerror=");
        assertThat(text("[data-testid=trace-tree]")).contains("<img src=z onerror=");
        assertInert();
        shot("09-hostile-trace");

        driver.get(base + "/#/traces");
        waitFor(() -> text("[data-testid=traces-table]").contains(traceId), "traces list");
        assertInert();
        driver.get(base + "/#/themes/error_analysis/summaries");
        waitFor(() -> "error_analysis".equals(js("return document.body.dataset.resultsReady")), "results view");
        assertInert();
    }

    @Test
    @Order(3)
    @DisplayName("a theme with 50,000 summaries opens its results in a few seconds, paged")
    void fiftyThousandSummaries() throws Exception {
        assertThat(server.http.admin("POST", "/api/projects/default/themes",
                "{\"theme_id\": \"bulk\", \"name\": \"Bulk\", \"description\": \"load test\", \"theme_filters\": "
                        + "[{\"key\": \"$ai_model\", \"operator\": \"exact\", \"value\": \"no-such-model\", \"type\": \"event\"}]}").status())
                .isEqualTo(201);
        String db = pg.url().substring(pg.url().lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, provider, model,
                                          theme_relevant, title, summary, severity, input_tokens, output_tokens, cost_usd, latency_ms, completed_at)
                    SELECT 'default', 'bulk', 'bulk-' || g, 1, 1, 'done', 'offline', 'offline', g % 3 <> 0,
                           'Bulk finding ' || g, 'Summary number ' || g || ' of the load test', 'low', 100, 20, 0.0001, 5,
                           now() - g * interval '1 second'
                    FROM generate_series(1, 50000) g""");
        }
        assertThat(apiSize("/api/projects/default/summaries?theme=bulk&limit=1000")).isEqualTo(1000);
        // Every one of them is reachable by following next_cursor, each page as cheap as the first.
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = null;
        long walk = System.nanoTime();
        do {
            var page = server.http.api("/api/projects/default/summaries?theme=bulk&limit=1000"
                    + (cursor == null ? "" : "&before=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8))).json();
            page.get("results").forEach(r -> seen.add(r.get("properties").get("$ai_trace_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        System.out.printf("Paged through 50,000 summaries by cursor in %d ms%n", (System.nanoTime() - walk) / 1_000_000);
        assertThat(seen).hasSize(50_000);
        assertThat(server.http.api("/api/projects/default/summaries?theme=bulk&before=garbage").status()).isEqualTo(400);

        signedIn();
        driver.get(base + "/#/themes");
        waitFor(() -> count("[data-testid=themes-table] tbody tr") >= 7, "themes listed");
        driver.get("about:blank");
        long t0 = System.nanoTime(); // a cold load: document, modules, API calls and rendering
        driver.get(base + "/#/themes/bulk/summaries");
        waitFor(() -> "bulk".equals(js("return document.body.dataset.resultsReady")) && count("[data-testid=summaries] .summary") == 50,
                "results of 50,000 summaries");
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        Object inPage = js("return document.querySelector('main .view').dataset.loadedMs");
        waitFor(() -> text("[data-testid=page-info]").equals("1–50"), "first page");

        long t1 = System.nanoTime();
        find("[data-testid=next-page]").click();
        waitFor(() -> text("[data-testid=page-info]").equals("51–100"), "second page");
        long pageMs = (System.nanoTime() - t1) / 1_000_000;
        long t2 = System.nanoTime();
        driver.get(base + "/#/themes");
        waitFor(() -> text("[data-testid=themes-table]").contains("50,000"), "themes list counts 50,000 analysed");
        long listMs = (System.nanoTime() - t2) / 1_000_000;
        System.out.printf("Dashboard with 50,000 summaries in a theme: results view %d ms (page load included; view itself %s ms), "
                + "next page %d ms, themes list %d ms%n", loadMs, inPage, pageMs, listMs);
        shot("10-themes-50k");
        driver.get(base + "/#/themes/bulk/summaries");
        waitFor(() -> count("[data-testid=summaries] .summary") == 50, "results");
        shot("11-results-50k");
        assertThat(loadMs).as("results view load time with 50,000 summaries").isLessThan(3_000);
        assertThat(pageMs).isLessThan(2_000);
        assertThat(listMs).isLessThan(3_000);
    }

    // ---------------------------------------------------------------- helpers

    private void assertInert() {
        assertThat(js("return window.__pwned === undefined")).as("no injected script ran").isEqualTo(true);
        assertThat(count("main img")).as("no injected image element").isZero();
        assertThat(count("main script, main b[onmouseover], main [onerror]")).as("no injected element").isZero();
        try {
            driver.switchTo().alert();
            throw new AssertionError("an alert opened");
        } catch (NoAlertPresentException expected) {
            // inert
        }
    }

    /** Signs in through sessionStorage, as the sign-in form leaves it (the form itself is tested first). */
    private void signedIn() {
        driver.get(base + "/");
        js("sessionStorage.setItem('prism.key', '" + TestServer.ADMIN_KEY + "')");
    }

    /** Picks an option as a user would: sets the value and fires the change event the view listens to. */
    private void choose(String css, String value) {
        ((JavascriptExecutor) driver).executeScript(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", find(css), value);
    }

    private WebElement find(String css) {
        return browser.find(css);
    }

    private int count(String css) {
        return browser.count(css);
    }

    private String text(String css) {
        return browser.text(css);
    }

    private Object js(String script) {
        return browser.js(script);
    }

    private int apiSize(String path) {
        try {
            return server.http.api(path).json().path("results").size();
        } catch (Exception e) {
            return -1;
        }
    }

    private void waitFor(Supplier<Boolean> condition, String what) {
        browser.waitFor(condition, what);
    }

    private void waitFor(Supplier<Boolean> condition, Duration timeout, String what) {
        browser.waitFor(condition, timeout, what);
    }

    private static boolean awaitQuietly(Supplier<Boolean> condition, Duration timeout) {
        return Browser.awaitQuietly(condition, timeout);
    }

    private void shot(String name) {
        browser.shot(name);
    }
}
