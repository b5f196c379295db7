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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.openqa.selenium.interactions.Actions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The theme trend, the per-trace map, the themes page's single request for last runs and the trace page's lean
 * loading, in headless Chromium against a real server whose pipeline (offline analyzer, local embeddings, clustering)
 * analyses, embeds and clusters real traces of the built-in error theme.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Theme trend, trace map, themes and trace page requests in headless Chromium")
class TrendsAndMapBrowserTest {

    private static final String THEME = "error_analysis";
    private static final int FIRST = 16;

    private DashboardServer d;
    private int sent;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        d = DashboardServer.start(dataDir, Map.of());
        ingest(FIRST);
        d.server.http.awaitApi("/api/projects/default/themes/" + THEME + "/clusters",
                r -> r.status() == 200 && r.json().path("theme_summaries").asInt() >= FIRST, Duration.ofSeconds(150));
        assertThat(d.server.http.admin("POST", "/api/projects/default/themes/" + THEME + "/clusters/refresh", "{}").status()).isEqualTo(200);
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
    @DisplayName("the API gives per-trace map points (sampled above a limit, every cluster kept), every theme's last run at once, and a trace without event properties")
    void api() throws Exception {
        JsonNode map = d.server.http.api("/api/projects/default/themes/" + THEME + "/map").json();
        int members = map.get("members").asInt();
        assertThat(members).isGreaterThanOrEqualTo(FIRST);
        assertThat(map.get("placed").asInt()).isEqualTo(members);
        assertThat(map.get("shown").asInt()).isEqualTo(members);
        assertThat(map.get("sampled").asBoolean()).isFalse();
        Set<String> groups = new HashSet<>();
        for (JsonNode p : map.get("points")) {
            assertThat(p.get("trace_id").asText()).startsWith("tm-");
            assertThat(p.get("x").isNumber()).isTrue();
            groups.add(p.get("cluster_id").isNull() ? "" : p.get("cluster_id").asText());
        }
        JsonNode few = d.server.http.api("/api/projects/default/themes/" + THEME + "/map?limit=" + Math.max(groups.size(), 4)).json();
        assertThat(few.get("sampled").asBoolean()).isTrue();
        assertThat(few.get("shown").asInt()).isLessThanOrEqualTo(Math.max(groups.size(), 4));
        Set<String> fewGroups = new HashSet<>();
        few.get("points").forEach(p -> fewGroups.add(p.get("cluster_id").isNull() ? "" : p.get("cluster_id").asText()));
        assertThat(fewGroups).as("every cluster keeps a dot in a sample").isEqualTo(groups);
        assertThat(d.server.http.api("/api/projects/default/themes/" + THEME + "/map?limit=0").status()).isEqualTo(400);
        assertThat(d.server.http.api("/api/projects/default/themes/no_such_theme/map").status()).isEqualTo(404);

        // Every theme's last run in one answer.
        JsonNode themes = d.server.http.api("/api/projects/default/themes").json().get("results");
        String other = themes.get(0).get("theme_id").asText().equals(THEME) ? themes.get(1).get("theme_id").asText() : themes.get(0).get("theme_id").asText();
        long errorRun = d.server.http.admin("POST", "/api/projects/default/themes/" + THEME + "/runs", "{}").json().get("id").asLong();
        long otherRun = d.server.http.admin("POST", "/api/projects/default/themes/" + other + "/runs", "{}").json().get("id").asLong();
        JsonNode latest = d.server.http.api("/api/projects/default/runs/latest").json().get("results");
        assertThat(latest).hasSize(2);
        assertThat(latest).anySatisfy(r -> {
            assertThat(r.get("theme_id").asText()).isEqualTo(THEME);
            assertThat(r.get("id").asLong()).isEqualTo(errorRun);
        });
        assertThat(latest).anySatisfy(r -> assertThat(r.get("id").asLong()).isEqualTo(otherRun));

        // The trace page's request: the tree and aggregates, no event's properties; one event's on demand.
        String trace = map.get("points").get(0).get("trace_id").asText();
        HttpApi.Response full = d.server.http.api("/api/projects/default/traces/" + trace);
        HttpApi.Response lean = d.server.http.api("/api/projects/default/traces/" + trace + "?events=false");
        assertThat(full.json().get("events").get(0).has("properties")).isTrue();
        assertThat(lean.json().has("events")).isFalse();
        assertThat(lean.json().get("tree").size()).isEqualTo(full.json().get("tree").size());
        assertThat(lean.json().get("aggregates")).isEqualTo(full.json().get("aggregates"));
        int fullBytes = full.json().toString().length();
        int leanBytes = lean.json().toString().length();
        assertThat(leanBytes).isLessThan(fullBytes);
        String uuid = firstFailed(lean.json().get("tree")).get("uuid").asText();
        JsonNode event = d.server.http.api("/api/projects/default/traces/" + trace + "/events/" + uuid).json();
        assertThat(event.get("uuid").asText()).isEqualTo(uuid);
        assertThat(event.get("properties").get("$ai_error").asText()).isNotBlank();
        assertThat(d.server.http.api("/api/projects/default/traces/" + trace + "/events/no-such-event").status()).isEqualTo(404);
        System.out.printf("Trace page request: %d bytes with every event's properties, %d without (%d events)%n", fullBytes, leanBytes,
                full.json().get("events").size());

        // A trace with a long conversation: the page's request stays the size of its tree, not of its prompts.
        String now = Instant.now().toString();
        ArrayNode events = HttpApi.JSON.createArrayNode();
        for (int i = 0; i < 5; i++) {
            ObjectNode p = events.addObject().put("event", "$ai_generation").put("distinct_id", "user-big").put("timestamp", now)
                    .putObject("properties").put("$ai_trace_id", "big-trace").put("$ai_span_id", "g" + i).put("$ai_model", "gpt-4o-mini")
                    .put("$ai_provider", "openai").put("$ai_span_name", "step " + i).put("$ai_latency", 1.0);
            p.putArray("$ai_input").addObject().put("role", "user").put("content", ("A long document, paragraph " + i + ". ").repeat(2_000));
        }
        List<JsonNode> big = new ArrayList<>();
        events.forEach(big::add);
        d.server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, big));
        d.server.http.awaitApi("/api/projects/default/traces/big-trace", r -> r.status() == 200 && r.json().path("tree").size() == 5, Duration.ofSeconds(30));
        int bigFull = d.server.http.api("/api/projects/default/traces/big-trace").json().toString().length();
        int bigLean = d.server.http.api("/api/projects/default/traces/big-trace?events=false").json().toString().length();
        assertThat(bigLean).isLessThan(bigFull / 20);
        System.out.printf("Trace page request for 5 generations with long prompts: %d bytes with every event's properties, %d without%n",
                bigFull, bigLean);
    }

    @Test
    @Order(2)
    @DisplayName("the themes page makes one request for all themes' last runs")
    void themesPageOneRunsRequest() {
        d.signedIn();
        d.b.js("performance.clearResourceTimings(); location.hash = '#/themes';");
        d.b.waitFor(() -> d.b.count("[data-testid=themes-table] tbody tr") >= 6, "themes listed");
        d.b.waitFor(() -> !d.b.text("[data-testid=themes-table] tr[data-theme=" + THEME + "]").contains("never"), "the error theme's last run");
        @SuppressWarnings("unchecked")
        List<String> runRequests = (List<String>) d.b.js("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".filter(n => n.includes('/runs'));");
        assertThat(runRequests).hasSize(1);
        assertThat(runRequests.get(0)).endsWith("/api/projects/default/runs/latest");
        long themes = d.b.count("[data-testid=themes-table] tbody tr");
        System.out.printf("Themes page: %d themes, %d request for their last runs%n", themes, runRequests.size());
        d.b.shot("40-themes-one-request");
    }

    @Test
    @Order(3)
    @DisplayName("the trace page draws its header and tree without event properties, and fetches one span's when it is opened")
    void traceWithoutProperties() throws Exception {
        String trace = "tm-0";
        d.signedIn();
        d.b.js("performance.clearResourceTimings(); location.hash = arguments[0];", "#/traces/" + trace);
        d.b.waitFor(() -> d.b.count("[data-testid=trace-tree] li") > 0, "trace tree");
        assertThat(requests("/traces/" + trace)).anySatisfy(n -> assertThat(n).endsWith("/traces/" + trace + "?events=false"))
                .noneSatisfy(n -> assertThat(n).endsWith("/traces/" + trace))
                .noneSatisfy(n -> assertThat(n).contains("/events/"));
        d.b.find("[data-testid=trace-tree] .event-details summary").click();
        d.b.waitFor(() -> d.b.text("[data-testid=event-props]").contains("$ai_trace_id"), "the span's properties");
        assertThat(requests("/events/")).hasSize(1);
        d.b.shot("41-trace-span-properties");
    }

    @Test
    @Order(4)
    @DisplayName("see the theme's trend chart change as traces arrive; the range picker changes range and URL")
    void trendChangesAsTracesArrive() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/trend?range=hour");
        d.b.waitFor(() -> d.b.count("[data-testid=theme-trend-svg]") == 1, "the theme trend");
        assertThat(d.b.find("[data-range=hour]").getAttribute("aria-pressed")).isEqualTo("true");
        assertThat(d.b.count("[data-testid=theme-trend-svg] rect.bar")).isEqualTo(24);
        assertThat(d.b.count("[data-testid=theme-trend-svg] polyline.clusters-line")).isEqualTo(1);
        assertThat(d.b.count("[data-testid=theme-trend-svg] text.tick")).isGreaterThan(6);
        assertThat(d.b.count("[data-testid=theme-trend-svg] rect.hit title")).isEqualTo(24);
        int before = total();
        assertThat(before).isGreaterThanOrEqualTo(FIRST);
        d.b.shot("42-theme-trend-before");
        ingest(3);
        d.b.waitFor(() -> total() >= before + 3, Duration.ofSeconds(90), "the trend counting the new traces");
        assertThat(d.b.text("[data-testid=theme-trend-caption]")).contains(String.valueOf(total()));
        System.out.printf("Theme trend: %d relevant traces in the last 24 hours, %d after three more arrived%n", before, total());
        d.b.shot("43-theme-trend-after");
        d.b.find("[data-range=week]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=theme-trend-svg] rect.bar") == 12, "weekly buckets");
        assertThat(d.b.driver.getCurrentUrl()).endsWith("/trend?range=week");
        assertThat(d.b.find("[data-range=week]").getAttribute("aria-pressed")).isEqualTo("true");
        d.b.find("[data-testid=theme-trend] .chart-data summary").click();
        assertThat(d.b.count("[data-testid=theme-trend-table] tbody tr")).isEqualTo(12);
    }

    @Test
    @Order(5)
    @DisplayName("the map: a dot per trace coloured by cluster, a legend with names and sizes, labels inside, hover and keyboard")
    void map() throws Exception {
        JsonNode clusters = d.server.http.api("/api/projects/default/themes/" + THEME + "/clusters").json();
        int shown = d.server.http.api("/api/projects/default/themes/" + THEME + "/map").json().get("shown").asInt();
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/map");
        d.b.waitFor(() -> d.b.count("[data-testid=map-dot]") == shown, "a dot per trace");
        assertThat(d.b.text("[data-testid=map-count]")).contains("Showing all " + shown + " traces");
        int legend = clusters.get("results").size() + (clusters.get("unassigned").asInt() > 0 ? 1 : 0);
        assertThat(d.b.count("[data-testid=legend-item]")).isEqualTo(legend);
        for (JsonNode c : clusters.get("results")) {
            String item = d.b.text("[data-testid=legend-item][data-cluster=" + c.get("id").asText() + "]");
            assertThat(item).contains(c.get("title").asText()).contains(c.get("size").asInt() + " traces");
            // The cluster's dots share one colour.
            @SuppressWarnings("unchecked")
            List<String> fills = (List<String>) d.b.js("return [...new Set([...document.querySelectorAll('[data-testid=map-dot][data-cluster=\"' + arguments[0] + '\"] circle')]"
                    + ".map(c => c.getAttribute('fill')))];", c.get("id").asText());
            assertThat(fills).hasSize(1).doesNotContain("#9aa0a6");
        }
        if (clusters.get("unassigned").asInt() > 0) {
            assertThat(d.b.text("[data-testid=legend-item][data-cluster=other]")).contains("Other");
            assertThat(d.b.js("return document.querySelector('[data-testid=map-dot][data-cluster=\"\"] circle').getAttribute('fill')")).isEqualTo("#9aa0a6");
        }
        // Labels inside the canvas (900 × 520).
        @SuppressWarnings("unchecked")
        List<String> outside = (List<String>) d.b.js("return [...document.querySelectorAll('[data-testid=map-label]')].filter(t => { const r = t.getBBox();"
                + " return r.x < 0 || r.y < 0 || r.x + r.width > 900 || r.y + r.height > 520; }).map(t => t.textContent);");
        assertThat(outside).as("labels outside the map").isEmpty();
        assertThat(d.b.count("[data-testid=map-label]")).isEqualTo(Math.min(12, clusters.get("results").size()));

        // Hover: a tooltip names the cluster and the trace.
        new Actions(d.b.driver).moveToElement(d.b.find("[data-testid=map-dot] circle")).perform();
        d.b.waitFor(() -> d.b.find("[data-testid=map-tip]").isDisplayed() && d.b.text("[data-testid=map-tip]").contains("trace tm-"), "hover tooltip");
        d.b.shot("44-map-hover");
        new Actions(d.b.driver).moveToElement(d.b.find("h1")).perform();

        // Keyboard: one tab stop, arrows move between dots, Enter opens the trace.
        Actions keys = new Actions(d.b.driver);
        d.b.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
        for (int i = 0; i < 60 && !Boolean.TRUE.equals(d.b.js("return document.activeElement.matches('a.dot-link')")); i++) {
            keys.sendKeys(Keys.TAB).perform();
        }
        assertThat(d.b.js("return document.activeElement.matches('a.dot-link')")).isEqualTo(true);
        d.b.waitFor(() -> d.b.text("[data-testid=map-tip]").contains("trace tm-"), "tooltip on keyboard focus");
        String first = (String) d.b.js("return document.activeElement.getAttribute('aria-label')");
        for (Keys k : new Keys[]{Keys.ARROW_RIGHT, Keys.ARROW_DOWN, Keys.ARROW_LEFT, Keys.ARROW_UP}) {
            keys.sendKeys(k).perform();
            if (!first.equals(d.b.js("return document.activeElement.getAttribute('aria-label')"))) {
                break;
            }
        }
        assertThat(d.b.js("return document.activeElement.getAttribute('aria-label')")).as("an arrow key moved to another dot").isNotEqualTo(first);
        assertThat(d.b.count("a.dot-link[tabindex='0']")).as("one tab stop").isEqualTo(1);
        d.b.shot("45-map-keyboard");
        keys.sendKeys(Keys.ENTER).perform();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().contains("#/traces/tm-"), "the trace opened from the map");
    }

    @Test
    @Order(6)
    @DisplayName("axe-core finds no serious or critical violation, and nothing scrolls sideways at 390 px, on the trend, map, themes and trace views")
    void accessibility() {
        d.signedIn();
        Map<String, String> views = new java.util.LinkedHashMap<>();
        views.put("themes", "#/themes");
        views.put("theme-trend", "#/themes/" + THEME + "/trend");
        views.put("theme-map", "#/themes/" + THEME + "/map");
        views.put("trace-lean", "#/traces/tm-1");
        List<String> problems = new ArrayList<>();
        for (int width : new int[]{1440, 390}) {
            d.b.width(width);
            for (var v : views.entrySet()) {
                d.b.driver.get(d.base + "/" + v.getValue());
                d.b.waitFor(() -> ready(v.getKey()), v.getKey() + " at " + width);
                if (v.getKey().equals("trace-lean")) {
                    d.b.find("[data-testid=trace-tree] .event-details summary").click();
                    d.b.waitFor(() -> d.b.text("[data-testid=event-props]").contains("$ai_"), "properties open");
                }
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
            case "themes" -> d.b.count("[data-testid=themes-table] tbody tr") >= 6;
            case "theme-trend" -> d.b.count("[data-testid=theme-trend-svg]") == 1;
            case "theme-map" -> d.b.count("[data-testid=map-dot]") > 0;
            default -> d.b.count("[data-testid=trace-tree] li") > 0;
        };
    }

    private int total() {
        Object t = d.b.js("const s = document.querySelector('[data-testid=theme-trend-svg]'); return s ? Number(s.dataset.total) : -1;");
        return ((Number) t).intValue();
    }

    @SuppressWarnings("unchecked")
    private List<String> requests(String part) {
        return (List<String>) d.b.js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes(arguments[0]));", part);
    }

    private static JsonNode firstFailed(JsonNode nodes) {
        for (JsonNode n : nodes) {
            if (n.path("is_error").asBoolean()) {
                return n;
            }
            JsonNode child = firstFailed(n.path("children"));
            if (child != null) {
                return child;
            }
        }
        return null;
    }

    /** {@code n} failed traces, alternately rate-limited and timed out at the payment gateway, each a generation under a root. */
    private void ingest(int n) throws Exception {
        List<JsonNode> list = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "tm-" + sent++;
            ids.add(id);
            boolean rate = sent % 2 == 0;
            String now = Instant.now().toString();
            ArrayNode events = HttpApi.JSON.createArrayNode();
            ObjectNode gen = events.addObject().put("event", "$ai_generation").put("distinct_id", "user-" + (sent % 5)).put("timestamp", now);
            ObjectNode p = gen.putObject("properties").put("$ai_trace_id", id).put("$ai_span_id", "g1").put("$ai_parent_id", id)
                    .put("$ai_model", "gpt-4o-mini").put("$ai_provider", "openai").put("$ai_span_name", "answer").put("$ai_latency", rate ? 0.4 : 30.0)
                    .put("$ai_is_error", true).put("$ai_http_status", rate ? 429 : 504)
                    .put("$ai_error", rate ? "Rate limit exceeded: 429 Too Many Requests" : "Payment gateway timed out after 30 s");
            p.putArray("$ai_input").addObject().put("role", "user").put("content", rate ? "Summarise my notes " + i : "Pay invoice " + i);
            events.addObject().put("event", "$ai_trace").put("distinct_id", "user-" + (sent % 5)).put("timestamp", now).putObject("properties")
                    .put("$ai_trace_id", id).put("$ai_span_name", "assistant");
            events.forEach(list::add);
        }
        d.server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, list));
        for (String id : ids) {
            d.server.http.awaitApi("/api/projects/default/traces/" + id, r -> r.status() == 200 && r.json().path("tree").size() > 0, Duration.ofSeconds(30));
        }
    }
}
