package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.support.DashboardServer;
import dev.prism.support.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Settings view, failures with a Retry, the live connection's recovery and the project picker, in headless
 * Chromium against a real server: LLM provider, model and budget saved and read back; a theme's own model; base
 * filters as rows; an API key created (its secret shown once) and revoked (then refused); a dead letter requeued; a
 * real server 500 named with a Retry that works; the live indicator recovering from a server restart; an unknown
 * project in the URL leading to the picker; axe-core at 1440 and 390 px. One server and one browser for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Settings, failures, live recovery and the project picker in headless Chromium")
class SettingsBrowserTest {

    private DashboardServer d;
    private int loads;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        // A second provider is reachable (by key; no call is made), so the provider picker has a choice.
        d = DashboardServer.start(dataDir, Map.of("llm.openai.apiKey", "sk-test-not-used", "llm.openai.baseUrl", "http://127.0.0.1:9/v1"));
        d.pg.execute("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('second', 'Second project', 'hash-of-nothing')");
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
    @DisplayName("GET /api/projects lists the projects a key covers")
    void projectsApi() throws Exception {
        JsonNode all = d.server.http.api("/api/projects").json().get("results");
        assertThat(all.findValuesAsText("id")).containsExactly("default", "second");
        String key = d.server.http.admin("POST", "/api/projects/second/keys", "{\"name\": \"reader\", \"scopes\": [\"read\"]}").json().get("key").asText();
        assertThat(d.server.http.get("/api/projects", key).json().get("results").findValuesAsText("id")).containsExactly("second");
        assertThat(d.server.http.get("/api/projects", null).status()).isEqualTo(401);
    }

    @Test
    @Order(2)
    @DisplayName("the settings view sets the project's provider, model and budget and a theme's model and budget, and they persist")
    void llmSettings() throws Exception {
        openSettings();
        assertThat(d.b.find("nav a[data-nav=settings]").getAttribute("class")).contains("active");
        d.b.waitFor(() -> d.b.count("[data-testid=llm-save]") == 1, "the LLM form");
        // A negative budget is caught next to its field, before any request.
        d.select("[data-testid=llm-provider]", "openai");
        d.type("[data-testid=llm-model]", "gpt-4.1-mini");
        d.type("[data-testid=llm-budget]", "-1");
        d.b.find("[data-testid=llm-save]").click();
        d.b.waitFor(() -> "true".equals(d.b.find("[data-testid=llm-budget]").getAttribute("aria-invalid")), "the budget's message");
        assertThat(describedBy("[data-testid=llm-budget]")).contains("0 or more");
        assertThat(d.server.http.api("/api/projects/default/llm").json().get("provider_source").asText()).isEqualTo("server");

        d.type("[data-testid=llm-budget]", "2.5");
        d.b.find("[data-testid=llm-save]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=llm-saved]").startsWith("Saved"), "saved");
        JsonNode llm = d.server.http.api("/api/projects/default/llm").json();
        assertThat(llm.get("provider").asText()).isEqualTo("openai");
        assertThat(llm.get("model").asText()).isEqualTo("gpt-4.1-mini");
        assertThat(llm.get("daily_budget_usd").asDouble()).isEqualTo(2.5);
        assertThat(d.b.text("[data-testid=llm-status]")).contains("openai / gpt-4.1-mini").contains("of $2.50");

        // A theme's own model and budget; a negative budget is caught next to its field, before any request.
        d.type("[data-testid=theme-model-ux_issues]", "gpt-4o-mini");
        d.type("[data-testid=theme-budget-ux_issues]", "-1");
        d.b.find("[data-testid=theme-llm-save-ux_issues]").click();
        d.b.waitFor(() -> "true".equals(d.b.find("[data-testid=theme-budget-ux_issues]").getAttribute("aria-invalid")), "the theme budget's message");
        assertThat(describedBy("[data-testid=theme-budget-ux_issues]")).contains("0 or more");
        assertThat(d.server.http.api("/api/projects/default/themes/ux_issues").json().get("llm").has("model")).as("nothing sent").isFalse();
        d.type("[data-testid=theme-budget-ux_issues]", "0.75");
        d.b.find("[data-testid=theme-llm-save-ux_issues]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=theme-effective-ux_issues]").contains("gpt-4o-mini"), "the theme's model in use");
        assertThat(d.b.find("[data-testid=theme-budget-ux_issues]").getAttribute("aria-invalid")).isNull();
        JsonNode themeLlm = d.server.http.api("/api/projects/default/themes/ux_issues").json().get("llm");
        assertThat(themeLlm.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(themeLlm.get("daily_budget_usd").asDouble()).isEqualTo(0.75);
        d.b.waitFor(() -> d.b.text("[data-testid=theme-cost-ux_issues]").contains("of $0.75"), "the theme's budget beside its cost today");

        // Read back after a reload.
        openSettings();
        d.b.waitFor(() -> d.b.count("[data-testid=llm-save]") == 1, "the LLM form again");
        assertThat(d.b.js("return document.querySelector('[data-testid=llm-provider]').value")).isEqualTo("openai");
        assertThat(d.b.find("[data-testid=llm-model]").getAttribute("value")).isEqualTo("gpt-4.1-mini");
        assertThat(d.b.find("[data-testid=llm-budget]").getAttribute("value")).isEqualTo("2.5");
        assertThat(d.b.find("[data-testid=theme-model-ux_issues]").getAttribute("value")).isEqualTo("gpt-4o-mini");
        assertThat(d.b.find("[data-testid=theme-budget-ux_issues]").getAttribute("value")).isEqualTo("0.75");
        JsonNode ux = null;
        for (JsonNode t : d.server.http.api("/api/projects/default/llm").json().get("themes")) {
            if (t.get("theme_id").asText().equals("ux_issues")) {
                ux = t;
            }
        }
        assertThat(ux).isNotNull();
        assertThat(ux.get("daily_budget_usd").asDouble()).isEqualTo(0.75);
        d.b.shot("40-settings");
    }

    @Test
    @Order(3)
    @DisplayName("base filters are edited as rows and saved; a built-in theme's OR filters show as readable groups, not JSON")
    void baseFiltersAsRows() throws Exception {
        openSettings();
        d.b.waitFor(() -> d.b.count("[data-testid=add-project-base-filters-filter]") == 1, "the base filters editor");
        d.b.find("[data-testid=add-project-base-filters-filter]").click();
        d.type("[data-testid=project-base-filters] input.key", "$ai_model");
        d.select("[data-testid=project-base-filters] select.op", "icontains");
        d.type("[data-testid=project-base-filters] input.value", "gpt");
        assertThat(d.b.find("[data-testid=project-base-filters] input.key").getAttribute("aria-label")).isEqualTo("Base filters, condition 1: property");
        d.b.find("[data-testid=base-filters-save]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=base-filters-saved]").startsWith("Saved"), "base filters saved");
        JsonNode saved = d.server.http.api("/api/projects/default/base_filters").json().get("base_filters");
        assertThat(saved).hasSize(1);
        assertThat(saved.get(0).get("key").asText()).isEqualTo("$ai_model");
        assertThat(saved.get(0).get("operator").asText()).isEqualTo("icontains");
        assertThat(saved.get(0).get("value").asText()).isEqualTo("gpt");

        d.b.driver.get(d.base + "/#/themes/performance_issues/edit");
        d.b.waitFor(() -> d.b.count("[data-testid=theme-filters] .filter-group") == 5, "the built-in theme's five OR groups as rows");
        assertThat(d.b.count("[data-testid=theme-filters-json]")).isZero();
        assertThat(d.b.js("return document.querySelector('[data-testid=theme-filters-mode]').value")).isEqualTo("any");
        assertThat(d.b.text("[data-testid=theme-filters] .filter-group legend")).isEqualTo("Group 1: all of these");
        assertThat(d.b.find("[data-testid=theme-filters] input.key").getAttribute("value")).isEqualTo("trace.latency");
        assertThat(d.b.js("return document.querySelector('[data-testid=theme-filters] select.op').selectedOptions[0].textContent")).isEqualTo("≥");
        d.b.js("document.querySelector('[data-testid=theme-filters]').scrollIntoView()");
        d.b.shot("41-builtin-filters-as-rows");
    }

    @Test
    @Order(4)
    @DisplayName("an API key is created and shown once, works, and is refused (401) once revoked")
    void apiKeys() throws Exception {
        openSettings();
        d.b.waitFor(() -> d.b.count("[data-testid=key-create]") == 1, "the key form");
        d.b.find("[data-testid=key-create]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=settings-keys]").contains("A key needs a name."), "the name's message");
        d.type("[data-testid=key-name]", "ci reader");
        d.b.find("[data-testid=key-create]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=key-secret]") == 1, "the new key, shown once");
        String secret = d.b.find("[data-testid=key-secret]").getAttribute("value");
        assertThat(secret).startsWith("prism_key_");
        assertThat(d.b.text("[data-testid=key-created]")).contains("shown only this once");
        assertThat(d.server.http.get("/api/projects/default/themes", secret).status()).isEqualTo(200);
        d.b.js("document.querySelector('[data-testid=settings-keys]').scrollIntoView()");
        d.b.shot("42-key-created");

        d.b.find("[data-testid=key-done]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=key-secret]") == 0, "the secret gone");
        assertThat(pageHolds(secret)).as("secret in the page after Done").isFalse();
        openSettings();
        d.b.waitFor(() -> d.b.text("[data-testid=api-keys]").contains("ci reader"), "the key listed");
        assertThat(pageHolds(secret)).as("secret in the page after a reload").isFalse();
        assertThat(d.b.text("[data-testid=api-keys]")).contains(secret.substring(0, 14));

        d.b.js("[...document.querySelectorAll('[data-testid=api-keys] tr')].find(r => r.textContent.includes('ci reader'))"
                + ".querySelector('[data-testid=key-revoke]').click()");
        d.b.find("[data-testid=key-revoke-yes]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=api-keys]").contains("Revoked: it stops working"), "revoked");
        assertThat(d.server.http.get("/api/projects/default/themes", secret).status()).isEqualTo(401);
    }

    @Test
    @Order(5)
    @DisplayName("a dead letter is requeued from the settings view")
    void deadLetterRequeued() throws Exception {
        d.pg.execute("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, attempts, last_error, raw_reply)"
                + " VALUES ('default', 'error_analysis', 'gone-trace-<b>x</b>', 1, 1, 'dead', 5, 'HTTP 500: <img src=x onerror=alert(1)>', 'not json')");
        openSettings();
        d.b.waitFor(() -> d.b.count("[data-testid=dead-letters] tbody tr") == 1, "the dead letter");
        assertThat(d.b.text("[data-testid=dead-letters]")).contains("Errors").contains("<img src=x onerror=alert(1)>").contains("gone-trace-<b>x</b>");
        assertThat(d.b.count("[data-testid=dead-letters] img, [data-testid=dead-letters] b")).isZero();
        d.b.js("document.querySelector('[data-testid=settings-dead]').scrollIntoView()");
        d.b.shot("43-dead-letters");
        d.b.find("[data-testid=dead-requeue]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=dead-status]").startsWith("Requeued 1 analysis"), "requeued");
        assertThat(d.b.count("[data-testid=dead-empty]:not([hidden])")).isEqualTo(1);
        JsonNode row = d.server.http.api("/api/projects/default/analyses/dead").json().get("results");
        // Requeued, it is tried again (its trace does not exist, so it may die again later, with a fresh attempt count).
        assertThat(row.isEmpty() || row.get(0).get("attempts").asInt() < 5).isTrue();
    }

    @Test
    @Order(6)
    @DisplayName("a server 500 says what failed, the other sections still work, and Retry loads it once the server recovers")
    void serverErrorWithRetry() throws Exception {
        d.pg.execute("ALTER TABLE llm_calls RENAME TO llm_calls_away");
        try {
            openSettings();
            d.b.waitFor(() -> d.b.count("[data-testid=settings-llm] [data-testid=failure]") == 1, "the failure panel");
            String message = d.b.text("[data-testid=settings-llm] [data-testid=failure-message]");
            assertThat(message).startsWith("Could not load the LLM settings: the server failed (500")
                    .contains("GET /api/projects/default/llm");
            assertThat(d.b.find("[data-testid=settings-llm] [data-testid=failure]").getAttribute("role")).isEqualTo("alert");
            assertThat(d.b.count("[data-testid=key-create]")).as("the keys section still works").isEqualTo(1);
            d.b.shot("44-server-error-retry");
        } finally {
            d.pg.execute("ALTER TABLE llm_calls_away RENAME TO llm_calls");
        }
        d.b.find("[data-testid=settings-llm] [data-testid=retry]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=llm-save]") == 1 && d.b.count("[data-testid=settings-llm] [data-testid=failure]") == 0,
                "the LLM form after Retry");

        // A whole view that fails to load says so too, with a Retry that renders it again.
        d.pg.execute("ALTER TABLE runs RENAME TO runs_away");
        try {
            d.b.driver.get(d.base + "/?project=default&load=" + (++loads) + "#/runs");
            d.b.waitFor(() -> d.b.count("[data-testid=error] [data-testid=retry]") == 1, "the runs view's failure");
            assertThat(d.b.text("[data-testid=failure-message]")).startsWith("Could not show this page: the server failed (500")
                    .contains("GET /api/projects/default/runs");
        } finally {
            d.pg.execute("ALTER TABLE runs_away RENAME TO runs");
        }
        d.b.find("[data-testid=retry]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=runs-table]") == 1, "the runs view after Retry");

        // The results view's clusters: a failure is not "clustering is not available yet".
        d.pg.execute("ALTER TABLE clusters RENAME TO clusters_away");
        try {
            d.b.driver.get(d.base + "/?project=default&load=" + (++loads) + "#/themes/error_analysis/clusters");
            d.b.waitFor(() -> d.b.count("[data-testid=results-body] [data-testid=failure]") == 1, "the clusters' failure");
            assertThat(d.b.text("[data-testid=results-body] [data-testid=failure-message]"))
                    .startsWith("Could not load the clusters: the server failed (500")
                    .contains("GET /api/projects/default/themes/error_analysis/clusters");
            assertThat(d.b.count("[data-testid=clusters-empty]")).isZero();
        } finally {
            d.pg.execute("ALTER TABLE clusters_away RENAME TO clusters");
        }
        d.b.find("[data-testid=results-body] [data-testid=retry]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=results-body] [data-testid=failure]") == 0
                && d.b.count("[data-testid=clusters-empty], [data-testid=cluster-cards]") == 1, "the clusters after Retry");
    }

    @Test
    @Order(7)
    @DisplayName("the project picker switches projects; an unknown project in the URL leads to it, not to a stuck 'connecting'")
    void projectPicker() throws Exception {
        d.b.driver.get(d.base + "/?project=nope#/themes");
        d.b.js("sessionStorage.setItem('prism.key', arguments[0])", TestServer.ADMIN_KEY);
        d.b.driver.navigate().refresh();
        d.b.waitFor(() -> d.b.count("[data-testid=project-picker] button") == 2, "the project picker");
        assertThat(d.b.text("[data-testid=picker-reason]")).contains("There is no project “nope”");
        assertThat(d.b.find("#live").getAttribute("data-state")).isNotEqualTo("connecting");
        d.b.shot("45-project-picker");
        d.b.find("[data-testid=project-picker] button[data-project=second]").click();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().contains("?project=second#/themes"), "the second project in the URL");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "live on the second project");
        assertThat(d.b.js("return document.getElementById('project').value")).isEqualTo("second");

        // The header's picker switches back.
        d.select("#project", "default");
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().contains("?project=default#/themes"), "back on the default project");
        d.b.waitFor(() -> d.b.count("[data-testid=themes-table] tbody tr") >= 6, "the default project's themes");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "live on the default project");
    }

    @Test
    @Order(8)
    @DisplayName("axe-core finds no serious or critical problem on the settings view, a failure, the picker, sign-in and a shared theme, at 1440 and 390 px")
    void accessibility() throws Exception {
        d.pg.execute("INSERT INTO analyses (project_id, theme_id, trace_id, trace_version, prompt_version, status, attempts, last_error, raw_reply)"
                + " VALUES ('default', 'unhappy_users', 'another-gone-trace', 1, 1, 'dead', 5, 'HTTP 429: rate limited', NULL)");
        Map<String, Runnable> views = new LinkedHashMap<>();
        views.put("settings", () -> {
            openSettings();
            d.b.waitFor(() -> d.b.count("[data-testid=dead-letters] tbody tr") >= 1 && d.b.count("[data-testid=llm-save]") == 1, "settings loaded");
            d.type("[data-testid=key-name]", "axe");
            d.b.find("[data-testid=key-create]").click();
            d.b.waitFor(() -> d.b.count("[data-testid=key-secret]") == 1, "a key shown once");
        });
        views.put("projects", () -> {
            d.b.driver.get(d.base + "/?project=default#/projects");
            d.b.waitFor(() -> d.b.count("[data-testid=project-picker] button") == 2, "the picker");
        });
        views.put("failure", () -> {
            try {
                d.pg.execute("ALTER TABLE llm_calls RENAME TO llm_calls_away");
                openSettings();
                d.b.waitFor(() -> d.b.count("[data-testid=settings-llm] [data-testid=failure]") == 1, "the failure panel");
                d.pg.execute("ALTER TABLE llm_calls_away RENAME TO llm_calls");
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
        });
        // The two views seen without a key: the sign-in form, and a theme's results through a share link.
        String shareUrl = d.server.http.admin("POST", "/api/projects/default/themes/error_analysis/shares", "{}").json().get("url").asText();
        views.put("signin", () -> {
            d.b.driver.get(d.base + "/");
            d.b.js("sessionStorage.removeItem('prism.key')");
            d.b.driver.get(d.base + "/?load=" + (++loads));
            d.b.waitFor(() -> d.b.count("#signin-submit") == 1, "the sign-in form");
        });
        views.put("shared", () -> {
            d.b.driver.get(d.base + "/?load=" + (++loads) + shareUrl.substring(1));
            d.b.waitFor(() -> d.b.count("[data-testid=shared-clusters]") == 1, "the shared theme");
        });
        List<String> problems = new ArrayList<>();
        for (int width : new int[] {1440, 390}) {
            d.b.width(width);
            for (var v : views.entrySet()) {
                v.getValue().run();
                for (String p : d.b.axe()) {
                    problems.add(v.getKey() + " @" + width + ": " + p);
                }
                if (width == 390) {
                    assertThat(d.b.horizontalOverflow()).as(v.getKey() + " scrolls sideways at 390 px").isLessThanOrEqualTo(0);
                }
                d.b.shot("a11y-" + v.getKey() + "-" + width);
            }
        }
        System.out.printf("axe-core on %d views at 1440 and 390 px: %d serious or critical problems%n", views.size(), problems.size());
        assertThat(problems).as("accessibility problems").isEmpty();
    }

    @Test
    @Order(9)
    @DisplayName("the live connection recovers by itself after the server restarts, and says so")
    void liveRecovers() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/?project=default#/themes");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "live");
        d.b.js("window.__states = []; new MutationObserver(() => window.__states.push(document.getElementById('live').dataset.state))"
                + ".observe(document.getElementById('live'), {attributes: true});");
        d.restart();
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state"))
                && d.b.text("#live-text").startsWith("reconnected"), Duration.ofSeconds(30), "live again, saying it reconnected");
        @SuppressWarnings("unchecked")
        List<String> states = (List<String>) d.b.js("return window.__states");
        assertThat(states).contains("reconnecting");
        assertThat(d.b.js("return document.getElementById('live-announce').textContent")).isEqualTo("Live updates reconnected.");
        assertThat(d.b.find("#live-retry").isDisplayed()).isFalse();
        d.b.shot("46-live-reconnected");
        // The page keeps working against the restarted server, still signed in.
        d.b.driver.get(d.base + "/?project=default&again=1#/runs");
        d.b.waitFor(() -> "live".equals(d.b.find("#live").getAttribute("data-state")), "live after a reload");
    }

    private void openSettings() {
        if (!TestServer.ADMIN_KEY.equals(d.b.js("try { return sessionStorage.getItem('prism.key'); } catch (e) { return null; }"))) {
            d.signedIn();
        }
        // A new query string loads the page afresh (the same address would only keep the page as it is).
        d.b.driver.get(d.base + "/?project=default&load=" + (++loads) + "#/settings");
        d.b.waitFor(() -> d.b.js("return document.body.dataset.settingsReady") != null, "the settings view");
    }

    /** Whether the text appears anywhere in the document or in any input's value. */
    private boolean pageHolds(String text) {
        return Boolean.TRUE.equals(d.b.js("return document.documentElement.outerHTML.includes(arguments[0])"
                + " || [...document.querySelectorAll('input, textarea')].some(i => i.value.includes(arguments[0]));", text));
    }

    private String describedBy(String css) {
        return String.valueOf(d.b.js("return arguments[0].getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id).textContent).join(' ')",
                d.b.find(css)));
    }
}
