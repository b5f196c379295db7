package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Browser;
import dev.prism.support.DashboardServer;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

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

    private DashboardServer d;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        d = DashboardServer.start(dataDir, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (d != null) {
            d.close();
        }
    }

    /** The Content-Security-Policy must not break the dashboard: nothing it loads or does may be blocked. */
    @org.junit.jupiter.api.AfterEach
    void nothingBlockedByContentSecurityPolicy() {
        d.nothingBlockedAndFullWidth();
    }

    @Test
    @Order(1)
    @DisplayName("sign in, create a custom theme with a filter, replay fixtures, and watch summaries stream in without reloading")
    void signInCreateThemeAndWatchLive() throws Exception {
        d.b.driver.get(d.base + "/");
        // A wrong key is refused with a message; the right one opens the themes list.
        d.b.find("#api-key").sendKeys("not-the-key");
        d.b.find("#signin-submit").click();
        d.b.waitFor(() -> d.b.text("[data-testid=signin-error]").contains("not accepted"), "wrong key refused");
        d.b.find("#api-key").clear();
        d.b.find("#api-key").sendKeys(TestServer.ADMIN_KEY);
        d.b.find("#signin-submit").click();
        d.b.waitFor(() -> d.b.count("[data-testid=themes-table] tbody tr") >= 6, "themes listed");
        assertThat(d.b.text("[data-testid=themes-table]")).contains("built-in");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "WebSocket live");
        d.b.shot("01-themes");

        // Create a custom theme with a filter; the server's validation messages show next to the form.
        d.b.find("[data-testid=new-theme]").click();
        d.b.find("#theme-name").sendKeys("Checkout failures");
        d.b.find("#theme-id").sendKeys(THEME);
        d.b.find("#theme-description").sendKeys("Errors, failures, timeouts and rate limits in the assistant");
        // Fixture traces are from 2025: widen the window so preview, test and runs see them.
        d.b.find("#date-from").clear();
        d.b.find("#date-from").sendKeys("2024-01-01T00:00:00Z");
        d.b.find("[data-testid=add-theme-filter]").click();
        WebElement key = d.b.find("[data-testid=theme-filters] input.key");
        key.sendKeys("$ai_provider");
        d.choose("[data-testid=theme-filters] select.op", "is_set");
        d.b.waitFor(() -> d.b.count("[data-testid=preview-matching]") == 1, "live preview");
        d.b.find("#theme-prompt").clear();
        d.b.find("#theme-prompt").sendKeys("Summarise this trace.");
        d.b.find("#save-theme").click();
        d.b.waitFor(() -> d.b.text("[data-testid=form-errors]").contains("prompt"), "validation messages");
        d.choose("#prompt-template", "error_analysis");
        assertThat(d.b.find("#theme-prompt").getAttribute("value")).contains("{{trace_text}}");
        d.b.find("#save-theme").click();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().endsWith("#/themes/" + THEME + "/edit"), "theme created");
        JsonNode created = d.server.http.api("/api/projects/default/themes/" + THEME).json();
        assertThat(created.get("theme_filters").get(0).get("key").asText()).isEqualTo("$ai_provider");
        assertThat(created.get("theme_filters").get(0).get("operator").asText()).isEqualTo("is_set");
        d.b.shot("02-theme-form");

        // Open its results and mark the page: if anything reloaded it, the mark would be gone.
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/summaries");
        d.b.waitFor(() -> THEME.equals(d.b.js("return document.body.dataset.resultsReady")), "results view");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "WebSocket live");
        assertThat(d.b.count("[data-testid=summaries-empty]")).isEqualTo(1);
        d.b.js("window.__notReloaded = true");
        // A second tab watches a built-in theme's clusters (the custom theme's offline results are not relevant, so never cluster).
        String summariesTab = d.b.driver.getWindowHandle();
        d.b.driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/error_analysis/clusters");
        d.b.waitFor(() -> "error_analysis".equals(d.b.js("return document.body.dataset.resultsReady")), "clusters view");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "WebSocket live in the second tab");
        d.b.js("window.__notReloaded = true");
        String clustersTab = d.b.driver.getWindowHandle();
        d.b.driver.switchTo().window(summariesTab);

        for (Fixtures.Fixture f : Fixtures.all()) {
            d.server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
        }
        d.b.waitFor(() -> d.b.count("[data-testid=summaries] .summary") > 0, Duration.ofSeconds(90), "summaries appear live");
        assertThat(d.b.js("return window.__notReloaded")).isEqualTo(true);
        assertThat(d.b.text("[data-testid=streaming]")).startsWith("streaming");
        // Everything the server stored for the theme ends up on the page (first page of 50), still without a reload.
        d.b.waitFor(() -> {
            int stored = apiSize("/api/projects/default/summaries?theme=" + THEME + "&limit=1000");
            return stored > 0 && d.b.count("[data-testid=summaries] .summary") == Math.min(50, stored);
        }, Duration.ofSeconds(60), "every stored summary shown");
        assertThat(d.b.js("return window.__notReloaded")).isEqualTo(true);
        System.out.printf("Dashboard: %d summaries of %s arrived live%n", d.b.count("[data-testid=summaries] .summary"), THEME);
        d.b.shot("03-results-summaries");

        // Clusters: live when the clustering endpoint exists, an empty state otherwise.
        d.b.driver.switchTo().window(clustersTab);
        HttpApi.Response clusters = d.server.http.api("/api/projects/default/themes/error_analysis/clusters");
        if (clusters.status() == 200) {
            // Once the fixtures' summaries are embedded, ask for a re-clustering as a user would; the cards arrive over /ws.
            Browser.awaitQuietly(() -> apiSize("/api/projects/default/summaries?theme=error_analysis&relevant=true&limit=100") >= 5, Duration.ofSeconds(60));
            Thread.sleep(3_000);
            d.b.find("[data-testid=recluster]").click();
            boolean formed = Browser.awaitQuietly(() -> apiSize("/api/projects/default/themes/error_analysis/clusters") > 0, Duration.ofSeconds(60));
            if (formed) {
                d.b.waitFor(() -> d.b.count("[data-testid=cluster-cards] .card") > 0, Duration.ofSeconds(30), "cluster cards appear live");
                assertThat(d.b.js("return window.__notReloaded")).isEqualTo(true);
                int cards = d.b.count("[data-testid=cluster-cards] .card");
                System.out.printf("Dashboard: %d clusters of error_analysis appeared live%n", cards);
                d.b.shot("04-results-clusters");
                // A card is a link to the cluster's own page (ClusterPagesBrowserTest checks that page in depth).
                d.b.find("[data-testid=cluster-cards] .card").click();
                d.b.waitFor(() -> d.b.js("return document.body.dataset.clusterReady") != null && d.b.count("[data-testid=cluster-title]") == 1, "cluster page");
                d.b.driver.navigate().back();
                d.b.waitFor(() -> "error_analysis".equals(d.b.js("return document.body.dataset.resultsReady")), "clusters view again");
            } else {
                System.out.println("Dashboard: the clusters endpoint answered but formed no cluster of the fixtures in time");
            }
        } else {
            assertThat(d.b.count("[data-testid=clusters-empty]")).isEqualTo(1);
            System.out.println("Dashboard: no clusters endpoint on this server (" + clusters.status() + "); the empty state shows");
        }
        d.b.shot("04-results-clusters");
        d.b.find("button[data-tab=map]").click();
        d.b.shot("05-results-map");

        d.b.driver.close();
        d.b.driver.switchTo().window(summariesTab);

        // A trace from the summaries: text, span tree and every theme's result side by side.
        d.b.find("button[data-tab=summaries]").click();
        String traceId = d.b.find("[data-testid=summaries] .summary").getAttribute("data-trace");
        d.b.driver.get(d.base + "/#/traces/" + traceId);
        d.b.waitFor(() -> d.b.count("[data-testid=trace-text]") == 1 && d.b.count("[data-testid=trace-tree] li") > 0, "trace view");
        // Under the theme's name (not its id), with the trace's cluster in every theme next to it.
        d.b.waitFor(() -> d.b.count("[data-testid=trace-analyses] [data-theme=" + THEME + "]") == 1, "the theme's result next to the trace");
        assertThat(d.b.text("[data-testid=trace-analyses]")).contains("Checkout failures");
        assertThat(d.b.count("[data-testid=trace-clusters]")).isEqualTo(1);
        assertThat(d.b.text("[data-testid=trace-text]")).isNotBlank();
        d.b.shot("06-trace");

        // Test on sample traces, inline.
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/edit");
        d.b.waitFor(() -> d.b.count("[data-testid=preview-matching]") == 1 && Integer.parseInt(d.b.text("[data-testid=preview-matching]").replace(",", "")) > 0,
                "preview counts the replayed traces");
        d.b.find("#test-theme").click();
        d.b.waitFor(() -> d.b.count("[data-testid=test-results] tbody tr") > 0, Duration.ofSeconds(60), "test results inline");
        d.b.shot("07-theme-test");

        // Runs: start one; its row appears and advances from run.progress.
        d.b.driver.get(d.base + "/#/runs");
        d.choose("[data-testid=run-theme]", THEME);
        d.b.find("[data-testid=start-run]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=runs-table] tr[data-run]") > 0, "run listed");
        d.b.waitFor(() -> d.b.count("[data-testid=runs-table] tr[data-status=completed]") > 0, Duration.ofSeconds(60), "run completes live");
        d.b.shot("08-runs");
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
        d.server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, List.of(events.get(0), events.get(1))));
        d.server.http.awaitApi("/api/projects/default/summaries?theme=error_analysis&trace_id=" + traceId + "&limit=100",
                r -> r.json().path("results").size() > 0, Duration.ofSeconds(90));

        d.signedIn();
        d.b.driver.get(d.base + "/#/traces/" + traceId);
        d.b.waitFor(() -> d.b.count("[data-testid=trace-text]") == 1, "trace view");
        d.b.waitFor(() -> d.b.count("[data-testid=trace-analyses] [data-theme=error_analysis]") == 1, "analyses shown");
        assertThat(d.b.text("[data-testid=trace-text]")).contains("<script>window.__pwned=1;alert(1)</script>").contains("<img src=x onerror=");
        assertThat(d.b.text("h1")).contains("<img src=w onerror=");
        assertThat(d.b.text("[data-testid=trace-tree]")).contains("<img src=z onerror=");
        assertInert();
        d.b.shot("09-hostile-trace");

        d.b.driver.get(d.base + "/#/traces");
        d.b.waitFor(() -> d.b.text("[data-testid=traces-table]").contains(traceId), "traces list");
        assertInert();
        d.b.driver.get(d.base + "/#/themes/error_analysis/summaries");
        d.b.waitFor(() -> "error_analysis".equals(d.b.js("return document.body.dataset.resultsReady")), "results view");
        assertInert();
    }

    @Test
    @Order(3)
    @DisplayName("a theme with 50,000 summaries opens its results in a few seconds, paged")
    void fiftyThousandSummaries() throws Exception {
        assertThat(d.server.http.admin("POST", "/api/projects/default/themes",
                "{\"theme_id\": \"bulk\", \"name\": \"Bulk\", \"description\": \"load test\", \"theme_filters\": "
                        + "[{\"key\": \"$ai_model\", \"operator\": \"exact\", \"value\": \"no-such-model\", \"type\": \"event\"}]}").status())
                .isEqualTo(201);
        d.pg.execute("""
                INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, provider, model,
                                      theme_relevant, title, summary, severity, input_tokens, output_tokens, cost_usd, latency_ms, completed_at)
                SELECT 'default', 'bulk', 'bulk-' || g, 1, 1, 'done', 'offline', 'offline', g % 3 <> 0,
                       'Bulk finding ' || g, 'Summary number ' || g || ' of the load test', 'low', 100, 20, 0.0001, 5,
                       now() - g * interval '1 second'
                FROM generate_series(1, 50000) g""");
        assertThat(apiSize("/api/projects/default/summaries?theme=bulk&limit=1000")).isEqualTo(1000);
        // Every one of them is reachable by following next_cursor, each page as cheap as the first.
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = null;
        long walk = System.nanoTime();
        do {
            var page = d.server.http.api("/api/projects/default/summaries?theme=bulk&limit=1000"
                    + (cursor == null ? "" : "&before=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8))).json();
            page.get("results").forEach(r -> seen.add(r.get("properties").get("$ai_trace_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        System.out.printf("Paged through 50,000 summaries by cursor in %d ms%n", (System.nanoTime() - walk) / 1_000_000);
        assertThat(seen).hasSize(50_000);
        assertThat(d.server.http.api("/api/projects/default/summaries?theme=bulk&before=garbage").status()).isEqualTo(400);

        d.signedIn();
        d.b.driver.get(d.base + "/#/themes");
        d.b.waitFor(() -> d.b.count("[data-testid=themes-table] tbody tr") >= 7, "themes listed");
        d.b.driver.get("about:blank");
        long t0 = System.nanoTime(); // a cold load: document, modules, API calls and rendering
        d.b.driver.get(d.base + "/#/themes/bulk/summaries");
        d.b.waitFor(() -> "bulk".equals(d.b.js("return document.body.dataset.resultsReady")) && d.b.count("[data-testid=summaries] .summary") == 50,
                "results of 50,000 summaries");
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        Object inPage = d.b.js("return document.querySelector('main .view').dataset.loadedMs");
        d.b.waitFor(() -> d.b.text("[data-testid=page-info]").equals("1–50"), "first page");

        long t1 = System.nanoTime();
        d.b.find("[data-testid=next-page]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=page-info]").equals("51–100"), "second page");
        long pageMs = (System.nanoTime() - t1) / 1_000_000;
        long t2 = System.nanoTime();
        d.b.driver.get(d.base + "/#/themes");
        d.b.waitFor(() -> d.b.text("[data-testid=themes-table]").contains("50,000"), "themes list counts 50,000 analysed");
        long listMs = (System.nanoTime() - t2) / 1_000_000;
        System.out.printf("Dashboard with 50,000 summaries in a theme: results view %d ms (page load included; view itself %s ms), "
                + "next page %d ms, themes list %d ms%n", loadMs, inPage, pageMs, listMs);
        d.b.shot("10-themes-50k");
        d.b.driver.get(d.base + "/#/themes/bulk/summaries");
        d.b.waitFor(() -> d.b.count("[data-testid=summaries] .summary") == 50, "results");
        d.b.shot("11-results-50k");
        assertThat(loadMs).as("results view load time with 50,000 summaries").isLessThan(3_000);
        assertThat(pageMs).isLessThan(2_000);
        assertThat(listMs).isLessThan(3_000);
    }

    // ---------------------------------------------------------------- helpers

    private void assertInert() {
        assertThat(d.b.js("return window.__pwned === undefined")).as("no injected script ran").isEqualTo(true);
        assertThat(d.b.count("main img")).as("no injected image element").isZero();
        assertThat(d.b.count("main script, main b[onmouseover], main [onerror]")).as("no injected element").isZero();
        try {
            d.b.driver.switchTo().alert();
            throw new AssertionError("an alert opened");
        } catch (NoAlertPresentException expected) {
            // inert
        }
    }

    private int apiSize(String path) {
        try {
            return d.server.http.api(path).json().path("results").size();
        } catch (Exception e) {
            return -1;
        }
    }
}
