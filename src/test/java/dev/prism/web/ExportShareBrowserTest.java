package dev.prism.web;

import dev.prism.support.Browser;
import dev.prism.support.DashboardServer;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The results view's Export and Share controls in headless Chromium against a real server: a theme exported as Markdown
 * and CSV from the UI (the saved blobs read in the page), a share link created in the UI and opened in a fresh browser
 * without a key, then revoked in the UI (the shared page says so); axe-core with the panels open at 1440 and 390 px.
 * The theme's clusters are written to the database as a re-clustering would leave them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Export and share a theme from the dashboard")
class ExportShareBrowserTest {

    private static final String THEME = "error_analysis";
    private static final List<String> NAMES = List.of("Payment gateway timeouts", "Card declined messages");

    private DashboardServer d;
    private String shareUrl;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path dataDir) throws Exception {
        d = DashboardServer.start(dataDir, Map.of());
        d.pg.execute("""
                INSERT INTO clusters (project_id, cluster_id, theme_id, title, description, size, centroid, x, y, status, retired_into, named_at)
                VALUES ('default', 'c_gateway', 'error_analysis', 'Payment gateway timeouts', 'The payment provider does not answer in time.', 30, '{0,0}', 0, 0, 'active', NULL, now()),
                       ('default', 'c_declined', 'error_analysis', 'Card declined messages', 'Cards refused by the bank.', 8, '{0,0}', 1, 0.5, 'active', NULL, now())""");
    }

    @AfterAll
    void stop() throws Exception {
        if (d != null) {
            d.close();
        }
    }

    @AfterEach
    void nothingBlockedByContentSecurityPolicy() {
        d.nothingBlockedAndFullWidth();
    }

    private void openResults() {
        d.signedIn();
        d.b.driver.get(d.base + "/#/themes/" + THEME + "/clusters");
        d.b.waitFor(() -> d.b.count("[data-testid=export-open]") == 1, "the results header");
    }

    @Test
    @Order(1)
    @DisplayName("export a theme: Markdown and CSV downloaded with the key hold the clusters' names, under the server's filename")
    void exportTheme() {
        openResults();
        // The page saves a Blob through an object URL: read each blob as the page hands it over.
        d.b.js("window.__saved = []; const create = URL.createObjectURL.bind(URL);"
                + " URL.createObjectURL = (blob) => { blob.text().then(t => window.__saved.push(t)); return create(blob); };"
                + " window.__names = []; const click = HTMLAnchorElement.prototype.click;"
                + " HTMLAnchorElement.prototype.click = function () { if (this.download) { window.__names.push(this.download); return; } return click.call(this); };");
        d.b.find("[data-testid=export-open]").click();
        for (String format : List.of("md", "csv")) {
            int before = ((Number) d.b.js("return window.__saved.length")).intValue();
            d.b.find("[data-testid=export-" + format + "]").click();
            d.b.waitFor(() -> ((Number) d.b.js("return window.__saved.length")).intValue() == before + 1, format + " saved");
            String content = (String) d.b.js("return window.__saved[arguments[0]]", before);
            for (String name : NAMES) {
                assertThat(content).as(format + " export").contains(name);
            }
            assertThat((String) d.b.js("return window.__names[arguments[0]]", before)).matches("prism-" + THEME + "-\\d{8}\\." + format);
        }
        assertThat(d.b.text("[data-testid=export-status]")).contains("Downloaded");
        assertThat(d.b.count("[data-testid=failure]")).isZero();
    }

    @Test
    @Order(2)
    @DisplayName("a share link created in the UI shows the clusters in a fresh session without a key; revoked in the UI, the page says it no longer works")
    void shareAndRevoke() throws Exception {
        openResults();
        d.b.find("[data-testid=share-open]").click();
        d.b.waitFor(() -> d.b.text("[data-testid=share-list]").contains("No share links"), "the empty list");
        d.b.find("[data-testid=share-create]").click();
        d.b.waitFor(() -> d.b.count("[data-testid=share-url]") == 1 && d.b.count("[data-testid=share-row]") == 1, "the link shown once and listed");
        shareUrl = (String) d.b.js("return document.querySelector('[data-testid=share-url]').value");
        assertThat(shareUrl).startsWith(d.base + "/#/shared/prism_share_");
        String token = shareUrl.substring(shareUrl.lastIndexOf('/') + 1);
        assertThat(d.b.text("[data-testid=share-list]")).doesNotContain(token);
        d.b.find("[data-testid=share-done]").click();
        assertThat(d.b.count("[data-testid=share-url]")).isZero();

        try (Browser fresh = new Browser()) {
            fresh.driver.get(shareUrl);
            fresh.waitFor(() -> fresh.count("[data-testid=shared-cluster]") == NAMES.size(), "the shared clusters");
            String page = fresh.text("#app");
            NAMES.forEach(n -> assertThat(page).contains(n));
            assertThat(fresh.js("return sessionStorage.getItem('prism.key')")).isNull();

            d.b.find("[data-testid=share-revoke]").click();
            d.b.find("[data-testid=share-revoke-confirm]").click();
            d.b.waitFor(() -> d.b.text("[data-testid=share-state]").startsWith("revoked"), "the link revoked");
            assertThat(d.b.count("[data-testid=share-revoke]")).isZero();

            fresh.driver.navigate().refresh();
            fresh.waitFor(() -> fresh.count("[data-testid=shared-error]") == 1, "the shared page refusing");
            assertThat(fresh.text("[data-testid=shared-error]")).contains("revoked");
        }
    }

    @Test
    @Order(3)
    @DisplayName("axe-core finds no serious or critical problem with the export and share panels open, at 1440 and 390 px")
    void accessibility() {
        List<String> problems = new ArrayList<>();
        for (int width : new int[] {1440, 390}) {
            d.b.width(width);
            openResults();
            d.b.find("[data-testid=export-open]").click();
            d.b.waitFor(() -> d.b.count("[data-testid=export-md]") == 1, "the export panel");
            for (String p : d.b.axe()) {
                problems.add("export @" + width + ": " + p);
            }
            d.b.find("[data-testid=share-open]").click();
            d.b.find("[data-testid=share-create]").click();
            d.b.waitFor(() -> d.b.count("[data-testid=share-url]") == 1 && d.b.count("[data-testid=share-row]") >= 2, "a new link and the list");
            d.b.find("[data-testid=share-revoke]").click();
            d.b.waitFor(() -> d.b.count("[data-testid=share-revoke-confirm]") == 1, "the confirmation in the row");
            for (String p : d.b.axe()) {
                problems.add("share @" + width + ": " + p);
            }
            if (width == 390) {
                assertThat(d.b.horizontalOverflow()).as("scrolls sideways at 390 px").isLessThanOrEqualTo(0);
            }
            d.b.shot("a11y-export-share-" + width);
        }
        System.out.printf("axe-core on the export and share panels at 1440 and 390 px: %d serious or critical problems%n", problems.size());
        assertThat(problems).as("accessibility problems").isEmpty();
    }
}
