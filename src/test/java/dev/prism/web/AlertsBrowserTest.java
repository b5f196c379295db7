package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.alert.Receiver;
import dev.prism.alert.WebhookSignature;
import dev.prism.support.Browser;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
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
 * The Alerts view in headless Chromium against a real server: a rule made through the form with a signed webhook to a
 * local receiver, the server's 400 shown next to the fields, a test alert delivered and seen in the delivery log, the
 * destination's secrets never in the page, keyboard use, and an axe-core audit at 1440 and 390 px. One server and one
 * browser for the class; the server may reach loopback ({@code alerts.allowPrivateDestinations}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Alerts view in headless Chromium")
class AlertsBrowserTest {

    private static final String THEME = "error_analysis";
    private static final String SECRET = "whsec-9f2c41d7e0b8a6f3c5d2"; // 26 characters
    private static final String HOOK_PATH = "/hooks/prism-T0-B0-3b7e91a2"; // a path as secret as a Slack URL's

    private Vertx vertx;
    private ServicePostgres pg;
    private TestServer server;
    private Receiver receiver;
    private Browser b;
    private String base;
    private String ruleId;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        Assumptions.assumeTrue(Browser.installed(),
                "Chromium is not installed: apt-get install -y chromium chromium-driver (the build does it before the tests: src/test/sh/test-services.sh)");
        pg = ServicePostgres.createDatabase();
        vertx = Vertx.vertx();
        receiver = TestServer.await(new Receiver(vertx).listen(0));
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.put("alerts.allowPrivateDestinations", "true");
        server = TestServer.start(vertx, settings);
        base = "http://127.0.0.1:" + server.server.httpPort();
        b = new Browser();
    }

    @AfterAll
    void stop() throws Exception {
        if (b != null) {
            b.close();
        }
        if (server != null) {
            server.stop();
        }
        if (receiver != null) {
            TestServer.await(receiver.close());
        }
        if (vertx != null) {
            TestServer.await(vertx.close());
        }
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void nothingBlockedByContentSecurityPolicy() {
        assertThat(b.cspViolations()).as("CSP violations").isEmpty();
        b.width(0);
    }

    @Test
    @Order(1)
    @DisplayName("create a growth rule with a signed webhook through the form; the server's 400 is shown next to its fields")
    void createThroughTheForm() throws Exception {
        signedIn();
        b.driver.get(base + "/#/alerts");
        b.waitFor(() -> b.count("[data-testid=alerts-empty]") == 1, "empty rules list");
        assertThat(b.find("nav a[data-nav=alerts]").getAttribute("class")).contains("active");
        b.find("[data-testid=alert-new]").click();
        b.waitFor(() -> "new".equals(b.js("return document.body.dataset.alertReady")), "the new-rule form");

        select("[data-testid=alert-theme]", THEME);
        select("[data-testid=alert-trigger-type]", "growth");
        assertThat(b.find("[data-testid=alert-percent]").isDisplayed()).isTrue();
        assertThat(b.find("[data-testid=alert-size]").isDisplayed()).isFalse();
        type("[data-testid=alert-percent]", "200");
        type("[data-testid=alert-min-count]", "20");
        type("[data-testid=alert-title-contains]", "payment");
        select("[data-testid=alert-min-severity]", "medium");
        select("[data-testid=alert-add-type]", "webhook");
        b.find("[data-testid=alert-add-destination]").click();
        type("[data-testid=dest-url]", receiver.url(HOOK_PATH));
        type("[data-testid=dest-secret]", "too-short");

        // No name and a short secret: the server's one 400 names both; each message lands next to its field.
        b.find("[data-testid=alert-save]").click();
        b.waitFor(() -> b.text("[data-testid=alert-form-errors]").contains("not saved"), "the server's validation messages");
        assertThat(b.text("[data-testid=alert-form-errors]")).contains("Name: required")
                .contains("1. Signed webhook (new) › Signing secret (16+ characters): required, at least 16 characters");
        WebElement nameField = b.find("[data-field=name]");
        assertThat(nameField.getText()).contains("required");
        assertThat(b.find("[data-testid=alert-name]").getAttribute("aria-invalid")).isEqualTo("true");
        WebElement secret = b.find("[data-testid=dest-secret]");
        assertThat(secret.getAttribute("aria-invalid")).isEqualTo("true");
        String describedBy = secret.getAttribute("aria-describedby");
        assertThat(b.js("return arguments[0].split(' ').map(id => document.getElementById(id).textContent).join(' ')", describedBy).toString())
                .contains("at least 16 characters");
        assertThat(b.js("return document.activeElement.dataset.testid")).isEqualTo("alert-form-errors");
        b.shot("30-alert-form-errors");
        assertThat(server.http.api("/api/projects/default/alerts").json().get("results")).isEmpty();

        type("[data-testid=alert-name]", "Errors tripling");
        type("[data-testid=dest-secret]", SECRET);
        b.find("[data-testid=alert-save]").click();
        b.waitFor(() -> b.driver.getCurrentUrl().matches(".*#/alerts/r_[^/]+$")
                && b.driver.getCurrentUrl().endsWith(String.valueOf(b.js("return document.body.dataset.alertReady"))), "the saved rule's page");
        ruleId = b.driver.getCurrentUrl().replaceAll(".*#/alerts/", "");

        JsonNode rule = server.http.api("/api/projects/default/alerts/" + ruleId).json();
        assertThat(rule.get("name").asText()).isEqualTo("Errors tripling");
        assertThat(rule.get("theme_id").asText()).isEqualTo(THEME);
        assertThat(rule.get("trigger").get("type").asText()).isEqualTo("growth");
        assertThat(rule.get("trigger").get("percent").asDouble()).isEqualTo(200.0);
        assertThat(rule.get("trigger").get("window").asText()).isEqualTo("day");
        assertThat(rule.get("trigger").get("min_count").asInt()).isEqualTo(20);
        assertThat(rule.get("conditions").get("title_contains").asText()).isEqualTo("payment");
        assertThat(rule.get("conditions").get("min_severity").asText()).isEqualTo("medium");
        assertThat(rule.get("destinations").get(0).get("type").asText()).isEqualTo("webhook");
        assertThat(rule.get("destinations").get(0).get("secret_set").asBoolean()).isTrue();
        assertThat(rule.get("enabled").asBoolean()).isTrue();

        // The saved form shows the secrets as set, with empty inputs.
        assertThat(b.text("[data-testid=dest-url-set]")).isEqualTo("set (127.0.0.1)");
        assertThat(b.text("[data-testid=dest-secret-set]")).isEqualTo("set");
        assertThat(b.find("[data-testid=dest-url]").getAttribute("value")).isEmpty();
        assertThat(b.find("[data-testid=dest-secret]").getAttribute("value")).isEmpty();
        secretsNotInPage();
    }

    @Test
    @Order(2)
    @DisplayName("send a test alert: the receiver gets one signed notice and the delivery log shows it delivered")
    void testAlertAndDeliveryLog() throws Exception {
        signedIn();
        openRule();
        b.waitFor(() -> b.count("[data-testid=alert-deliveries-empty]:not([hidden])") == 1, "an empty delivery log");
        long started = System.nanoTime();
        b.find("[data-testid=alert-test]").click();
        b.waitFor(() -> b.find("[data-testid=alert-test-outcome]").getAttribute("data-state") != null, "the test alert's outcome");
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(b.text("[data-testid=alert-test-outcome]")).isEqualTo("Test alert: Signed webhook delivered (200)");

        List<Receiver.Received> got = receiver.received(HOOK_PATH);
        assertThat(got).hasSize(1);
        Receiver.Received r = got.get(0);
        assertThat(r.body().get("kind").asText()).isEqualTo("test");
        assertThat(r.body().get("rule_id").asText()).isEqualTo(ruleId);
        long ts = Long.parseLong(r.header(WebhookSignature.TIMESTAMP_HEADER));
        assertThat(r.header(WebhookSignature.SIGNATURE_HEADER)).isEqualTo(WebhookSignature.sign(SECRET, ts, r.raw()));

        b.waitFor(() -> b.count("[data-testid=alert-deliveries] tbody tr") == 1, "one row in the delivery log");
        WebElement row = b.find("[data-testid=alert-deliveries] tbody tr");
        assertThat(row.getAttribute("data-status")).isEqualTo("delivered");
        assertThat(row.getAttribute("data-kind")).isEqualTo("test");
        List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(2)).isEqualTo("1. Signed webhook");
        assertThat(cells.get(3)).isEqualTo("delivered");
        assertThat(cells.get(4)).isEqualTo("1");
        assertThat(cells.get(5)).isEqualTo("200");
        assertThat(b.text("[data-testid=alert-deliveries] thead")).contains("STATUS").contains("ATTEMPTS").contains("RESPONSE").contains("TIME");
        b.shot("31-alert-delivered");
        secretsNotInPage();
        System.out.printf("Alerts UI: test alert delivered and shown in %d ms%n", millis);
    }

    @Test
    @Order(3)
    @DisplayName("the list says the trigger in words; enabled toggles by keyboard; a name-only edit keeps the stored secrets")
    void listToggleAndEdit() throws Exception {
        signedIn();
        b.driver.get(base + "/#/themes");
        b.waitFor(() -> b.count("#nav:not([hidden])") == 1, "signed in");
        Actions keys = new Actions(b.driver);
        tabUntil(keys, "nav a[data-nav=alerts]", 20);
        keys.sendKeys(Keys.ENTER).perform();
        b.waitFor(() -> "1".equals(b.js("return document.body.dataset.alertsReady")), "rules list by keyboard");
        WebElement row = b.find("[data-testid=alert-rules] tbody tr[data-rule=" + ruleId + "]");
        assertThat(row.getText()).contains("Errors tripling").contains("Errors and failures");
        assertThat(b.text("[data-testid=alert-trigger]"))
                .isEqualTo("grows 200 % day over day, at least 20 traces; title contains “payment”, severity medium or higher");
        assertThat(b.text("[data-testid=alert-destinations]")).isEqualTo("Signed webhook (127.0.0.1)");
        b.waitFor(() -> b.text("[data-testid=alert-last-fired]").equals("never"), "a test alert is not a firing");
        // Per theme: another theme's filter shows none of them, and its "New rule" starts on that theme.
        select("[data-testid=alerts-theme-filter]", "performance_issues");
        b.waitFor(() -> b.driver.getCurrentUrl().endsWith("#/alerts?theme=performance_issues") && b.count("[data-testid=alerts-empty]") == 1, "filtered by theme");
        b.find("[data-testid=alert-new]").click();
        b.waitFor(() -> "new".equals(b.js("return document.body.dataset.alertReady")), "the new-rule form for the theme");
        assertThat(b.js("return document.querySelector('[data-testid=alert-theme]').value")).isEqualTo("performance_issues");
        b.driver.navigate().back();
        b.waitFor(() -> b.count("[data-testid=alerts-empty]") == 1, "back on the filtered list");
        select("[data-testid=alerts-theme-filter]", THEME);
        b.waitFor(() -> b.count("[data-testid=alert-rules] tbody tr[data-rule=" + ruleId + "]") == 1, "the theme's rule");

        tabUntil(keys, "[data-testid=alert-enabled-" + ruleId + "]", 20);
        assertThat(b.js("return document.activeElement.getAttribute('aria-label')")).isEqualTo("Enabled: Errors tripling");
        keys.sendKeys(Keys.SPACE).perform();
        awaitApi(ruleId, r -> !r.get("enabled").asBoolean(), "disabled through the toggle");

        // Edit the name only: destinations are left out of the PATCH, so the stored secrets stay and still deliver.
        b.find("[data-testid=alert-link]").click();
        b.waitFor(() -> ruleId.equals(b.js("return document.body.dataset.alertReady")), "the rule's page");
        assertThat(b.find("[data-testid=alert-enabled]").isSelected()).isFalse();
        type("[data-testid=alert-name]", "Errors tripling (payments)");
        b.find("[data-testid=alert-save]").click();
        b.waitFor(() -> b.text("[data-testid=alert-saved]").startsWith("Saved"), "saved");
        JsonNode rule = server.http.api("/api/projects/default/alerts/" + ruleId).json();
        assertThat(rule.get("name").asText()).isEqualTo("Errors tripling (payments)");
        assertThat(rule.get("destinations").get(0).get("url_set").asBoolean()).isTrue();
        assertThat(rule.get("destinations").get(0).get("secret_set").asBoolean()).isTrue();
        assertThat(b.text("[data-testid=alert-title]")).isEqualTo("Errors tripling (payments)");

        // Changing the destinations without typing the secrets again is refused in the form, before any request.
        b.find("[data-testid=alert-add-destination]").click(); // Slack, the first type
        b.find("[data-testid=alert-save]").click();
        b.waitFor(() -> b.text("[data-testid=alert-form-errors]").contains("1. Signed webhook › Webhook URL: type it again"), "secrets asked again");
        assertThat(server.http.api("/api/projects/default/alerts/" + ruleId).json().get("destinations")).hasSize(1);
        secretsNotInPage();
    }

    @Test
    @Order(4)
    @DisplayName("delete asks for confirmation first")
    void deleteWithConfirmation() throws Exception {
        String other = server.http.admin("POST", "/api/projects/default/alerts",
                "{\"name\": \"New problems\", \"theme_id\": \"" + THEME + "\", \"trigger\": {\"type\": \"new_cluster\"}, "
                        + "\"destinations\": [{\"type\": \"slack\", \"url\": \"" + receiver.url("/slack/T1") + "\"}, "
                        + "{\"type\": \"github\", \"token\": \"ghp_tok3n0000000000\", \"repo\": \"acme/shop\", "
                        + "\"api_url\": \"" + receiver.url("/api/v3") + "\", \"key\": \"shop-tracker\"}]}").json().get("id").asText();
        signedIn();
        b.driver.get(base + "/#/alerts/" + other);
        b.waitFor(() -> other.equals(b.js("return document.body.dataset.alertReady")), "the other rule's page");
        // A tracker destination: its plain repository shown and editable, every secret only as "set".
        WebElement github = b.find("fieldset.destination[data-type=github]");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-repo]")).getAttribute("value")).isEqualTo("acme/shop");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-token-set]")).getText()).isEqualTo("set");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-api_url-set]")).getText()).isEqualTo("set (127.0.0.1)");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-key-set]")).getText()).isEqualTo("set");
        assertThat(b.driver.getPageSource()).doesNotContain("ghp_tok3n").doesNotContain("/api/v3").doesNotContain("shop-tracker");
        // Changing the repository sends the list again: every stored secret, the optional ones too, is asked for.
        type("fieldset.destination[data-type=github] [data-testid=dest-repo]", "acme/shop2");
        b.find("[data-testid=alert-save]").click();
        b.waitFor(() -> b.text("[data-testid=alert-form-errors]").contains("2. GitHub › API URL (optional, Enterprise): type it again"), "optional secrets asked again");
        assertThat(b.text("[data-testid=alert-form-errors]")).contains("2. GitHub › Token: type it again")
                .contains("2. GitHub › Ticket key (optional, shared across rules): type it again").contains("1. Slack › Incoming webhook URL: type it again");
        b.find("[data-testid=alert-delete]").click();
        assertThat(b.text("[data-testid=alert-delete-confirm]")).contains("Delete the rule “New problems”?");
        assertThat(b.js("return document.activeElement.textContent")).isEqualTo("Cancel");
        b.find("[data-testid=alert-delete-confirm] button:not(.danger)").click();
        assertThat(b.find("[data-testid=alert-delete-confirm]").isDisplayed()).isFalse();
        assertThat(server.http.api("/api/projects/default/alerts/" + other).status()).isEqualTo(200);
        b.find("[data-testid=alert-delete]").click();
        b.find("[data-testid=alert-delete-yes]").click();
        b.waitFor(() -> b.driver.getCurrentUrl().endsWith("#/alerts") && "1".equals(b.js("return document.body.dataset.alertsReady")), "back on the list");
        assertThat(server.http.api("/api/projects/default/alerts/" + other).status()).isEqualTo(404);
        assertThat(b.count("[data-testid=alert-rules] tbody tr")).isEqualTo(1);
    }

    @Test
    @Order(5)
    @DisplayName("axe-core finds no serious or critical violation, and nothing scrolls sideways, at 1440 and 390 px")
    void accessibility() {
        signedIn();
        Map<String, String> views = new java.util.LinkedHashMap<>();
        views.put("alerts", "#/alerts");
        views.put("alert-new", "#/alerts/new");
        views.put("alert-rule", "#/alerts/" + ruleId);
        List<String> problems = new ArrayList<>();
        for (int width : new int[]{1440, 390}) {
            b.width(width);
            for (var v : views.entrySet()) {
                b.driver.get(base + "/" + v.getValue());
                String ready = v.getKey().equals("alerts") ? "alertsReady" : "alertReady";
                b.waitFor(() -> b.js("return document.body.dataset." + ready) != null
                        && (!v.getKey().equals("alert-rule") || b.count("[data-testid=alert-deliveries] tbody tr") > 0), v.getKey() + " at " + width);
                if (v.getKey().equals("alert-new")) {
                    // The form with a destination of each type, and the server's messages showing.
                    for (String type : List.of("slack", "webhook", "linear", "github")) {
                        select("[data-testid=alert-add-type]", type);
                        b.find("[data-testid=alert-add-destination]").click();
                    }
                    b.find("[data-testid=alert-save]").click();
                    b.waitFor(() -> b.text("[data-testid=alert-form-errors]").contains("not saved"), "messages at " + width);
                }
                for (String violation : b.axe()) {
                    problems.add(v.getKey() + " @" + width + ": " + violation);
                }
                long overflow = b.horizontalOverflow();
                if (overflow > 0) {
                    problems.add(v.getKey() + " @" + width + ": scrolls sideways by " + overflow + " px");
                }
                b.shot("a11y-" + v.getKey() + "-" + width);
                b.js("delete document.body.dataset.alertsReady; delete document.body.dataset.alertReady;");
            }
        }
        System.out.printf("axe-core on %d alert views at 1440 and 390 px: %d serious or critical problems%n", views.size(), problems.size());
        assertThat(problems).as("accessibility problems").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private void openRule() {
        b.driver.get(base + "/#/alerts/" + ruleId);
        b.waitFor(() -> ruleId.equals(b.js("return document.body.dataset.alertReady")), "the rule's page");
    }

    /** Neither the signing secret nor the webhook's secret path is anywhere in the document or an input's value. */
    private void secretsNotInPage() {
        String everything = b.driver.getPageSource() + "\n"
                + b.js("return [...document.querySelectorAll('input, select, textarea')].map(i => i.value).join('\\n')");
        assertThat(everything).doesNotContain(SECRET).doesNotContain(HOOK_PATH).doesNotContain("too-short");
    }

    /** Picks an option as a user would (the change event fires); selenium-support's Select is not on the classpath. */
    private void select(String css, String value) {
        Object ok = b.js("const s = document.querySelector(arguments[0]); if (![...s.options].some(o => o.value === arguments[1])) return false;"
                + " s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true})); return true;", css, value);
        assertThat(ok).as("option " + value + " of " + css).isEqualTo(Boolean.TRUE);
    }

    private void type(String css, String text) {
        WebElement el = b.find(css);
        el.clear();
        el.sendKeys(text);
    }

    private void awaitApi(String id, java.util.function.Predicate<JsonNode> done, String what) {
        b.waitFor(() -> {
            try {
                return done.test(server.http.api("/api/projects/default/alerts/" + id).json());
            } catch (Exception e) {
                return false;
            }
        }, what);
    }

    /** Presses Tab until the focused element matches {@code css}; answers how many presses it took. */
    private int tabUntil(Actions keys, String css, int max) {
        for (int i = 1; i <= max; i++) {
            keys.sendKeys(Keys.TAB).perform();
            if (Boolean.TRUE.equals(b.js("return document.activeElement.matches(arguments[0])", css))) {
                return i;
            }
        }
        b.shot("failed-tab-to-" + css.replaceAll("[^A-Za-z0-9]+", "-"));
        throw new AssertionError("Tab never reached " + css + "; last focus: " + b.js("return document.activeElement.outerHTML.slice(0, 200)"));
    }

    private void signedIn() {
        b.driver.get(base + "/");
        b.js("sessionStorage.setItem('prism.key', arguments[0])", TestServer.ADMIN_KEY);
    }
}
