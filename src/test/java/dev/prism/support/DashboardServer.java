package dev.prism.support;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a dashboard browser test class sets up: a database of its own on the machine's PostgreSQL, a real server, and
 * headless Chromium, with the sign-in and form helpers those tests share. The server can be restarted on the same
 * port (a real disconnect for the live connection). Skips the class when Chromium is not installed.
 */
public final class DashboardServer implements AutoCloseable {

    public final Vertx vertx;
    public final ServicePostgres pg;
    public final Browser b;
    public TestServer server;
    public final String base;
    private final Map<String, String> settings;

    private DashboardServer(Vertx vertx, ServicePostgres pg, TestServer server, Map<String, String> settings, Browser b) {
        this.vertx = vertx;
        this.pg = pg;
        this.server = server;
        this.settings = settings;
        this.b = b;
        this.base = "http://127.0.0.1:" + server.server.httpPort();
    }

    /** @param extra settings on top of {@link TestServer#defaults} (config path → value) */
    public static DashboardServer start(Path dataDir, Map<String, String> extra) throws Exception {
        Assumptions.assumeTrue(Browser.installed(),
                "Chromium is not installed: apt-get install -y chromium chromium-driver (the build does it before the tests: src/test/sh/test-services.sh)");
        ServicePostgres pg = ServicePostgres.createDatabase();
        Vertx vertx = Vertx.vertx();
        Map<String, String> settings = TestServer.defaults(dataDir);
        settings.put("pg.url", pg.url());
        settings.putAll(extra);
        TestServer server = TestServer.start(vertx, settings);
        settings.put("http.port", String.valueOf(server.server.httpPort()));
        return new DashboardServer(vertx, pg, server, settings, new Browser());
    }

    /** Stops the server and starts it again on the same port and database. */
    public void restart() throws Exception {
        server.stop();
        server = TestServer.start(vertx, settings);
    }

    /** Opens the dashboard with the admin key in the tab's session (the sign-in form is tested elsewhere). */
    public void signedIn() {
        b.driver.get(base + "/");
        b.js("sessionStorage.setItem('prism.key', arguments[0])", TestServer.ADMIN_KEY);
    }

    public void type(String css, String text) {
        WebElement el = b.find(css);
        el.clear();
        el.sendKeys(text);
    }

    /**
     * Sets a control's value and fires change, as a person picking it would, once the control is on the page; unlike
     * {@link #select} it does not check that the value is one of the options.
     */
    public void choose(String css, String value) {
        b.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", b.find(css), value);
    }

    /** Chooses an option by value and fires change, as a person picking it would; fails when there is no such option. */
    public void select(String css, String value) {
        Object ok = b.js("const s = document.querySelector(arguments[0]); if (![...s.options].some(o => o.value === arguments[1])) return false;"
                + " s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true})); return true;", css, value);
        assertThat(ok).as("option " + value + " of " + css).isEqualTo(Boolean.TRUE);
    }

    /** Presses Tab until the focused element matches {@code css}; answers how many presses it took. */
    public int tabUntil(Actions keys, String css, int max) {
        for (int i = 1; i <= max; i++) {
            keys.sendKeys(Keys.TAB).perform();
            if (Boolean.TRUE.equals(b.js("return document.activeElement.matches(arguments[0])", css))) {
                return i;
            }
        }
        b.shot("failed-tab-to-" + css.replaceAll("[^A-Za-z0-9]+", "-"));
        throw new AssertionError("Tab never reached " + css + "; last focus: " + b.js("return document.activeElement.outerHTML.slice(0, 200)"));
    }

    /**
     * For each test's end: the page's Content-Security-Policy blocked nothing it loaded or did, and the next test starts
     * at the window's full width again.
     */
    public void nothingBlockedAndFullWidth() {
        assertThat(b.cspViolations()).as("CSP violations").isEmpty();
        b.width(0);
    }

    @Override
    public void close() throws Exception {
        if (b != null) {
            b.close();
        }
        if (server != null) {
            server.stop();
        }
        TestServer.await(vertx.close());
        pg.close();
    }
}
