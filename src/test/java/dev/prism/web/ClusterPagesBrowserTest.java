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
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster pages, the trace page's clusters and span markers, keyboard use and an axe-core audit, in headless Chromium
 * against a real server. One server and one browser for the class. The clusters are written to the database as a
 * re-clustering would leave them (three runs with a merge, a rename and a split), so what each page must show is known.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Cluster pages in headless Chromium")
class ClusterPagesBrowserTest {

    private static final String THEME = "support_issues";
    private static final String GATEWAY = "c_gateway";   // the biggest error cluster: 30 members, all with errors
    private static final String DECLINED = "c_declined"; // split off the gateway cluster: 8 members, half with errors
    private static final String LOGIN = "c_login";       // the biggest cluster: 34 members, no errors, all 100 days old
    private static final String CHECKOUT = "c_checkout"; // retired: merged into the gateway cluster
    private static final String TRACE = "cp-" + GATEWAY + "-00"; // the gateway cluster's nearest member, ingested for real

    private DashboardServer d;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        d = DashboardServer.start(dataDir, Map.of());
        seed();
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
    @DisplayName("the API pages a cluster's members with titles, time, cost and errors, gives weekly trends, a trace's clusters and span markers")
    void api() throws Exception {
        JsonNode first = d.server.http.api("/api/projects/default/clusters/" + GATEWAY + "?member_titles=true&members_limit=25").json();
        assertThat(first.get("size").asInt()).isEqualTo(30);
        assertThat(first.get("members")).hasSize(25);
        JsonNode nearest = first.get("members").get(0);
        assertThat(nearest.get("trace_id").asText()).isEqualTo(TRACE);
        assertThat(nearest.get("title").asText()).isEqualTo("Payment gateway timed out 00");
        assertThat(nearest.get("cost_usd").asDouble()).isEqualTo(0.0042);
        assertThat(nearest.get("error_count").asInt()).isEqualTo(1);
        assertThat(nearest.get("latency_seconds").asDouble()).isEqualTo(31.5);
        JsonNode second = d.server.http.api("/api/projects/default/clusters/" + GATEWAY + "?member_titles=true&members_limit=25&members_offset=25").json();
        assertThat(second.get("members")).extracting(m -> m.get("trace_id").asText())
                .containsExactly("cp-c_gateway-25", "cp-c_gateway-26", "cp-c_gateway-27", "cp-c_gateway-28", "cp-c_gateway-29");
        assertThat(second.get("members").get(0).get("title").asText()).isEqualTo("Payment gateway timed out 25");
        // Representatives are the nearest members whatever the page.
        assertThat(second.get("representatives").get(0).get("trace_id").asText()).isEqualTo(TRACE);
        // Without member_titles the members carry no title (export and alerts ask for thousands).
        assertThat(d.server.http.api("/api/projects/default/clusters/" + GATEWAY).json().get("members").get(0).has("title")).isFalse();
        assertThat(d.server.http.api("/api/projects/default/clusters/" + GATEWAY + "?members_offset=-1").status()).isEqualTo(400);
        assertThat(d.server.http.api("/api/projects/default/clusters/" + GATEWAY + "?member_titles=true&members_limit=101").status()).isEqualTo(400);

        JsonNode trend = first.get("trend");
        assertThat(trend.get("hourly")).hasSize(24);
        assertThat(trend.get("daily")).hasSize(14);
        assertThat(trend.get("weekly")).hasSize(12);
        long weekly = 0;
        for (JsonNode w : trend.get("weekly")) {
            weekly += w.get("count").asLong();
        }
        assertThat(weekly).isEqualTo(30); // members are spread over the last two weeks

        JsonNode lineage = first.get("lineage");
        assertThat(lineage).anySatisfy(l -> {
            assertThat(l.get("event").asText()).isEqualTo("MERGED");
            assertThat(l.get("renamed").asBoolean()).isTrue();
            assertThat(l.get("title").asText()).isEqualTo("Payment gateway timeouts");
        });
        assertThat(lineage).anySatisfy(l -> {
            assertThat(l.get("cluster_id").asText()).isEqualTo(DECLINED);
            assertThat(l.get("event").asText()).isEqualTo("SPLIT");
        });

        // The theme's trend: its members per bucket, and the clusters of the last run before each bucket ended.
        JsonNode themeTrend = d.server.http.api("/api/projects/default/themes/" + THEME + "/clusters").json().get("trend");
        assertThat(themeTrend.get("hourly")).hasSize(24);
        assertThat(themeTrend.get("daily")).hasSize(14);
        long relevantWeekly = 0;
        for (JsonNode w : themeTrend.get("weekly")) {
            relevantWeekly += w.get("relevant").asLong();
        }
        assertThat(relevantWeekly).isEqualTo(38); // gateway and declined; the login members are 100 days old
        JsonNode days = themeTrend.get("daily");
        assertThat(days.get(days.size() - 1).get("clusters").asInt()).isEqualTo(3);
        assertThat(days.get(days.size() - 3).get("clusters").asInt()).isEqualTo(1); // two days ago: after the merge
        assertThat(days.get(0).get("clusters").asInt()).isZero(); // before the first run

        JsonNode clusters = d.server.http.api("/api/projects/default/traces/" + TRACE + "/clusters").json();
        assertThat(clusters.get("results")).anySatisfy(m -> {
            assertThat(m.get("theme_id").asText()).isEqualTo(THEME);
            assertThat(m.get("cluster_id").asText()).isEqualTo(GATEWAY);
            assertThat(m.get("title").asText()).isEqualTo("Payment gateway timeouts");
        });
        assertThat(d.server.http.api("/api/projects/default/traces/no-such-trace/clusters").json().get("results")).isEmpty();

        JsonNode tree = d.server.http.api("/api/projects/default/traces/" + TRACE).json().get("tree");
        List<JsonNode> nodes = new ArrayList<>();
        tree.forEach(n -> flatten(n, nodes));
        assertThat(nodes).anySatisfy(n -> {
            assertThat(n.get("is_error").asBoolean()).isTrue();
            assertThat(n.get("error").asText()).contains("gateway timeout");
            assertThat(n.get("latency_seconds").asDouble()).isEqualTo(30.0);
        });
        assertThat(nodes).anySatisfy(n -> assertThat(n.get("is_error").asBoolean()).isFalse());
    }

    @Test
    @Order(2)
    @DisplayName("find the biggest error cluster and open one of its traces from its own page")
    void biggestErrorClusterToTrace() {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/clusters");
        d.b.waitFor(() -> d.b.count("[data-testid=cluster-cards] a.card") == 3, "three cluster cards");
        // The last re-clustering's changes stay on the page (run 9003: one grew, one split off, one new, two renamed).
        assertThat(d.b.text("[data-testid=recluster-note]")).startsWith("Last re-clustering ")
                .contains(": 3 clusters · 1 split off, 1 new, 2 renamed.");
        // As a user would: of the clusters whose traces mostly failed, the one with the most traces.
        WebElement biggest = null;
        int most = -1;
        for (WebElement card : d.b.driver.findElements(By.cssSelector("[data-testid=cluster-cards] a.card"))) {
            String text = card.getText();
            int errors = Integer.parseInt(text.replaceAll("(?s).*?(\\d+) % with errors.*", "$1"));
            int size = Integer.parseInt(card.findElement(By.cssSelector("strong")).getText().replace(",", ""));
            if (errors >= 50 && size > most) {
                most = size;
                biggest = card;
            }
        }
        assertThat(biggest).isNotNull();
        assertThat(biggest.getAttribute("href")).endsWith("#/themes/" + THEME + "/clusters/" + GATEWAY);
        d.b.shot("20-cluster-cards");
        biggest.click();
        d.b.waitFor(() -> GATEWAY.equals(d.b.js("return document.body.dataset.clusterReady")), "cluster page");
        assertThat(d.b.driver.getCurrentUrl()).endsWith("#/themes/" + THEME + "/clusters/" + GATEWAY);
        assertThat(d.b.text("[data-testid=cluster-title]")).startsWith("Payment gateway timeouts");
        // "Open in Linear / GitHub": one link per issue, whichever rules share it; a non-http URL is not linked.
        d.b.waitFor(() -> d.b.count("[data-testid=cluster-ticket]") == 2, "the cluster's tracker issues");
        assertThat(d.b.driver.findElements(By.cssSelector("[data-testid=cluster-ticket]"))).extracting(WebElement::getText)
                .containsExactly("Open in GitHub #42", "Open in Linear ENG-12");
        assertThat(d.b.find("[data-testid=cluster-ticket]").getAttribute("href")).isEqualTo("https://github.com/acme/app/issues/42");
        assertThat(d.b.text("[data-testid=cluster-tickets]")).contains("#42 (closed)").contains("ENG-12 (open)").doesNotContain("ENG-13");
        assertThat(d.b.text("[data-testid=lifecycle]")).isIn("new", "growing", "stable", "fading", "regressed");
        String figures = d.b.text("[data-testid=cluster-figures]");
        assertThat(figures).contains("Size\n30 traces").contains("Share of theme\n42 %").contains("Error rate\n100 %")
                .contains("Average latency\n31.50 s").contains("Average cost\n$0.0042").contains("Distinct users\n");
        assertThat(d.b.text(".crumbs")).contains("Support issues");

        // The trend chart: bars, axes with tick labels, a picker that changes the range and the URL.
        assertThat(d.b.find("[data-testid=trend-svg]").getAttribute("aria-label")).contains("last 14 days");
        assertThat(d.b.count("[data-testid=trend-svg] rect.bar")).isEqualTo(14);
        assertThat(d.b.count("[data-testid=trend-svg] text.tick")).isGreaterThan(4);
        assertThat(d.b.count("[data-testid=trend-svg] line.axis")).isEqualTo(2);
        d.b.find("[data-range=week]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=trend-svg] rect.bar") == 12, "weekly bars");
        assertThat(d.b.driver.getCurrentUrl()).endsWith("?range=week");
        assertThat(d.b.find("[data-range=week]").getAttribute("aria-pressed")).isEqualTo("true");
        long barsTotal = ((Number) d.b.js("return [...document.querySelectorAll('[data-testid=trend-svg] rect.bar')]"
                + ".reduce((a, r) => a + Number(r.dataset.count), 0);")).longValue();
        assertThat(barsTotal).isEqualTo(30);
        d.b.find("[data-range=hour]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=trend-svg] rect.bar") == 24, "hourly bars");
        // The numbers behind the bars, as a table.
        d.b.find(".chart-data summary").click();
        assertThat(d.b.count("[data-testid=trend-table] tbody tr")).isEqualTo(24);

        // Representative summaries and members by title, time and cost, paged.
        assertThat(d.b.text("[data-testid=cluster-representatives]")).contains("Payment gateway timed out 00");
        assertThat(d.b.count("[data-testid=cluster-members] tbody tr")).isEqualTo(25);
        assertThat(d.b.text("[data-testid=cluster-members] thead")).contains("SUMMARY").contains("TIME").contains("COST");
        assertThat(d.b.text("[data-testid=cluster-members] tbody tr")).contains("Payment gateway timed out 00").contains("$0.0042");
        assertThat(d.b.text("[data-testid=members-page]")).isEqualTo("1–25 of 30");
        d.b.find("[data-testid=members-next]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=members-page]").equals("26–30 of 30"), "second page of members");
        assertThat(d.b.count("[data-testid=cluster-members] tbody tr")).isEqualTo(5);
        assertThat(d.b.driver.getCurrentUrl()).contains("page=2");
        d.b.find("[data-testid=members-prev]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=members-page]").equals("1–25 of 30"), "first page again");

        // Lineage: merged from the retired cluster (named), renamed, and split into the other.
        d.b.waitFor(() -> d.b.text("[data-testid=cluster-lineage]").contains("Merged from Checkout timeouts"), "lineage with names");
        String lineage = d.b.text("[data-testid=cluster-lineage]");
        assertThat(lineage).contains("renamed to “Payment gateway timeouts”").contains("Split into Card declined messages")
                .contains("Formed as “Gateway errors”");
        d.b.shot("21-cluster-page");

        // One of its traces, from its own page.
        d.b.find("[data-testid=member-link]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=trace-tree] li") > 0, "trace page");
        assertThat(d.b.driver.getCurrentUrl()).endsWith("#/traces/" + TRACE);
        d.b.waitFor(() -> d.b.text("[data-testid=trace-clusters]").contains("Support issues: Payment gateway timeouts"), "the trace's cluster by theme name");
        assertThat(d.b.count("[data-testid=trace-tree] [data-testid=span-error]")).isEqualTo(1);
        assertThat(d.b.text("[data-testid=trace-tree]")).contains("gateway timeout after 30 s").contains("30.00 s");
        assertThat(d.b.count("[data-testid=trace-tree] .marker.slow")).isGreaterThanOrEqualTo(1);
        d.b.shot("22-trace-clusters");
        d.b.find("[data-testid=trace-clusters] li[data-theme=" + THEME + "] a").click();
        d.b.waitFor(() -> GATEWAY.equals(d.b.js("return document.body.dataset.clusterReady")), "back on the cluster page");

        // A cluster with nothing in any range shows the chart's empty state.
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/clusters/" + LOGIN + "?range=week");
        d.b.waitFor(() -> LOGIN.equals(d.b.js("return document.body.dataset.clusterReady")), "the old cluster's page");
        assertThat(d.b.text("[data-testid=trend-empty]")).contains("No members in the last 12 weeks");
        assertThat(d.b.count("[data-testid=trend-svg]")).isZero();

        // A link naming another theme shows the cluster under its own theme.
        d.b.driver.get(d.base + "/#/themes/error_analysis/clusters/" + DECLINED);
        d.b.waitFor(() -> DECLINED.equals(d.b.js("return document.body.dataset.clusterReady")), "cluster page by a link naming another theme");
        assertThat(d.b.driver.getCurrentUrl()).endsWith("#/themes/" + THEME + "/clusters/" + DECLINED);
        assertThat(d.b.text(".crumbs")).contains("Support issues");
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/clusters/no-such-cluster");
        d.b.waitFor(() -> d.b.count("[data-testid=cluster-missing]") == 1, "unknown cluster");
    }

    @Test
    @Order(5)
    @DisplayName("the summaries tab's cluster picker opens the cluster's page with its members")
    void summariesByCluster() {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/summaries");
        d.b.waitFor(() -> d.b.count("[data-testid=summary-cluster] option") == 4, "cluster picker");
        d.b.js("const s = document.querySelector('[data-testid=summary-cluster]'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));", DECLINED);
        d.b.waitFor(() -> DECLINED.equals(d.b.js("return document.body.dataset.clusterReady")), "the cluster's page");
        assertThat(d.b.count("[data-testid=member-link]")).isEqualTo(8);
    }

    @Test
    @Order(3)
    @DisplayName("keyboard-only navigation to a cluster, its range picker and one of its traces")
    void keyboardOnly() {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/clusters");
        d.b.waitFor(() -> d.b.count("[data-testid=cluster-cards] a.card") == 3, "cluster cards");
        Actions keys = new Actions(d.b.driver);
        int tabs = d.tabUntil(keys, "a.card[data-cluster=" + GATEWAY + "]", 40);
        // Focus is visible on the card.
        assertThat(d.b.js("return getComputedStyle(document.activeElement).outlineStyle")).isEqualTo("solid");
        d.b.shot("23-keyboard-card-focus");
        keys.sendKeys(Keys.ENTER).perform();
        d.b.waitFor(() -> GATEWAY.equals(d.b.js("return document.body.dataset.clusterReady")), "cluster page by keyboard");
        d.tabUntil(keys, "[data-range=week]", 40);
        keys.sendKeys(Keys.SPACE).perform();
        d.b.waitFor(() -> "true".equals(d.b.find("[data-range=week]").getAttribute("aria-pressed")), "week picked by keyboard");
        d.tabUntil(keys, "[data-testid=member-link]", 40);
        keys.sendKeys(Keys.ENTER).perform();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().endsWith("#/traces/" + TRACE), "trace opened by keyboard");
        System.out.printf("Keyboard: the error cluster's card is %d Tab presses from the page start%n", tabs);
    }

    @Test
    @Order(4)
    @DisplayName("axe-core finds no serious or critical violation, and nothing scrolls sideways at 390 px, on the views touched")
    void accessibility() {
        d.signedIn();
        Map<String, String> views = new java.util.LinkedHashMap<>();
        views.put("results-clusters", "#/themes/" + THEME + "/clusters");
        views.put("results-map", "#/themes/" + THEME + "/map");
        views.put("results-trend", "#/themes/" + THEME + "/trend");
        views.put("results-summaries", "#/themes/" + THEME + "/summaries");
        views.put("cluster", "#/themes/" + THEME + "/clusters/" + GATEWAY);
        views.put("cluster-empty-trend", "#/themes/" + THEME + "/clusters/" + LOGIN + "?range=week");
        views.put("trace", "#/traces/" + TRACE);
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
        System.out.printf("axe-core on %d views at 1440 and 390 px: %d serious or critical problems%n", views.size(), problems.size());
        assertThat(problems).as("accessibility problems").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private boolean ready(String view) {
        return switch (view) {
            case "results-clusters" -> d.b.count("[data-testid=cluster-cards] a.card") == 3;
            // The seeded members have no vectors: the map says so instead of drawing dots.
            case "results-map" -> d.b.count("[data-testid=map-empty]") == 1 || d.b.count("[data-testid=map-dot]") > 0;
            case "results-trend" -> d.b.count("[data-testid=theme-trend-svg]") == 1;
            case "results-summaries" -> d.b.count("[data-testid=summaries] .summary") == 50;
            case "cluster" -> GATEWAY.equals(d.b.js("return document.body.dataset.clusterReady"))
                    && d.b.text("[data-testid=cluster-lineage]").contains("Checkout timeouts");
            case "cluster-empty-trend" -> LOGIN.equals(d.b.js("return document.body.dataset.clusterReady"));
            default -> d.b.count("[data-testid=trace-tree] li") > 0 && d.b.text("[data-testid=trace-clusters]").contains("Support issues");
        };
    }

    private static void flatten(JsonNode n, List<JsonNode> out) {
        out.add(n);
        n.path("children").forEach(c -> flatten(c, out));
    }

    /**
     * A custom theme whose filter matches no trace (so no analysis or clustering of the server's touches it), its
     * analyses and clusters as three re-clusterings left them, and one member ingested as a real trace.
     */
    private void seed() throws Exception {
        assertThat(d.server.http.admin("POST", "/api/projects/default/themes",
                "{\"theme_id\": \"" + THEME + "\", \"name\": \"Support issues\", \"description\": \"What users ask support about\", \"theme_filters\": "
                        + "[{\"key\": \"$ai_model\", \"operator\": \"exact\", \"value\": \"no-such-model\", \"type\": \"event\"}]}").status())
                .isEqualTo(201);

        // The nearest member of the gateway cluster as a real trace: a root span, a failed slow generation under it.
        String now = Instant.now().toString();
        ArrayNode events = HttpApi.JSON.createArrayNode();
        ObjectNode span = events.addObject().put("event", "$ai_span").put("distinct_id", "user-1").put("timestamp", now);
        span.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_span_id", "s1").put("$ai_span_name", "checkout")
                .put("$ai_latency", 31.5);
        ObjectNode gen = events.addObject().put("event", "$ai_generation").put("distinct_id", "user-1").put("timestamp", now);
        ObjectNode p = gen.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_span_id", "g1").put("$ai_parent_id", "s1")
                .put("$ai_model", "gpt-4o-mini").put("$ai_provider", "openai").put("$ai_span_name", "charge card")
                .put("$ai_is_error", true).put("$ai_error", "gateway timeout after 30 s").put("$ai_http_status", 504).put("$ai_latency", 30.0);
        p.putArray("$ai_input").addObject().put("role", "user").put("content", "My payment keeps timing out at checkout");
        ObjectNode ok = events.addObject().put("event", "$ai_generation").put("distinct_id", "user-1").put("timestamp", now);
        ok.putObject("properties").put("$ai_trace_id", TRACE).put("$ai_span_id", "g2").put("$ai_parent_id", "s1")
                .put("$ai_model", "gpt-4o-mini").put("$ai_provider", "openai").put("$ai_span_name", "apologise").put("$ai_latency", 1.2);
        events.addObject().put("event", "$ai_trace").put("distinct_id", "user-1").put("timestamp", now).putObject("properties")
                .put("$ai_trace_id", TRACE).put("$ai_span_name", "Checkout help");
        List<JsonNode> list = new ArrayList<>();
        events.forEach(list::add);
        d.server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, list));
        d.server.http.awaitApi("/api/projects/default/traces/" + TRACE, r -> r.status() == 200 && r.json().path("tree").size() > 0,
                Duration.ofSeconds(30));

        // Members: gateway every 11 hours back (all failed), declined one a day (every other failed), login 100 days old.
        d.pg.execute(members(GATEWAY, 30, "Payment gateway timed out", "interval '11 hours'", "interval '1 minute'", "1", "31.5", "0.0042"));
        d.pg.execute(members(DECLINED, 8, "Card declined at checkout", "interval '1 day'", "interval '1 minute'", "g % 2", "2.0", "0.004"));
        d.pg.execute(members(LOGIN, 34, "How do I reset my password", "interval '1 hour'", "interval '100 days'", "0", "1.0", "0.001"));
        d.pg.execute("""
                INSERT INTO clusters (project_id, cluster_id, theme_id, title, description, size, centroid, x, y, status, retired_into, named_at)
                VALUES ('default', 'c_gateway', 'support_issues', 'Payment gateway timeouts', 'The payment provider does not answer in time.', 30, '{0,0}', 0, 0, 'active', NULL, now()),
                       ('default', 'c_declined', 'support_issues', 'Card declined messages', 'Cards refused by the bank.', 8, '{0,0}', 1, 0.5, 'active', NULL, now()),
                       ('default', 'c_login', 'support_issues', 'Password reset questions', 'Users who cannot sign in.', 34, '{0,0}', -1, 1, 'active', NULL, now()),
                       ('default', 'c_checkout', 'support_issues', 'Checkout timeouts', 'Merged away.', 5, '{0,0}', 0, 0, 'retired', 'c_gateway', now())""");
        d.pg.execute("""
                INSERT INTO cluster_runs (id, project_id, theme_id, items, clusters, outliers, renamed, lineage, elapsed_ms, at)
                VALUES (9001, 'default', 'support_issues', 15, 2, 0, 2, '{"NEW": 2}', 10, now() - interval '3 days'),
                       (9002, 'default', 'support_issues', 20, 1, 0, 1, '{"MERGED": 1, "RETIRED": 1}', 10, now() - interval '2 days'),
                       (9003, 'default', 'support_issues', 72, 3, 0, 2, '{"GROWN": 1, "SPLIT": 1, "NEW": 1}', 10, now() - interval '1 day')""");
        d.pg.execute("""
                INSERT INTO cluster_snapshots (run_id, project_id, theme_id, cluster_id, size, event, sources, into_id, title, renamed, at)
                VALUES (9001, 'default', 'support_issues', 'c_gateway', 10, 'NEW', '{}', NULL, 'Gateway errors', true, now() - interval '3 days'),
                       (9001, 'default', 'support_issues', 'c_checkout', 5, 'NEW', '{}', NULL, 'Checkout timeouts', true, now() - interval '3 days'),
                       (9002, 'default', 'support_issues', 'c_gateway', 20, 'MERGED', '{c_gateway,c_checkout}', NULL, 'Payment gateway timeouts', true, now() - interval '2 days'),
                       (9002, 'default', 'support_issues', 'c_checkout', 0, 'RETIRED', '{}', 'c_gateway', NULL, false, now() - interval '2 days'),
                       (9003, 'default', 'support_issues', 'c_gateway', 30, 'GROWN', '{c_gateway}', NULL, 'Payment gateway timeouts', false, now() - interval '1 day'),
                       (9003, 'default', 'support_issues', 'c_declined', 8, 'SPLIT', '{c_gateway}', NULL, 'Card declined messages', true, now() - interval '1 day'),
                       (9003, 'default', 'support_issues', 'c_login', 34, 'NEW', '{}', NULL, 'Password reset questions', true, now() - interval '1 day')""");
        // Two rules keep the same Linear issue for the gateway cluster, a third a GitHub one (closed); a stored URL
        // that is not http(s) is never made a link.
        d.pg.execute("""
                INSERT INTO alert_tickets (project_id, rule_id, destination_key, cluster_id, destination_type, external_id, external_number, url, state, closed_at)
                VALUES ('default', 'r_one', 'linear:ENG', 'c_gateway', 'linear', 'uuid-1', 'ENG-12', 'https://linear.app/acme/issue/ENG-12', 'open', NULL),
                       ('default', 'r_two', 'linear:ENG', 'c_gateway', 'linear', 'uuid-1', 'ENG-12', 'https://linear.app/acme/issue/ENG-12', 'open', NULL),
                       ('default', 'r_one', 'github:acme/app', 'c_gateway', 'github', '42', '42', 'https://github.com/acme/app/issues/42', 'closed', now()),
                       ('default', 'r_three', 'webhook-ish', 'c_gateway', 'linear', 'uuid-2', 'ENG-13', 'javascript:alert(1)', 'open', NULL)""");
    }

    /** Analyses and cluster members {@code cp-{cluster}-00…}, the n-th at distance n/100 and {@code offset + back × n} ago. */
    private static String members(String cluster, int n, String title, String back, String offset, String errors, String latency, String cost) {
        return """
                WITH m AS (
                    SELECT g, 'cp-%1$s-' || lpad(g::text, 2, '0') AS trace_id, now() - (%4$s) * g - (%8$s) AS at
                      FROM generate_series(0, %2$d - 1) g),
                a AS (
                    INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, provider, model,
                                          theme_relevant, title, summary, severity, input_tokens, output_tokens, cost_usd, latency_ms, completed_at)
                    SELECT 'default', 'support_issues', trace_id, 1, 1, 'done', 'offline', 'offline', true,
                           '%3$s ' || lpad(g::text, 2, '0'), 'The user reported: %3$s (case ' || g || ').', 'medium', 100, 20, 0.0001, 5, at
                      FROM m)
                INSERT INTO cluster_members (project_id, theme_id, trace_id, trace_version, cluster_id, distance, member_at,
                                             distinct_id, latency_seconds, cost_usd, error_count)
                SELECT 'default', 'support_issues', trace_id, 1, '%1$s', g / 100.0, at, 'user-' || (g %% 5), %6$s, %7$s, %5$s FROM m"""
                .formatted(cluster, n, title, back, errors, latency, cost, offset);
    }
}
