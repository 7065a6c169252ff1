package io.glambdar.it;

import io.glambdar.util.FileTrees;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Debian's headless Chromium driven through its chromedriver, for the dashboard's end-to-end tests. Nothing is
 * downloaded: both programs are given by path (Selenium Manager is never asked), and a missing one fails the test
 * (CI installs them, see .ci/run), as a missing Docker engine does.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Where every run writes its screenshots; one good set is kept in docs/screenshots. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /**
     * Selenium warns on every session that it has no DevTools bindings for this Chromium: none are needed (the pom
     * leaves them out). Held here so the setting is not lost with a collected logger.
     */
    private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    static {
        DEVTOOLS_LOG.setLevel(Level.SEVERE);
    }

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser start() {
        for (Path program : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(program)) {
                throw new IllegalStateException("the dashboard's browser tests need " + program
                        + " (Debian's chromium and chromium-driver; .ci/run installs them)");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("glambdar-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root, offline and without a display, Chromium needs all of these or it stalls at start.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1000", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new Browser(driver, profile);
        } catch (RuntimeException e) {
            FileTrees.delete(profile);
            throw e;
        }
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits (up to {@code seconds}) for a condition; a wait that runs out fails with what it waited for. */
    <T> T until(String what, int seconds, ExpectedCondition<T> condition) {
        // A view re-renders what changed on each poll: an element found a moment ago may be gone, so look again.
        try {
            return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(50))
                    .withMessage(what)
                    .ignoring(StaleElementReferenceException.class)
                    .until(condition);
        } catch (TimeoutException e) {
            // What the page showed instead, and what it said in its console.
            screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            try {
                driver.manage().logs().get(LogType.BROWSER).forEach(entry -> System.err.println("browser: " + entry));
            } catch (RuntimeException noConsole) {
                e.addSuppressed(noConsole);
            }
            throw e;
        }
    }

    /** The element's text contains {@code text}, within {@code seconds}; returns the element. */
    WebElement textContains(String css, String text, int seconds) {
        return until("'" + text + "' in " + css, seconds, d -> {
            for (WebElement element : d.findElements(By.cssSelector(css))) {
                if (element.getText().contains(text)) {
                    return element;
                }
            }
            return null;
        });
    }

    /** Clicks the element, found afresh if the page re-rendered it in between. */
    void click(String css) {
        until("click on " + css, 10, d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    WebElement visible(String css, int seconds) {
        return until(css + " visible", seconds, d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
        });
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Types into a field after clearing it. */
    void type(String css, String text) {
        WebElement field = find(css);
        field.clear();
        field.sendKeys(text);
    }

    /** Saves the whole page (the window stretched to its height, up to a limit) as target/screenshots/{name}.png. */
    Path screenshot(String name) {
        Dimension window = driver.manage().window().getSize();
        long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
        try {
            driver.manage().window().setSize(new Dimension(window.getWidth(),
                    (int) Math.clamp(height + (window.getHeight() - viewportHeight()), window.getHeight(), 2400)));
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(window);
        }
    }

    private long viewportHeight() {
        return ((Number) script("return window.innerHeight")).longValue();
    }

    WebDriver.Navigation navigate() {
        return driver.navigate();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            FileTrees.delete(profile);
        }
    }
}
