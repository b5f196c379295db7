package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.alert.Receiver;
import dev.prism.alert.WebhookSignature;
import dev.prism.support.DashboardServer;
import dev.prism.support.TestServer;
import java.nio.file.Path;
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

    private DashboardServer d;
    private Receiver receiver;
    private String ruleId;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        d = DashboardServer.start(dataDir, Map.of("alerts.allowPrivateDestinations", "true"));
        receiver = TestServer.await(new Receiver(d.vertx).listen(0));
    }

    @AfterAll
    void stop() throws Exception {
        if (receiver != null) {
            TestServer.await(receiver.close());
        }
        if (d != null) {
            d.close();
        }
    }

    @AfterEach
    void nothingBlockedByContentSecurityPolicy() {
        d.nothingBlockedAndFullWidth();
    }

    @Test
    @Order(1)
    @DisplayName("create a growth rule with a signed webhook through the form; the server's 400 is shown next to its fields")
    void createThroughTheForm() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/#/alerts");
        d.b.waitFor(() -> d.b.count("[data-testid=alerts-empty]") == 1, "empty rules list");
        assertThat(d.b.find("nav a[data-nav=alerts]").getAttribute("class")).contains("active");
        d.b.find("[data-testid=alert-new]").click();
        d.b.waitFor(() -> "new".equals(d.b.js("return document.body.dataset.alertReady")), "the new-rule form");

        d.select("[data-testid=alert-theme]", THEME);
        d.select("[data-testid=alert-trigger-type]", "growth");
        assertThat(d.b.find("[data-testid=alert-percent]").isDisplayed()).isTrue();
        assertThat(d.b.find("[data-testid=alert-size]").isDisplayed()).isFalse();
        d.type("[data-testid=alert-percent]", "200");
        d.type("[data-testid=alert-min-count]", "20");
        d.type("[data-testid=alert-title-contains]", "payment");
        d.select("[data-testid=alert-min-severity]", "medium");
        d.select("[data-testid=alert-add-type]", "webhook");
        d.b.find("[data-testid=alert-add-destination]").click();
        d.type("[data-testid=dest-url]", receiver.url(HOOK_PATH));
        d.type("[data-testid=dest-secret]", "too-short");

        // No name and a short secret: the server's one 400 names both; each message lands next to its field.
        d.b.find("[data-testid=alert-save]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=alert-form-errors]").contains("not saved"), "the server's validation messages");
        assertThat(d.b.text("[data-testid=alert-form-errors]")).contains("Name: required")
                .contains("1. Signed webhook (new) › Signing secret (16+ characters): required, at least 16 characters");
        WebElement nameField = d.b.find("[data-field=name]");
        assertThat(nameField.getText()).contains("required");
        assertThat(d.b.find("[data-testid=alert-name]").getAttribute("aria-invalid")).isEqualTo("true");
        WebElement secret = d.b.find("[data-testid=dest-secret]");
        assertThat(secret.getAttribute("aria-invalid")).isEqualTo("true");
        String describedBy = secret.getAttribute("aria-describedby");
        assertThat(d.b.js("return arguments[0].split(' ').map(id => document.getElementById(id).textContent).join(' ')", describedBy).toString())
                .contains("at least 16 characters");
        assertThat(d.b.js("return document.activeElement.dataset.testid")).isEqualTo("alert-form-errors");
        d.b.shot("30-alert-form-errors");
        assertThat(d.server.http.api("/api/projects/default/alerts").json().get("results")).isEmpty();

        d.type("[data-testid=alert-name]", "Errors tripling");
        d.type("[data-testid=dest-secret]", SECRET);
        d.b.find("[data-testid=alert-save]").click();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().matches(".*#/alerts/r_[^/]+$")
                && d.b.driver.getCurrentUrl().endsWith(String.valueOf(d.b.js("return document.body.dataset.alertReady"))), "the saved rule's page");
        ruleId = d.b.driver.getCurrentUrl().replaceAll(".*#/alerts/", "");

        JsonNode rule = d.server.http.api("/api/projects/default/alerts/" + ruleId).json();
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
        assertThat(d.b.text("[data-testid=dest-url-set]")).isEqualTo("set (127.0.0.1)");
        assertThat(d.b.text("[data-testid=dest-secret-set]")).isEqualTo("set");
        assertThat(d.b.find("[data-testid=dest-url]").getAttribute("value")).isEmpty();
        assertThat(d.b.find("[data-testid=dest-secret]").getAttribute("value")).isEmpty();
        secretsNotInPage();
    }

    @Test
    @Order(2)
    @DisplayName("send a test alert: the receiver gets one signed notice and the delivery log shows it delivered")
    void testAlertAndDeliveryLog() throws Exception {
        d.signedIn();
        openRule();
        d.b.waitFor(() -> d.b.count("[data-testid=alert-deliveries-empty]:not([hidden])") == 1, "an empty delivery log");
        long started = System.nanoTime();
        d.b.find("[data-testid=alert-test]").click();
        d.b.waitFor(() -> d.b.find("[data-testid=alert-test-outcome]").getAttribute("data-state") != null, "the test alert's outcome");
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(d.b.text("[data-testid=alert-test-outcome]")).isEqualTo("Test alert: Signed webhook delivered (200)");

        List<Receiver.Received> got = receiver.received(HOOK_PATH);
        assertThat(got).hasSize(1);
        Receiver.Received r = got.get(0);
        assertThat(r.body().get("kind").asText()).isEqualTo("test");
        assertThat(r.body().get("rule_id").asText()).isEqualTo(ruleId);
        long ts = Long.parseLong(r.header(WebhookSignature.TIMESTAMP_HEADER));
        assertThat(r.header(WebhookSignature.SIGNATURE_HEADER)).isEqualTo(WebhookSignature.sign(SECRET, ts, r.raw()));

        d.b.waitFor(() -> d.b.count("[data-testid=alert-deliveries] tbody tr") == 1, "one row in the delivery log");
        WebElement row = d.b.find("[data-testid=alert-deliveries] tbody tr");
        assertThat(row.getAttribute("data-status")).isEqualTo("delivered");
        assertThat(row.getAttribute("data-kind")).isEqualTo("test");
        List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(2)).isEqualTo("1. Signed webhook");
        assertThat(cells.get(3)).isEqualTo("delivered");
        assertThat(cells.get(4)).isEqualTo("1");
        assertThat(cells.get(5)).isEqualTo("200");
        assertThat(d.b.text("[data-testid=alert-deliveries] thead")).contains("STATUS").contains("ATTEMPTS").contains("RESPONSE").contains("TIME");
        d.b.shot("31-alert-delivered");
        secretsNotInPage();
        System.out.printf("Alerts UI: test alert delivered and shown in %d ms%n", millis);
    }

    @Test
    @Order(3)
    @DisplayName("the list says the trigger in words; enabled toggles by keyboard; a name-only edit keeps the stored secrets")
    void listToggleAndEdit() throws Exception {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes");
        d.b.waitFor(() -> d.b.count("#nav:not([hidden])") == 1, "signed in");
        Actions keys = new Actions(d.b.driver);
        d.tabUntil(keys, "nav a[data-nav=alerts]", 20);
        keys.sendKeys(Keys.ENTER).perform();
        d.b.waitFor(() -> "1".equals(d.b.js("return document.body.dataset.alertsReady")), "rules list by keyboard");
        WebElement row = d.b.find("[data-testid=alert-rules] tbody tr[data-rule=" + ruleId + "]");
        assertThat(row.getText()).contains("Errors tripling").contains("Errors and failures");
        assertThat(d.b.text("[data-testid=alert-trigger]"))
                .isEqualTo("grows 200 % day over day, at least 20 traces; title contains “payment”, severity medium or higher");
        assertThat(d.b.text("[data-testid=alert-destinations]")).isEqualTo("Signed webhook (127.0.0.1)");
        d.b.waitFor(() -> d.b.text("[data-testid=alert-last-fired]").equals("never"), "a test alert is not a firing");
        // Per theme: another theme's filter shows none of them, and its "New rule" starts on that theme.
        d.select("[data-testid=alerts-theme-filter]", "performance_issues");
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().endsWith("#/alerts?theme=performance_issues") && d.b.count("[data-testid=alerts-empty]") == 1, "filtered by theme");
        d.b.find("[data-testid=alert-new]").click();
        d.b.waitFor(() -> "new".equals(d.b.js("return document.body.dataset.alertReady")), "the new-rule form for the theme");
        assertThat(d.b.js("return document.querySelector('[data-testid=alert-theme]').value")).isEqualTo("performance_issues");
        d.b.driver.navigate().back();
        d.b.waitFor(() -> d.b.count("[data-testid=alerts-empty]") == 1, "back on the filtered list");
        d.select("[data-testid=alerts-theme-filter]", THEME);
        d.b.waitFor(() -> d.b.count("[data-testid=alert-rules] tbody tr[data-rule=" + ruleId + "]") == 1, "the theme's rule");

        d.tabUntil(keys, "[data-testid=alert-enabled-" + ruleId + "]", 20);
        assertThat(d.b.js("return document.activeElement.getAttribute('aria-label')")).isEqualTo("Enabled: Errors tripling");
        keys.sendKeys(Keys.SPACE).perform();
        awaitApi(ruleId, r -> !r.get("enabled").asBoolean(), "disabled through the toggle");

        // Edit the name only: destinations are left out of the PATCH, so the stored secrets stay and still deliver.
        d.b.find("[data-testid=alert-link]").click();
        d.b.waitFor(() -> ruleId.equals(d.b.js("return document.body.dataset.alertReady")), "the rule's page");
        assertThat(d.b.find("[data-testid=alert-enabled]").isSelected()).isFalse();
        d.type("[data-testid=alert-name]", "Errors tripling (payments)");
        d.b.find("[data-testid=alert-save]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=alert-saved]").startsWith("Saved"), "saved");
        JsonNode rule = d.server.http.api("/api/projects/default/alerts/" + ruleId).json();
        assertThat(rule.get("name").asText()).isEqualTo("Errors tripling (payments)");
        assertThat(rule.get("destinations").get(0).get("url_set").asBoolean()).isTrue();
        assertThat(rule.get("destinations").get(0).get("secret_set").asBoolean()).isTrue();
        assertThat(d.b.text("[data-testid=alert-title]")).isEqualTo("Errors tripling (payments)");

        // Changing the destinations without typing the secrets again is refused in the form, before any request.
        d.b.find("[data-testid=alert-add-destination]").click(); // Slack, the first type
        d.b.find("[data-testid=alert-save]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=alert-form-errors]").contains("1. Signed webhook › Webhook URL: type it again"), "secrets asked again");
        assertThat(d.server.http.api("/api/projects/default/alerts/" + ruleId).json().get("destinations")).hasSize(1);
        secretsNotInPage();
    }

    @Test
    @Order(4)
    @DisplayName("delete asks for confirmation first")
    void deleteWithConfirmation() throws Exception {
        String other = d.server.http.admin("POST", "/api/projects/default/alerts",
                "{\"name\": \"New problems\", \"theme_id\": \"" + THEME + "\", \"trigger\": {\"type\": \"new_cluster\"}, "
                        + "\"destinations\": [{\"type\": \"slack\", \"url\": \"" + receiver.url("/slack/T1") + "\"}, "
                        + "{\"type\": \"github\", \"token\": \"ghp_tok3n0000000000\", \"repo\": \"acme/shop\", "
                        + "\"api_url\": \"" + receiver.url("/api/v3") + "\", \"key\": \"shop-tracker\"}]}").json().get("id").asText();
        d.signedIn();
        d.b.driver.get(d.base + "/#/alerts/" + other);
        d.b.waitFor(() -> other.equals(d.b.js("return document.body.dataset.alertReady")), "the other rule's page");
        // A tracker destination: its plain repository shown and editable, every secret only as "set".
        WebElement github = d.b.find("fieldset.destination[data-type=github]");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-repo]")).getAttribute("value")).isEqualTo("acme/shop");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-token-set]")).getText()).isEqualTo("set");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-api_url-set]")).getText()).isEqualTo("set (127.0.0.1)");
        assertThat(github.findElement(By.cssSelector("[data-testid=dest-key-set]")).getText()).isEqualTo("set");
        assertThat(d.b.driver.getPageSource()).doesNotContain("ghp_tok3n").doesNotContain("/api/v3").doesNotContain("shop-tracker");
        // Changing the repository sends the list again: every stored secret, the optional ones too, is asked for.
        d.type("fieldset.destination[data-type=github] [data-testid=dest-repo]", "acme/shop2");
        d.b.find("[data-testid=alert-save]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=alert-form-errors]").contains("2. GitHub › API URL (optional, Enterprise): type it again"), "optional secrets asked again");
        assertThat(d.b.text("[data-testid=alert-form-errors]")).contains("2. GitHub › Token: type it again")
                .contains("2. GitHub › Ticket key (optional, shared across rules): type it again").contains("1. Slack › Incoming webhook URL: type it again");
        d.b.find("[data-testid=alert-delete]").click();
        assertThat(d.b.text("[data-testid=alert-delete-confirm]")).contains("Delete the rule “New problems”?");
        assertThat(d.b.js("return document.activeElement.textContent")).isEqualTo("Cancel");
        d.b.find("[data-testid=alert-delete-confirm] button:not(.danger)").click();
        assertThat(d.b.find("[data-testid=alert-delete-confirm]").isDisplayed()).isFalse();
        assertThat(d.server.http.api("/api/projects/default/alerts/" + other).status()).isEqualTo(200);
        d.b.find("[data-testid=alert-delete]").click();
        d.b.find("[data-testid=alert-delete-yes]").click();
        d.b.waitFor(() -> d.b.driver.getCurrentUrl().endsWith("#/alerts") && "1".equals(d.b.js("return document.body.dataset.alertsReady")), "back on the list");
        assertThat(d.server.http.api("/api/projects/default/alerts/" + other).status()).isEqualTo(404);
        assertThat(d.b.count("[data-testid=alert-rules] tbody tr")).isEqualTo(1);
    }

    @Test
    @Order(5)
    @DisplayName("axe-core finds no serious or critical violation, and nothing scrolls sideways, at 1440 and 390 px")
    void accessibility() {
        d.signedIn();
        Map<String, String> views = new java.util.LinkedHashMap<>();
        views.put("alerts", "#/alerts");
        views.put("alert-new", "#/alerts/new");
        views.put("alert-rule", "#/alerts/" + ruleId);
        List<String> problems = new ArrayList<>();
        for (int width : new int[]{1440, 390}) {
            d.b.width(width);
            for (var v : views.entrySet()) {
                d.b.driver.get(d.base + "/" + v.getValue());
                String ready = v.getKey().equals("alerts") ? "alertsReady" : "alertReady";
                d.b.waitFor(() -> d.b.js("return document.body.dataset." + ready) != null
                        && (!v.getKey().equals("alert-rule") || d.b.count("[data-testid=alert-deliveries] tbody tr") > 0), v.getKey() + " at " + width);
                if (v.getKey().equals("alert-new")) {
                    // The form with a destination of each type, and the server's messages showing.
                    for (String type : List.of("slack", "webhook", "linear", "github")) {
                        d.select("[data-testid=alert-add-type]", type);
                        d.b.find("[data-testid=alert-add-destination]").click();
                    }
                    d.b.find("[data-testid=alert-save]").click();
                    d.b.waitFor(() -> d.b.text("[data-testid=alert-form-errors]").contains("not saved"), "messages at " + width);
                }
                for (String violation : d.b.axe()) {
                    problems.add(v.getKey() + " @" + width + ": " + violation);
                }
                long overflow = d.b.horizontalOverflow();
                if (overflow > 0) {
                    problems.add(v.getKey() + " @" + width + ": scrolls sideways by " + overflow + " px");
                }
                d.b.shot("a11y-" + v.getKey() + "-" + width);
                d.b.js("delete document.body.dataset.alertsReady; delete document.body.dataset.alertReady;");
            }
        }
        System.out.printf("axe-core on %d alert views at 1440 and 390 px: %d serious or critical problems%n", views.size(), problems.size());
        assertThat(problems).as("accessibility problems").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private void openRule() {
        d.b.driver.get(d.base + "/#/alerts/" + ruleId);
        d.b.waitFor(() -> ruleId.equals(d.b.js("return document.body.dataset.alertReady")), "the rule's page");
    }

    /** Neither the signing secret nor the webhook's secret path is anywhere in the document or an input's value. */
    private void secretsNotInPage() {
        String everything = d.b.driver.getPageSource() + "\n"
                + d.b.js("return [...document.querySelectorAll('input, select, textarea')].map(i => i.value).join('\\n')");
        assertThat(everything).doesNotContain(SECRET).doesNotContain(HOOK_PATH).doesNotContain("too-short");
    }

    private void awaitApi(String id, java.util.function.Predicate<JsonNode> done, String what) {
        d.b.waitFor(() -> {
            try {
                return done.test(d.server.http.api("/api/projects/default/alerts/" + id).json());
            } catch (Exception e) {
                return false;
            }
        }, what);
    }
}
