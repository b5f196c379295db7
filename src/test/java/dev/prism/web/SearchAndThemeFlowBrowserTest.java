package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.DashboardServer;
import dev.prism.support.HttpApi;
import dev.prism.support.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search, trace filters, honest numbers and the theme flow in headless Chromium against a real server (offline
 * analyzer and embedder). One server and one browser for the class. Three traces are ingested for real: a rate-limited
 * one, a slow and costly gateway timeout, and one without errors; the built-in error theme analyses them by streaming.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Search, filters and the theme flow in headless Chromium")
class SearchAndThemeFlowBrowserTest {

    private static final String RATE = "sf-rate-limited";
    private static final String GATEWAY = "sf-gateway-timeout";
    private static final String FINE = "sf-all-fine";
    private static final String ERRORS = "error_analysis";

    private DashboardServer d;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        d = DashboardServer.start(dataDir, Map.of());
        ingest(RATE, "alice", "gpt-4o-mini", 0.002, 1.5, "Rate limit exceeded: 429 Too Many Requests from the provider", 429,
                "Summarise my meeting notes");
        ingest(GATEWAY, "bob", "gpt-4.1-mini", 0.75, 42.0, "Payment gateway timed out after 30 s", 504, "Pay my invoice");
        ingest(FINE, "carol", "gpt-4o-mini", 0.01, 2.0, null, 0, "What is the capital of France?");
        // The error theme analyses both failed traces by streaming, and embeds them for search.
        d.server.http.awaitApi("/api/projects/default/search?q=rate%20limit&theme=" + ERRORS + "&k=10",
                r -> r.status() == 200 && r.json().get("results").size() >= 2, Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws Exception {
        if (d != null) {
            d.close();
        }
    }

    @AfterEach
    void nothingBlockedByContentSecurityPolicy() {
        if (d != null) {
            d.nothingBlockedAndFullWidth();
        }
    }

    @Test
    @Order(1)
    @DisplayName("the traces API filters by errors, model, user, minimum cost and latency, and refuses a negative bound")
    void traceFilters() throws Exception {
        assertThat(ids("errors=true")).containsExactlyInAnyOrder(RATE, GATEWAY);
        assertThat(ids("errors=false")).containsExactly(FINE);
        assertThat(ids("model=gpt-4.1-mini")).containsExactly(GATEWAY);
        assertThat(ids("user=alice")).containsExactly(RATE);
        assertThat(ids("min_cost=0.5")).containsExactly(GATEWAY);
        assertThat(ids("min_latency=10&errors=true")).containsExactly(GATEWAY);
        assertThat(ids("model=gpt-4o-mini&errors=false&user=carol")).containsExactly(FINE);
        assertThat(ids("model=")).hasSize(3);
        assertThat(d.server.http.api("/api/projects/default/traces?min_cost=-1").status()).isEqualTo(400);
        assertThat(d.server.http.api("/api/projects/default/traces?min_latency=abc").status()).isEqualTo(400);
    }

    @Test
    @Order(2)
    @DisplayName("search for a phrase and land on the right summary; a trace id opens the trace")
    void searchForAPhrase() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes");
        d.b.waitFor(() -> d.b.count("[data-testid=themes-table] tbody tr") >= 6, "themes listed");
        WebElement box = d.b.find("#search");
        box.sendKeys("too many requests, rate limited", Keys.ENTER);
        d.b.waitFor(() -> d.b.count("[data-testid=search-hit]") >= 1, "search results");
        assertThat(d.b.driver.getCurrentUrl()).contains("#/search?q=too+many+requests");
        WebElement first = d.b.find("[data-testid=search-results] li");
        assertThat(first.getAttribute("data-trace")).as("best hit").isEqualTo(RATE);
        // Each hit names its theme (several themes may have summarised the trace: the error theme is among them).
        String theme = first.getAttribute("data-theme");
        String themeName = d.server.http.api("/api/projects/default/themes/" + theme).json().get("name").asText();
        assertThat(first.getText()).contains(themeName).contains(RATE).containsIgnoringCase("rate limit");
        assertThat(d.b.count("[data-testid=search-results] li[data-trace=" + RATE + "][data-theme=" + ERRORS + "]")).isEqualTo(1);
        d.b.shot("30-search-results");
        first.findElement(org.openqa.selenium.By.cssSelector("[data-testid=search-hit]")).click();
        d.b.waitFor(() -> d.b.count("[data-testid=target-summary]") == 1, "the summary the search found");
        assertThat(d.b.driver.getCurrentUrl()).endsWith("#/traces/" + RATE + "?theme=" + theme);
        assertThat(d.b.find("[data-testid=target-summary]").getAttribute("data-theme")).isEqualTo(theme);
        assertThat(d.b.find("[data-testid=target-summary]").getText()).contains(themeName).containsIgnoringCase("rate limit");
        d.b.shot("31-search-landed");

        // The theme filter is in the URL: a shared link shows the same results.
        d.b.driver.get(d.base + "/#/search?q=gateway%20timeout&theme=" + ERRORS);
        d.b.waitFor(() -> d.b.count("[data-testid=search-hit]") >= 1, "search by URL");
        List<String> expected = new ArrayList<>();
        d.server.http.api("/api/projects/default/search?k=20&q=gateway%20timeout&theme=" + ERRORS).json().get("results")
                .forEach(x -> expected.add(x.get("trace_id").asText()));
        assertThat(d.b.js("return [...document.querySelectorAll('[data-testid=search-results] li')].map(li => li.dataset.trace)"))
                .isEqualTo(expected);
        assertThat(expected).contains(GATEWAY);
        assertThat(d.b.js("return [...document.querySelectorAll('[data-testid=search-results] li')].every(li => li.dataset.theme === arguments[0])", ERRORS))
                .isEqualTo(true);
        assertThat(d.b.find("#search").getAttribute("value")).isEqualTo("gateway timeout");
        assertThat(d.b.find("#search-theme").getAttribute("value")).isEqualTo(ERRORS);

        // A trace id goes straight to the trace.
        box = d.b.find("#search");
        box.clear();
        box.sendKeys(FINE, Keys.ENTER);
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().endsWith("#/traces/" + FINE) && d.b.count("[data-testid=trace-tree] li") > 0, "trace by id");
    }

    @Test
    @Order(3)
    @DisplayName("trace filters and sort are in the URL: a shared link shows the same view")
    void traceListFilters() {
        d.signedIn();
        d.b.driver.get(d.base + "/#/traces");
        d.b.waitFor(() -> d.b.count("[data-testid=traces-table] tbody tr") == 3, "all traces");
        d.choose("#f-errors", "true");
        d.choose("#f-sort", "cost");
        d.b.find("[data-testid=apply-filters]").click();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().contains("errors=true") && d.b.count("[data-testid=traces-table] tbody tr") == 2, "filtered");
        assertThat(d.b.driver.getCurrentUrl()).contains("sort=cost");
        assertThat(rowIds()).containsExactly(GATEWAY, RATE);
        String shared = d.b.driver.getCurrentUrl();
        d.b.driver.get(d.base + "/#/themes");
        d.b.driver.get(shared);
        d.b.waitFor(() -> d.b.count("[data-testid=traces-table] tbody tr") == 2, "shared view");
        assertThat(rowIds()).containsExactly(GATEWAY, RATE);
        assertThat(d.b.find("#f-errors").getAttribute("value")).isEqualTo("true");
        d.b.driver.get(d.base + "/#/traces?user=carol");
        d.b.waitFor(() -> rowIds().equals(List.of(FINE)), "filtered by user");
        d.b.shot("32-traces-filtered");
    }

    @Test
    @Order(4)
    @DisplayName("summaries filter by relevance and severity (server-side), both in the URL")
    void summaryFilters() throws Exception {
        JsonNode high = d.server.http.api("/api/projects/default/summaries?theme=" + ERRORS + "&severity=high").json().get("results");
        assertThat(high.size()).isPositive();
        high.forEach(x -> assertThat(x.path("properties").path("$ai_summary_severity").asText()).isEqualTo("high"));
        int low = d.server.http.api("/api/projects/default/summaries?theme=" + ERRORS + "&severity=low").json().get("results").size();
        assertThat(d.server.http.api("/api/projects/default/summaries?severity=urgent").status()).isEqualTo(400);
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + ERRORS + "/summaries?relevant=true&severity=high");
        d.b.waitFor(() -> ERRORS.equals(d.b.js("return document.body.dataset.resultsReady")), "results");
        d.b.waitFor(() -> d.b.count("[data-testid=summaries] .summary") == high.size(), "high-severity summaries");
        assertThat(d.b.count("[data-testid=summaries] .summary .badge.high")).isEqualTo(high.size());
        assertThat(d.b.find("[data-testid=relevant-only]").isSelected()).isTrue();
        assertThat(d.b.find("[data-testid=severity]").getAttribute("value")).isEqualTo("high");
        d.choose("[data-testid=severity]", "low");
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().contains("severity=low"), "severity in the URL");
        d.b.waitFor(() -> d.b.count("[data-testid=summaries] .summary") == low, "low-severity summaries");
        assertThat(d.b.driver.getCurrentUrl()).contains("relevant=true");
    }

    @Test
    @Order(5)
    @DisplayName("runs count what streaming already analysed; the live badge counts summaries only")
    void honestNumbers() throws Exception {
        // Both failed traces were analysed by streaming: a run over them queues nothing and is complete at once.
        HttpApi.Response started = d.server.http.admin("POST", "/api/projects/default/themes/" + ERRORS + "/runs", "{\"date_from\": \"-7d\"}");
        assertThat(started.status()).isEqualTo(202);
        long run = started.json().get("id").asLong();
        JsonNode done = d.server.http.awaitApi("/api/projects/default/runs/" + run, r -> "completed".equals(r.json().path("status").asText()),
                Duration.ofSeconds(30)).json();
        assertThat(done.get("already_analysed").asLong()).isGreaterThanOrEqualTo(2);
        long sampled = done.get("sampled").asLong();
        d.signedIn();
        d.b.driver.get(d.base + "/#/runs");
        d.b.waitFor(() -> d.b.count("[data-testid=runs-table] tr[data-run='" + run + "']") == 1, "the run listed");
        String row = d.b.text("[data-testid=runs-table] tr[data-run='" + run + "']");
        assertThat(row).contains(sampled + " / " + sampled).contains("by streaming").doesNotContain("0 / " + sampled);
        assertThat(d.b.js("return document.querySelector(\"tr[data-run='" + run + "'] .progress > div\").style.width")).isEqualTo("100%");
        d.b.shot("33-runs-honest");

        // The results view's live badge counts summaries that arrived, not cluster updates.
        d.b.driver.get(d.base + "/#/themes/" + ERRORS + "/summaries");
        d.b.waitFor(() -> ERRORS.equals(d.b.js("return document.body.dataset.resultsReady")), "results");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "WebSocket live");
        ingest("sf-late-failure", "dave", "gpt-4o-mini", 0.003, 1.0, "Tool call failed: calendar API returned 500", 500, "Book a meeting");
        d.b.waitFor(() -> d.b.text("[data-testid=streaming]").contains("1 new summary"), "badge counts the new summary");
        assertThat(d.b.count("[data-testid=summaries] .summary[data-trace=sf-late-failure]")).isEqualTo(1);
    }

    @Test
    @Order(6)
    @DisplayName("create, preview (priced with the configured model) and save a theme; validation next to each field")
    void createPreviewAndSaveATheme() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/new");
        d.b.waitFor(() -> d.b.count("#theme-name") == 1, "theme form");
        // Nothing typed yet: no preview request.
        assertThat(d.b.text("[data-testid=preview]")).contains("once you start");
        assertThat(previewRequests()).isZero();
        d.b.find("#theme-name").sendKeys("Timeouts");
        d.b.waitFor(() -> d.b.count("[data-testid=preview-matching]") == 1, "preview after typing");
        assertThat(previewRequests()).isPositive();
        // The test server analyses with the offline analyzer: the preview says it is free.
        assertThat(d.b.text("[data-testid=preview-cost]")).containsIgnoringCase("free").contains("offline");

        // With a paid model configured for the project, the preview is priced with it.
        assertThat(d.server.http.admin("PUT", "/api/projects/default/llm", "{\"provider\": \"openai\", \"model\": \"gpt-4.1-mini\"}").status())
                .isEqualTo(200);
        try {
            d.b.driver.navigate().refresh();
            d.b.waitFor(() -> d.b.count("#theme-name") == 1, "theme form again");
            d.b.find("#theme-name").sendKeys("Timeouts");
            d.b.find("#date-from").clear();
            d.b.find("#date-from").sendKeys("-30d");
            d.b.waitFor(() -> d.b.text("[data-testid=preview-cost]").contains("gpt-4.1-mini"), "priced with the configured model");
            assertThat(d.b.text("[data-testid=preview-cost]")).contains("$").doesNotContain("gpt-4o-mini").doesNotContainIgnoringCase("free");
            d.b.shot("34-theme-preview-priced");

            // Validation next to each field: a name is required (checked here), the prompt needs {{trace_text}} (the server).
            d.b.find("#theme-name").clear();
            d.b.find("#save-theme").click();
            d.b.waitFor(() -> d.b.text("#theme-name-error").contains("required"), "name error next to the name");
            assertThat(d.b.find("#theme-name").getAttribute("aria-invalid")).isEqualTo("true");
            d.b.find("#theme-name").sendKeys("Timeouts");
            d.b.find("#theme-prompt").clear();
            d.b.find("#theme-prompt").sendKeys("Summarise this trace.");
            d.b.find("#save-theme").click();
            d.b.waitFor(() -> d.b.text("#theme-prompt-error").contains("trace_text"), "prompt error next to the prompt");
            assertThat(d.b.text("#theme-name-error")).isEmpty();
            d.choose("#prompt-template", ERRORS);
            d.b.find("#save-theme").click();
            d.b.waitFor(() -> d.b.count("[data-testid=created]") == 1, "creation confirmed");
            assertThat(d.b.text("[data-testid=created]")).contains("Timeouts").contains("created");
            d.b.shot("35-theme-created");
            JsonNode theme = d.server.http.api("/api/projects/default/themes/timeouts").json();
            assertThat(theme.get("name").asText()).isEqualTo("Timeouts");
            d.b.find("[data-testid=analyse-7d]").click();
            d.b.waitFor(() -> d.b.text("[data-testid=created]").contains("Run #"), "run started");
            assertThat(d.server.http.api("/api/projects/default/runs?theme=timeouts").json().get("results").size()).isEqualTo(1);
        } finally {
            d.server.http.admin("PUT", "/api/projects/default/llm", "{\"provider\": null, \"model\": null}");
        }
    }

    @Test
    @Order(7)
    @DisplayName("\"Clone to edit\" asks for a name and creates the copy disabled")
    void cloneAsksForANameAndStartsDisabled() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + ERRORS + "/edit");
        d.b.waitFor(() -> d.b.count("[data-testid=clone]") == 1, "built-in theme");
        d.b.find("[data-testid=clone]").click();
        d.b.waitFor(() -> d.b.count("#clone-name") == 1, "asks for a name");
        assertThat(d.server.http.api("/api/projects/default/themes").json().get("results").size()).as("nothing created yet").isEqualTo(7);
        d.b.find("#clone-name").clear();
        d.b.find("#clone-name").sendKeys("My error theme");
        d.b.find("[data-testid=clone-create]").click();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().endsWith("#/themes/my_error_theme/edit") && d.b.count("#theme-name") == 1, "the copy opened");
        JsonNode copy = d.server.http.api("/api/projects/default/themes/my_error_theme").json();
        assertThat(copy.get("name").asText()).isEqualTo("My error theme");
        assertThat(copy.get("enabled").asBoolean()).isFalse();
        assertThat(d.b.text("[data-testid=saved]") + d.b.text("body")).contains("disabled");
    }

    @Test
    @Order(8)
    @DisplayName("axe-core finds no serious or critical violation, nothing scrolls sideways at 390 px: themes, theme forms, runs, traces, search, filtered summaries")
    void accessibility() {
        d.signedIn();
        Map<String, String> views = new java.util.LinkedHashMap<>();
        views.put("themes", "#/themes");
        views.put("theme-new", "#/themes/new");
        views.put("theme-edit", "#/themes/timeouts/edit");
        views.put("theme-builtin", "#/themes/" + ERRORS + "/edit");
        views.put("runs", "#/runs");
        views.put("traces", "#/traces?errors=true&sort=cost");
        views.put("search", "#/search?q=rate%20limit");
        views.put("summaries-filtered", "#/themes/" + ERRORS + "/summaries?relevant=true&severity=high");
        List<String> problems = new ArrayList<>();
        for (int width : new int[]{1440, 390}) {
            d.b.width(width);
            for (var v : views.entrySet()) {
                d.b.driver.get(d.base + "/" + v.getValue());
                d.b.waitFor(() -> ready(v.getKey()), v.getKey() + " at " + width);
                for (String violation : d.b.axe()) {
                    problems.add(v.getKey() + " @" + width + ": " + violation);
                }
                if (width == 390) {
                    long overflow = d.b.horizontalOverflow();
                    if (overflow > 0) {
                        problems.add(v.getKey() + " @390: scrolls sideways by " + overflow + " px");
                    }
                }
                d.b.shot("a11y-" + v.getKey() + "-" + width);
            }
        }
        System.out.printf("axe-core on %d more views at 1440 and 390 px: %d serious or critical problems%n", views.size(), problems.size());
        assertThat(problems).as("accessibility problems").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private boolean ready(String view) {
        return switch (view) {
            case "themes" -> d.b.count("[data-testid=themes-table] tbody tr") >= 7;
            case "theme-new", "theme-edit", "theme-builtin" -> d.b.count("#theme-name") == 1 && d.b.count("#theme-prompt") == 1;
            case "runs" -> d.b.count("[data-testid=runs-table] tbody tr[data-run]") >= 1;
            case "traces" -> d.b.count("[data-testid=traces-table] tbody tr") >= 2;
            case "summaries-filtered" -> ERRORS.equals(d.b.js("return document.body.dataset.resultsReady"))
                    && d.b.count("[data-testid=summaries] .summary") > 0;
            default -> d.b.count("[data-testid=search-hit]") >= 1;
        };
    }

    private long previewRequests() {
        return ((Number) d.b.js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/themes/preview')).length")).longValue();
    }

    @SuppressWarnings("unchecked")
    private List<String> rowIds() {
        return (List<String>) d.b.js("return [...document.querySelectorAll('[data-testid=traces-table] tbody tr')].map(r => r.dataset.trace)");
    }

    private List<String> ids(String query) throws Exception {
        HttpApi.Response r = d.server.http.api("/api/projects/default/traces?" + query);
        assertThat(r.status()).as(query).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("results").forEach(t -> out.add(t.get("trace_id").asText()));
        return out;
    }

    /** One trace: a root span and a generation under it, failed with {@code error} and {@code status} when given. */
    private void ingest(String traceId, String user, String model, double cost, double latency, String error, int status, String input)
            throws Exception {
        String now = Instant.now().toString();
        ArrayNode events = HttpApi.JSON.createArrayNode();
        ObjectNode gen = events.addObject().put("event", "$ai_generation").put("distinct_id", user).put("timestamp", now);
        ObjectNode p = gen.putObject("properties").put("$ai_trace_id", traceId).put("$ai_span_id", "g1")
                .put("$ai_model", model).put("$ai_provider", "openai").put("$ai_span_name", "answer")
                .put("$ai_latency", latency).put("$ai_total_cost_usd", cost).put("$ai_input_tokens", 100).put("$ai_output_tokens", 20);
        if (error != null) {
            p.put("$ai_is_error", true).put("$ai_error", error).put("$ai_http_status", status);
        }
        p.putArray("$ai_input").addObject().put("role", "user").put("content", input);
        events.addObject().put("event", "$ai_trace").put("distinct_id", user).put("timestamp", now).putObject("properties")
                .put("$ai_trace_id", traceId).put("$ai_span_name", "assistant").put("$ai_latency", latency);
        List<JsonNode> list = new ArrayList<>();
        events.forEach(list::add);
        d.server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, list));
        d.server.http.awaitApi("/api/projects/default/traces/" + traceId, r -> r.status() == 200
                && "completed".equals(r.json().path("status").asText()), Duration.ofSeconds(30));
    }
}
