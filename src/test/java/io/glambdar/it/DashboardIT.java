package io.glambdar.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard (SPEC "Dashboard") in a real browser: headless Chromium driven by Selenium against a real server and
 * real Docker. Each test saves screenshots of what it shows under target/screenshots.
 */
@ExtendWith(DockerRequired.class)
class DashboardIT {

    /** Says what it got, prints it (one line to stdout, one to stderr) and answers 201 with its own header. */
    static final String GREET = """
            exports.handler = async (req) => {
              const data = req.body ? JSON.parse(req.body) : {};
              console.log(`greeting ${data.name} (x-greeting: ${req.headers['x-greeting']})`);
              console.error(`method ${req.method} path ${req.path}`);
              return { statusCode: 201, headers: { 'x-greeted': String(data.name) },
                       body: { message: `Hello ${data.name}!`, code: '%s' } };
            };
            """;

    private static Harness glambdar;
    private static Path zips;
    private Browser browser;

    @BeforeAll
    static void startServer() throws IOException {
        glambdar = Harness.start();
        zips = Files.createTempDirectory("dashboard-zips-");
    }

    @AfterAll
    static void stopServer() {
        if (glambdar != null) {
            glambdar.close();
        }
        if (zips != null) {
            io.glambdar.util.FileTrees.delete(zips);
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = Browser.start();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /** A zip on disk, for the page's file input. */
    static Path zipFile(String fileName, byte[] zip) {
        try {
            return Files.write(zips.resolve(fileName), zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] greet(String code) {
        return Zips.of(GREET.formatted(code));
    }

    private void openDashboard(String hash) {
        browser.open(glambdar.baseUrl + "/" + hash);
    }

    /** Chooses the zip in the deploy panel shown, sends it and waits for the page to say it is deployed. */
    private void deployThroughPage(Path zip, String expected) {
        browser.find("#deploy-file").sendKeys(zip.toAbsolutePath().toString());
        browser.until("the deploy button enabled", 10, d -> browser.find("#deploy-submit").isEnabled());
        browser.find("#deploy-submit").click();
        browser.textContains("#deploy-result", expected, 60);
    }

    @Test
    void deployThroughThePageThenInvokeWithABodyAndAHeaderAndSeeTheResponseAndItsLogs() {
        openDashboard("#/functions");
        browser.visible("#deploy-file", 20);
        deployThroughPage(zipFile("greet.zip", greet("one")), "Deployed greet, version 1");
        assertThat(browser.find("#deploy-name").getDomProperty("value")).isEqualTo("greet");
        WebElement row = browser.until("greet listed", 20,
                d -> d.findElements(By.cssSelector("#function-rows tr[data-name='greet']")).stream().findFirst().orElse(null));
        assertThat(row.getText()).contains("greet", "v1");

        row.findElement(By.cssSelector("a.fn-name")).click();
        browser.textContains("#function-name", "greet", 10);
        new Select(browser.find("#invoke-method")).selectByValue("PUT");
        browser.type("#invoke-path", "/orders/7?q=1");
        browser.type("#invoke-headers", "X-Greeting: hi there\nContent-Type: application/json");
        browser.type("#invoke-body", "{\"name\": \"page\"}");
        browser.find("#invoke-submit").click();

        WebElement status = browser.visible("#invoke-status", 90);
        assertThat(status.getText()).isEqualTo("201");
        assertThat(browser.find("#invoke-response-body").getText())
                .contains("\"message\": \"Hello page!\"", "\"code\": \"one\"");
        String headers = browser.find("#invoke-response-headers").getText();
        assertThat(headers).contains("x-greeted page", "x-glambdar-version 1", "x-glambdar-invocation-id");
        String id = browser.find("#invoke-id").getText();
        assertThat(headers).contains(id);
        WebElement logs = browser.textContains("#invoke-logs", "greeting page (x-greeting: hi there)", 30);
        assertThat(logs.getText()).contains("method PUT path /orders/7");
        assertThat(browser.find("#invoke-report").getText()).contains("outcome ok", "status 201");
        browser.textContains("#stat-invocations", "1", 10);
        browser.screenshot("function-invoke");

        openDashboard("#/functions");
        browser.textContains("#function-rows tr[data-name='greet']", "ok", 10);
        browser.screenshot("functions");
    }

    static Map<String, String> files(String indexJs, String settings) {
        return Map.of("index.js", indexJs, "glambdar.json", settings);
    }
}
