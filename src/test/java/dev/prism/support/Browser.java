package dev.prism.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, no browser download) for a browser test
 * class, one per class: a fresh profile, CSP violations recorded before any page script runs, screenshots in
 * {@code target/screenshots/}. Adds phone-width emulation and an axe-core audit (the vendored
 * {@code src/test/resources/axe/axe.min.js}).
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of(System.getProperty("prism.test.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("prism.test.chromedriver", "/usr/bin/chromedriver"));
    public static final Path SHOTS = Path.of("target", "screenshots");

    public final ChromeDriver driver;
    private final Path profile;

    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public Browser() throws IOException {
        profile = Files.createTempDirectory("prism-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1440,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', "
                        + "e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"));
        Files.createDirectories(SHOTS);
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    /** What the page's Content-Security-Policy blocked since the document loaded. */
    public List<?> cspViolations() {
        return (List<?>) js("return window.__cspViolations || [];");
    }

    /** Lays the page out at {@code width} CSS pixels (a phone at 390), or back at the window's size with 0. */
    public void width(int width) {
        if (width <= 0) {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        } else {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", width < 600 ? 844 : 1000, "deviceScaleFactor", 1, "mobile", width < 600));
        }
    }

    /** How many CSS pixels the document is wider than the viewport (0: no horizontal scrolling). */
    public long horizontalOverflow() {
        return ((Number) js("return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth;"))
                .longValue();
    }

    /**
     * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the current document and answers its serious and
     * critical violations as "rule (impact): target, …" lines.
     */
    public List<String> axe() {
        if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object';"))) {
            js(axeSource());
        }
        Object raw = driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
                  .then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify({ error: String(e) })));""");
        List<String> out = new ArrayList<>();
        try {
            JsonNode violations = HttpApi.JSON.readTree((String) raw);
            if (violations.has("error")) {
                throw new AssertionError("axe-core failed: " + violations.get("error").asText());
            }
            for (JsonNode v : violations) {
                String impact = v.path("impact").asText();
                if (!impact.equals("serious") && !impact.equals("critical")) {
                    continue;
                }
                List<String> targets = new ArrayList<>();
                v.path("nodes").forEach(n -> targets.add(n.path("target").toString() + " " + n.path("failureSummary").asText().replace('\n', ' ')));
                out.add(v.path("id").asText() + " (" + impact + "): " + String.join(" | ", targets.subList(0, Math.min(3, targets.size()))));
            }
        } catch (IOException e) {
            throw new AssertionError("axe-core answered no JSON: " + raw, e);
        }
        return out;
    }

    private static String axeSource() {
        try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
            if (in == null) {
                throw new AssertionError("src/test/resources/axe/axe.min.js is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public WebElement find(String css) {
        waitFor(() -> count(css) > 0, "element " + css);
        return driver.findElement(By.cssSelector(css));
    }

    public int count(String css) {
        return driver.findElements(By.cssSelector(css)).size();
    }

    public String text(String css) {
        List<WebElement> els = driver.findElements(By.cssSelector(css));
        return els.isEmpty() ? "" : els.get(0).getText();
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public void waitFor(Supplier<Boolean> condition, String what) {
        waitFor(condition, Duration.ofSeconds(15), what);
    }

    public void waitFor(Supplier<Boolean> condition, Duration timeout, String what) {
        if (!awaitQuietly(condition, timeout)) {
            shot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            throw new AssertionError("Timed out waiting for " + what + " at " + driver.getCurrentUrl());
        }
    }

    /** Whether the condition held within the timeout; a view re-rendering between finding and reading is tried again. */
    public static boolean awaitQuietly(Supplier<Boolean> condition, Duration timeout) {
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    // One predicate: each ignoreExceptions… call replaces the previous one, it does not add to it.
                    .ignoreExceptionsMatching(e -> e instanceof org.openqa.selenium.StaleElementReferenceException
                            || e instanceof org.openqa.selenium.NoSuchElementException)
                    .until(() -> Boolean.TRUE.equals(condition.get()));
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    public void shot(String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (Exception e) {
            System.out.println("screenshot " + name + " failed: " + e);
        }
    }
}
