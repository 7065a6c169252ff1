package io.glambdar.http;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The dashboard's scripts that need no page (rates from polls, the live log's NDJSON reader, the API calls and their
 * errors), run by the host's node on dashboard/scripts.test.mjs. The page itself is tested in a browser (DashboardIT).
 */
class DashboardScriptsTest {

    private static final List<String> ASSETS = List.of("api.js", "rates.js", "follow.js");

    @TempDir
    Path dir;

    @Test
    void theScriptsPassTheirTestsInNode() throws IOException, InterruptedException {
        Path node = Stream.of(System.getenv("PATH").split(":")).map(p -> Path.of(p, "node"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (node == null) {
            String message = "node is not on PATH, so the dashboard's scripts cannot be tested";
            if (System.getenv("CI") != null || System.getenv("RUN_INTEGRATION_TESTS") != null) {
                fail(message + " (CI / RUN_INTEGRATION_TESTS is set: install Node.js 18 or newer)");
            }
            Assumptions.abort(message);
        }
        Files.createDirectories(dir.resolve("assets"));
        for (String asset : ASSETS) {
            copy("/dashboard/assets/" + asset, dir.resolve("assets").resolve(asset));
        }
        copy("/dashboard/scripts.test.mjs", dir.resolve("scripts.test.mjs"));
        // The assets are ES modules named .js, as the browser loads them.
        Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}");

        Process process = new ProcessBuilder(node.toString(), "scripts.test.mjs").directory(dir.toFile())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("7 passed, 0 failed");
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = DashboardScriptsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
