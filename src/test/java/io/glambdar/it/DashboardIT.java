package io.glambdar.it;

import io.glambdar.app.AuthSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** Types the body into the invoke form shown, sends it and returns the HTTP status the page shows for the answer. */
    private String invokeThroughPage(String body) {
        browser.type("#invoke-body", body);
        browser.click("#invoke-submit");
        return browser.visible("#invoke-status", 90).getText();
    }

    /** How many GET /info the page has sent since it was loaded. */
    private int infoPolls() {
        return ((Number) browser.script("return performance.getEntriesByType('resource')"
                + ".filter(e => e.name.endsWith('/info')).length")).intValue();
    }

    @Test
    void deployThroughThePageThenInvokeWithABodyAndAHeaderAndSeeTheResponseAndItsLogs() {
        openDashboard("#/functions");
        browser.visible("#deploy-file", 20);
        deployThroughPage(zipFile("greet.zip", greet("one")), "Deployed greet, version 1");
        assertThat(browser.find("#deploy-name").getDomProperty("value")).isEqualTo("greet");
        browser.textContains("#function-rows tr[data-name='greet']", "v1", 20);

        browser.click("#function-rows tr[data-name='greet'] a.fn-name");
        browser.textContains("#function-name", "greet", 10);
        new Select(browser.find("#invoke-method")).selectByValue("PUT");
        browser.type("#invoke-path", "/orders/7?q=1");
        browser.type("#invoke-headers", "X-Greeting: hi there\nContent-Type: application/json");
        assertThat(invokeThroughPage("{\"name\": \"page\"}")).isEqualTo("201");
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
    }

    @Test
    void aZipDroppedOnTheDeployPanelIsDeployedUnderItsName() {
        openDashboard("#/functions");
        browser.visible("#deploy-drop", 20);
        // What a browser hands the page when a file is dropped on it: a drop event carrying the file.
        browser.script("""
                const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
                const files = new DataTransfer();
                files.items.add(new File([bytes], 'dropped.zip', {type: 'application/zip'}));
                document.getElementById('deploy-drop').dispatchEvent(
                    new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));
                """, Base64.getEncoder().encodeToString(greet("dropped")));
        assertThat(browser.find("#deploy-name").getDomProperty("value")).isEqualTo("dropped");
        browser.click("#deploy-submit");
        browser.textContains("#deploy-result", "Deployed dropped, version 1", 60);
        assertThat(glambdar.invoke("dropped", "{\"name\":\"d\"}").json().get("code").asText()).isEqualTo("dropped");
    }

    @Test
    void theChartShowsInvocationsAndErrorsPerSecondFromSuccessivePolls() throws InterruptedException {
        glambdar.deployOk("steady", Zips.of(files(GREET.formatted("steady"), "{\"reuse\": true}")));
        glambdar.deployOk("broken", Zips.of(files(FAILS, "{\"reuse\": true}")));
        openDashboard("#/functions");
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
        try {
            load.scheduleAtFixedRate(() -> glambdar.invoke("steady", "{\"name\":\"load\"}"), 0, 250, TimeUnit.MILLISECONDS);
            load.scheduleAtFixedRate(() -> glambdar.invoke("broken", "{}"), 0, 800, TimeUnit.MILLISECONDS);
            Pattern now = Pattern.compile("now ([0-9.]+) invocations/s, ([0-9.]+) errors/s");
            browser.until("invocations and errors per second above zero in the chart's caption", 60, d -> {
                Matcher rates = now.matcher(browser.find(".chart-now").getText());
                return rates.find() && Double.parseDouble(rates.group(1)) > 0 && Double.parseDouble(rates.group(2)) > 0;
            });
            browser.textContains("#function-rows tr[data-name='broken']", "error", 20);
            // A few more polls, so that the lines have a shape in the screenshot.
            browser.until("twelve polls", 60, d -> infoPolls() >= 12);
            browser.screenshot("functions");
        } finally {
            load.shutdownNow();
            assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void liveLogsShowEachLineAndReportAsTheFunctionRunsUntilItIsDeleted() {
        glambdar.deployOk("chatty", greet("live"));
        openDashboard("#/fn/chatty/live");
        browser.textContains("#live-state", "following", 30);

        String id = glambdar.invoke("chatty", "{\"name\":\"streamed\"}").header("X-Glambdar-Invocation-Id");
        browser.textContains("#live-log li.log.stdout", "greeting streamed (x-greeting: undefined)", 60);
        browser.textContains("#live-log li.log.stderr", "method POST path /", 30);
        WebElement report = browser.textContains("#live-log li.report", "REPORT outcome ok", 30);
        assertThat(report.getText()).contains(id.substring(0, 8), "status 201", "duration");
        // What a function prints is text here too.
        glambdar.invoke("chatty", "{\"name\":\"<img src=x onerror=window.__pwned=1>\"}");
        browser.textContains("#live-log li.log.stdout", "greeting <img src=x onerror=window.__pwned=1>", 60);
        assertThat(browser.findAll("#live-log img")).isEmpty();
        assertThat(browser.script("return window.__pwned")).isNull();
        browser.textContains("#stat-invocations", "2", 20);
        browser.screenshot("live-logs");

        assertThat(glambdar.delete("/del/chatty").status()).isEqualTo(204);
        browser.textContains("#live-log li.end", "the function was deleted", 30);
        assertThat(browser.find("#live-state").getText()).contains("ended: the function was deleted");
    }

    @Test
    void deployASecondVersionThroughThePageThenRollBackToTheFirst() {
        glambdar.deployOk("shift", greet("first"));
        openDashboard("#/fn/shift/versions");
        browser.textContains("#version-list tr[data-version='1']", "active", 20);

        // The zip's own name does not matter here: a new version of this function.
        deployThroughPage(zipFile("shift-build-2.zip", greet("second")), "Deployed shift, version 2");
        browser.textContains("#version-list tr[data-version='2']", "active", 20);
        browser.textContains("#stat-version", "v2", 20);
        assertThat(glambdar.invoke("shift", "{\"name\":\"x\"}").json().get("code").asText()).isEqualTo("second");

        browser.click("#activate-1");
        browser.textContains("#notice", "shift: version 1 is active now", 20);
        browser.textContains("#version-list tr[data-version='1']", "active", 20);
        assertThat(browser.find("#version-list tr[data-version='2']").getText()).contains("Activate v2");
        browser.textContains("#stat-version", "v1", 20);
        assertThat(glambdar.get("/info/shift").json().get("version").asInt()).isEqualTo(1);
        assertThat(glambdar.invoke("shift", "{\"name\":\"x\"}").json().get("code").asText()).isEqualTo("first");
        browser.screenshot("versions");
    }

    /** Fails every attempt: a dead letter when it has no retries left. */
    static final String FAILS = """
            exports.handler = async (req) => {
              console.log('attempt ' + req.headers['x-glambdar-attempt'] + ' of job ' + req.headers['x-glambdar-invocation-id']);
              throw new Error('the payment service said no');
            };
            """;

    @Test
    void aJobSentFromThePageThatFailsIsInTheDeadLettersAndRetryingItThroughThePageRunsItAgain() {
        glambdar.deployOk("payments", Zips.of(files(FAILS, "{\"async\": {\"retries\": 0}}")));
        openDashboard("#/fn/payments/invoke");
        browser.textContains("#function-name", "payments", 20);
        browser.click("#invoke-async");
        assertThat(invokeThroughPage("{\"order\": 1}")).isEqualTo("202");
        String failed = browser.find("#invoke-id").getText();
        Jobs.await(glambdar, failed, Duration.ofSeconds(90), "failed");

        openDashboard("#/dead-letters");
        String row = "#async-table tr[data-id='" + failed + "']";
        browser.textContains(row, "failed", 20);
        assertThat(browser.find(row).getText()).contains("payments", "handler_threw", "the payment service said no");
        browser.click(row + " td");
        browser.textContains("tr[data-detail='" + failed + "']", "attempt 1 of job " + failed, 20);
        browser.screenshot("dead-letters");

        // Fixed in a new version: the retried job runs the active version, with fresh attempts.
        assertThat(glambdar.update("payments", greet("fixed")).status()).isEqualTo(201);
        browser.click("#retry-" + failed);
        browser.textContains("#notice", "Queued " + failed + " again", 20);
        Jobs.await(glambdar, failed, Duration.ofSeconds(90), "succeeded");

        openDashboard("#/async?function=payments");
        browser.textContains("#async-table tr[data-id='" + failed + "']", "succeeded", 20);
        browser.click("#async-table tr[data-id='" + failed + "'] td");
        browser.textContains("tr[data-detail='" + failed + "']", "Result: 201", 20);
        assertThat(browser.find("tr[data-detail='" + failed + "']").getText()).contains("\"code\": \"fixed\"");
        browser.screenshot("async");
    }

    @Test
    void aJobWaitingForItsRetryCanBeCancelledThroughThePage() {
        glambdar.deployOk("later", Zips.of(files(FAILS,
                "{\"async\": {\"retries\": 1, \"retryDelaySeconds\": 3600}}")));
        String waiting = Jobs.enqueueOk(glambdar, "later", "{}");
        Eventually.holds("the first attempt failed and the job waits for its retry", Duration.ofSeconds(60), () -> {
            var job = glambdar.get("/invocations/" + waiting).json();
            return job.get("attempts").asInt() == 1 && job.get("status").asText().equals("queued");
        });

        openDashboard("#/async?status=queued");
        String row = "#async-table tr[data-id='" + waiting + "']";
        browser.textContains(row, "queued", 20);
        assertThat(browser.find(row).getText()).contains("next");
        browser.click("#cancel-" + waiting);
        browser.textContains("#notice", "Cancelled " + waiting, 20);
        assertThat(glambdar.get("/invocations/" + waiting).json().get("status").asText()).isEqualTo("cancelled");
        browser.until("the cancelled job leaves the queued list", 20,
                d -> browser.findAll(row).isEmpty());
    }

    @Test
    void deletingThroughThePageAsksFirstThenRemovesTheFunction() {
        glambdar.deployOk("doomed", greet("doomed"));
        openDashboard("#/fn/doomed/settings");
        browser.textContains("#settings", "Timeout", 20);
        browser.click("#delete-function");
        browser.textContains("#tab-settings", "Delete doomed, every version, its keys and schedules?", 10);
        assertThat(glambdar.get("/info/doomed").status()).isEqualTo(200);
        browser.click("#delete-confirm");
        browser.textContains("#notice", "Deleted doomed", 20);
        browser.until("back on the functions list", 10, d -> d.getCurrentUrl().endsWith("#/functions"));
        assertThat(glambdar.get("/info/doomed").status()).isEqualTo(404);
        browser.until("doomed no longer listed", 20,
                d -> browser.findAll("#function-rows tr[data-name='doomed']").isEmpty());
    }

    @Test
    void theSchedulesViewShowsEachScheduleAndHowItsLastRunWent() {
        glambdar.deployOk("nightly", Zips.of(files(GREET.formatted("cron"), """
                {"schedules": [{"cron": "0 3 * * *", "timezone": "Europe/Berlin"},
                               {"cron": "@every 2s", "body": {"name": "ticker"}}]}""")));
        try {
            openDashboard("#/schedules");
            String first = "#schedules tr[data-function='nightly'][data-index='0']";
            browser.textContains(first, "0 3 * * *", 20);
            assertThat(browser.find(first).getText()).contains("Europe/Berlin");
            String second = "#schedules tr[data-function='nightly'][data-index='1']";
            browser.textContains(second, "@every 2s", 20);
            browser.textContains(second, "succeeded", 60);
            browser.screenshot("schedules");
        } finally {
            glambdar.delete("/del/nightly");
        }
    }

    @Test
    void inKeyedModeThePageAsksForTheKeyAndKeepsItInSessionStorageOnly() {
        String adminKey = "dashboard-it-admin-key-7c41d0e2a9";
        try (Harness keyed = Harness.start(config -> config.withAuth(AuthSettings.keyed(adminKey)))) {
            keyed.defaultHeader("Authorization", "Bearer " + adminKey);
            keyed.deployOk("vault", greet("keyed"));

            browser.open(keyed.baseUrl + "/");
            browser.visible("#login", 20);
            browser.screenshot("keyed-login");
            browser.type("#admin-key", "not-the-key");
            browser.find("#login-submit").click();
            browser.textContains("#login-error", "The server refused that key", 20);
            assertThat(browser.script("return sessionStorage.getItem('glambdar.adminKey')")).isNull();

            browser.type("#admin-key", adminKey);
            browser.find("#login-submit").click();
            browser.textContains("#function-rows tr[data-name='vault']", "vault", 20);
            assertThat(browser.find("#login").isDisplayed()).isFalse();
            assertThat(browser.script("return sessionStorage.getItem('glambdar.adminKey')")).isEqualTo(adminKey);
            assertThat(browser.script("return localStorage.length")).isEqualTo(0L);
            assertThat(browser.script("return document.cookie")).isEqualTo("");
            assertThat(browser.driver.getCurrentUrl()).doesNotContain(adminKey);

            // It works with the key: an invocation from the page, and a reload of the tab keeps it.
            browser.navigate().to(keyed.baseUrl + "/#/fn/vault/invoke");
            browser.navigate().refresh();
            browser.textContains("#function-name", "vault", 20);
            assertThat(invokeThroughPage("{\"name\": \"keyholder\"}")).isEqualTo("201");
            assertThat(browser.find("#invoke-response-body").getText()).contains("Hello keyholder!");
            assertThat(browser.find("#login").isDisplayed()).isFalse();
            // The function's own Authorization header goes to it; the page's key then goes as X-Glambdar-Key.
            browser.type("#invoke-headers", "Authorization: Basic Zm9vOmJhcg==");
            invokeThroughPage("{\"name\": \"basic-auth\"}");
            browser.textContains("#invoke-response-body", "Hello basic-auth!", 30);

            // An invoke key made on the page invokes this function, until it is revoked on the page.
            browser.click("#tab-link-keys");
            browser.click("#create-key");
            String invokeKey = browser.visible("#new-key-value", 20).getText();
            assertThat(invokeKey).startsWith("gk_");
            String keyId = invokeKey.split("_")[1];
            browser.textContains("#keys", keyId, 20);
            keyed.defaultHeader("Authorization", null);
            assertThat(keyed.invoke("vault", "{\"name\":\"k\"}", "X-Glambdar-Key", invokeKey).status()).isEqualTo(201);
            browser.click("#revoke-" + keyId);
            browser.textContains("#keys", "No invoke keys.", 20);
            assertThat(keyed.invoke("vault", "{\"name\":\"k\"}", "X-Glambdar-Key", invokeKey).status()).isEqualTo(401);

            // Forgetting it asks again.
            browser.find("#forget-key").click();
            browser.visible("#login", 20);
            assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
        }
    }

    @Test
    void twoHundredFunctionsAreListedInOneGoAndThePageStaysUsable() throws Exception {
        // No warm pool: 200 deploys would otherwise start containers for the pool, which this test is not about.
        try (Harness many = Harness.start(config -> config.withEngine(config.engine().withPooling(false)))) {
            byte[] zip = greet("many");
            try (ExecutorService deployers = Executors.newFixedThreadPool(8)) {
                List<Future<?>> deploys = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String name = "fn-%03d".formatted(i);
                    deploys.add(deployers.submit(() -> many.deployOk(name, zip)));
                }
                for (Future<?> deploy : deploys) {
                    deploy.get();
                }
            }

            long start = System.nanoTime();
            browser.open(many.baseUrl + "/");
            browser.until("200 rows", 30, d -> browser.findAll("#function-rows tr").size() == 200);
            long renderedMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("DashboardIT: 200 functions listed " + renderedMs + " ms after the page was asked for");
            assertThat(renderedMs).as("page load to 200 rows, ms").isLessThan(10_000);

            // Usable: filtering answers at once, and a row leads to its function.
            browser.type("#function-filter", "fn-137");
            browser.until("one row left", 5, d -> browser.findAll("#function-rows tr").size() == 1);
            browser.click("#function-rows tr[data-name='fn-137'] a");
            browser.textContains("#function-name", "fn-137", 10);

            // One GET /info per poll, never one request per function.
            browser.open(many.baseUrl + "/");
            browser.until("200 rows again", 30, d -> browser.findAll("#function-rows tr").size() == 200);
            browser.until("three polls", 30, d -> infoPolls() >= 3);
            @SuppressWarnings("unchecked")
            List<String> requests = (List<String>) browser.script(
                    "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)");
            assertThat(requests).filteredOn(path -> !path.startsWith("/assets/")).containsOnly("/info");
        }
    }

    /** Returns, prints and sets as a header text that would run as script if it were ever inserted as HTML. */
    static final String HOSTILE = """
            const payload = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
                + '<svg onload="window.__pwned=3"></svg><b>bold</b>';
            exports.handler = async (req) => {
              console.log('log ' + payload);
              return { statusCode: 200, headers: { 'content-type': 'text/html', 'x-html': '<b onmouseover=x>' },
                       body: '<!doctype html><title>owned</title>' + payload };
            };
            """;

    @Test
    void htmlAndScriptInAFunctionsOutputAreShownAsTextAndNeverRun() {
        glambdar.deployOk("hostile", Zips.of(HOSTILE));
        openDashboard("#/fn/hostile/invoke");
        browser.textContains("#function-name", "hostile", 20);
        assertThat(invokeThroughPage("<script>window.__pwned=4</script>")).isEqualTo("200");

        assertThat(browser.find("#invoke-response-body").getText())
                .contains("<title>owned</title><img src=x onerror=\"window.__pwned=1;alert(1)\"><script>");
        assertThat(browser.find("#invoke-response-headers").getText()).contains("x-html <b onmouseover=x>");
        browser.textContains("#invoke-logs", "log <img src=x onerror=", 30);
        openDashboard("#/fn/hostile/logs");
        browser.textContains("#recent-invocations", "ok", 20);
        browser.click("#recent-invocations tbody tr");
        browser.textContains("#recent-invocations tr.detail", "<svg onload=\"window.__pwned=3\"></svg>", 10);

        // A name that cannot be one is stopped by the page itself, before anything is sent.
        openDashboard("#/functions");
        browser.visible("#deploy-file", 20);
        browser.find("#deploy-file").sendKeys(zipFile("evil.zip", Zips.of(HOSTILE)).toAbsolutePath().toString());
        browser.type("#deploy-name", "<img src=y onerror=window.__pwned=5>");
        assertThat(browser.script("return document.getElementById('deploy-name').validity.patternMismatch"))
                .isEqualTo(true);
        // The server's own error quoting what the upload holds: text as well.
        browser.find("#deploy-file").sendKeys(zipFile("evil-env.zip", Zips.of(Map.of("index.js", HOSTILE,
                "glambdar.json", "{\"env\": {\"<img src=y onerror=window.__pwned=5>\": \"x\"}}")))
                .toAbsolutePath().toString());
        browser.type("#deploy-name", "evil");
        browser.find("#deploy-submit").click();
        browser.textContains("#deploy-result", "Deploy refused (", 30);
        browser.textContains("#deploy-result", "<img src=y onerror=window.__pwned=5>", 10);

        assertThat(browser.script("return window.__pwned")).isNull();
        assertThat(browser.script("return document.title")).isEqualTo("Glambdar");
        assertThat(browser.findAll("main img, main script, main svg, main b, main title")).isEmpty();
        assertThatThrownBy(() -> browser.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    static Map<String, String> files(String indexJs, String settings) {
        return Map.of("index.js", indexJs, "glambdar.json", settings);
    }

    @Test
    void aModuleThatFailsToDownloadLoadsThePageAgainTwiceThenSaysWhatFailed() {
        // As Chromium does to requests in flight when Docker adds or removes a network interface on this host.
        browser.driver.executeCdpCommand("Network.enable", Map.of());
        browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*/assets/schedules.js")));
        try {
            openDashboard("#/schedules");
            browser.textContains("#view p.error", "The dashboard could not be loaded", 20);
            Object loads = browser.script("return performance.getEntriesByType('navigation')[0].type");
            assertThat(loads).as("the page was loaded again before it gave up").isEqualTo("reload");
            assertThat(browser.script("return sessionStorage.getItem('glambdar.loadAttempts')"))
                    .as("the next load starts afresh").isNull();
        } finally {
            browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
        }
        browser.navigate().refresh(); // the same address again would only be a change of its hash
        browser.textContains("#view h2", "Schedules", 20); // drawn by schedules.js: it loaded this time
    }
}
