package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.app.AuthSettings;
import io.glambdar.cli.Cli;
import io.glambdar.store.TestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** SPEC "Command line" end to end: the client, in this JVM and once as ./glambdar, against a real server and Docker. */
@ExtendWith(DockerRequired.class)
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_KEY = "it-admin-key-c1i0c1i0c1i0c1i0";
    private static final String GREETER_V2 = """
            exports.handler = async (req) => {
              console.log('greeting ' + req.body);
              return { statusCode: 200, body: { greeting: `Hi ${(await req.json()).name}!` } };
            };
            """;

    @TempDir
    Path work;

    private static Cli.Run cli(Harness glambdar, String... args) {
        return Cli.of(withUrl(glambdar, args));
    }

    private static String[] withUrl(Harness glambdar, String... args) {
        return Cli.withUrl(glambdar.baseUrl, args);
    }

    private static Cli.Run ok(Cli.Run run) {
        assertThat(run.status()).as("stdout: %s%nstderr: %s", run.out(), run.err()).isZero();
        return run;
    }

    private Path folder(String name, Map<String, String> files) {
        return TestStore.write(work.resolve(name), files);
    }

    @Test
    void theSpecFlowFromDeployToRm() throws IOException {
        try (Harness glambdar = Harness.start()) {
            Path greeter = folder("greeter", Map.of("index.js", Zips.HELLO, "notes.md", "draft",
                    "test/fixture.json", "{}", ".glambdarignore", "*.md\ntest/\n"));
            assertThat(ok(cli(glambdar, "deploy", greeter.toString())).out()).isEqualTo("deployed greeter version 1\n");
            Files.writeString(greeter.resolve("index.js"), GREETER_V2);
            assertThat(ok(cli(glambdar, "deploy", greeter.toString())).out()).isEqualTo("deployed greeter version 2\n");
            JsonNode versions = JSON.readTree(ok(cli(glambdar, "versions", "greeter", "--json")).out());
            assertThat(versions.get("versions").get(0).get("fileCount").asInt())
                    .as("index.js alone: notes.md and test/ are ignored").isEqualTo(1);

            // invoke: -d, @file, stdin, --version, a failure
            assertThat(ok(cli(glambdar, "invoke", "greeter", "-d", "{\"name\":\"cli\"}")).out())
                    .isEqualTo("{\"greeting\":\"Hi cli!\"}");
            Path body = Files.writeString(work.resolve("body.json"), "{\"name\":\"file\"}");
            assertThat(ok(cli(glambdar, "invoke", "greeter", "-d", "@" + body)).out())
                    .isEqualTo("{\"greeting\":\"Hi file!\"}");
            assertThat(ok(new Cli().stdin("{\"name\":\"stdin\"}").run(withUrl(glambdar, "invoke", "greeter"))).out())
                    .isEqualTo("{\"greeting\":\"Hi stdin!\"}");
            assertThat(ok(cli(glambdar, "invoke", "greeter", "--version", "1", "-d", "{\"name\":\"v1\"}")).out())
                    .isEqualTo("{\"message\":\"Hello v1!\"}");
            Cli.Run missing = cli(glambdar, "invoke", "greeter", "-d", "@" + work.resolve("missing.json"));
            assertThat(missing.status()).isEqualTo(1);
            assertThat(missing.err()).startsWith("error: no such file: ");
            Cli.Run badJson = cli(glambdar, "invoke", "greeter", "-d", "not json");
            assertThat(badJson.status()).isEqualTo(1);
            assertThat(badJson.out()).isEmpty();
            assertThat(badJson.err()).startsWith("error: ").contains("(502); invocation ").doesNotContain("\n\n")
                    .hasLineCount(1);

            // logs: the table, then one invocation's output
            String table = ok(cli(glambdar, "logs", "greeter")).out();
            assertThat(table).startsWith("ID ").contains(" ok ", " error ");
            String id = JSON.readTree(ok(cli(glambdar, "logs", "greeter", "--json")).out())
                    .get("invocations").get(0).get("invocationId").asText();
            assertThat(table).contains(id);
            String oneInvocation = ok(cli(glambdar, "logs", "greeter", "--id", id)).out();
            assertThat(oneInvocation).contains("invocationId:", id, "--- logs");

            // versions and rollback
            assertThat(ok(cli(glambdar, "versions", "greeter")).out()).containsPattern("(?m)^\\*\\s+2\\s");
            assertThat(ok(cli(glambdar, "rollback", "greeter")).out()).isEqualTo("greeter now runs version 1\n");
            assertThat(ok(cli(glambdar, "versions", "greeter")).out()).containsPattern("(?m)^\\*\\s+1\\s");
            assertThat(ok(cli(glambdar, "rollback", "greeter", "--to", "2")).out())
                    .isEqualTo("greeter now runs version 2\n");

            // keys
            String key = ok(cli(glambdar, "keys", "greeter", "create")).out().strip();
            assertThat(key).startsWith("gk_");
            JsonNode keys = JSON.readTree(ok(cli(glambdar, "keys", "greeter", "ls", "--json")).out());
            String keyId = keys.get("keys").get(0).get("keyId").asText();
            assertThat(ok(cli(glambdar, "keys", "greeter")).out()).contains(keyId);
            assertThat(ok(cli(glambdar, "keys", "greeter", "revoke", keyId)).out())
                    .isEqualTo("revoked key " + keyId + " of greeter\n");

            // asynchronous invocations
            String invocation = ok(cli(glambdar, "invoke", "greeter", "--async", "-d", "{\"name\":\"later\"}")).out()
                    .strip();
            Eventually.holds("the async invocation succeeds", Duration.ofSeconds(60), () ->
                    java.util.regex.Pattern.compile("(?m)^status:\\s+succeeded$")
                            .matcher(cli(glambdar, "invocations", "get", invocation).out()).find());
            assertThat(ok(cli(glambdar, "invocations", "get", invocation)).out())
                    .contains("--- body\n{\"greeting\":\"Hi later!\"}\n");
            assertThat(ok(cli(glambdar, "invocations", "ls", "--function", "greeter", "--status", "succeeded")).out())
                    .contains(invocation, "succeeded");
            Cli.Run retry = cli(glambdar, "invocations", "retry", invocation);
            assertThat(retry.status()).isEqualTo(1);
            assertThat(retry.err()).startsWith("error: ").endsWith("(409)\n");

            // schedules
            Path nightly = folder("nightly", Map.of("index.js", Zips.HELLO, "glambdar.json",
                    "{\"schedules\": [{\"cron\": \"0 3 * * *\", \"timezone\": \"Europe/Berlin\"}]}"));
            ok(cli(glambdar, "deploy", nightly.toString()));
            assertThat(ok(cli(glambdar, "schedules")).out()).containsPattern("(?m)^nightly\\s+0\\s+0 3 \\* \\* \\*"
                    + "\\s+Europe/Berlin\\s");

            // ls, info, rm
            assertThat(ok(cli(glambdar, "ls")).out()).containsPattern("(?m)^greeter\\s+2\\s+6\\s+1\\s+ok\\s")
                    .containsPattern("(?m)^nightly\\s+1\\s+0\\s+0\\s+-\\s+-$");
            assertThat(ok(cli(glambdar, "info", "greeter")).out()).containsPattern("(?m)^version:\\s+2$");
            assertThat(ok(cli(glambdar, "rm", "greeter")).out()).isEqualTo("deleted greeter\n");
            Cli.Run gone = cli(glambdar, "info", "greeter");
            assertThat(gone.status()).isEqualTo(1);
            assertThat(gone.err()).startsWith("error: ").endsWith("(404)\n");
        }
    }

    @Test
    void logsFollowPrintsLinesAndReportsUntilTheFunctionIsDeleted() throws Exception {
        try (Harness glambdar = Harness.start()) {
            ok(cli(glambdar, "deploy", folder("greeter", Map.of("index.js", GREETER_V2)).toString()));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            io.glambdar.cli.Terminal terminal = new io.glambdar.cli.Terminal(java.io.InputStream.nullInputStream(),
                    new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                    new java.io.PrintStream(err, true, StandardCharsets.UTF_8), true, false, false);
            String[] follow = withUrl(glambdar, "logs", "greeter", "-f");
            java.util.concurrent.CompletableFuture<Integer> following = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> io.glambdar.app.Main.commandLine(terminal, follow).execute(follow));

            // Calls until one lands while the follower is connected: its line and its report come through.
            Eventually.holds("a followed invocation's line and REPORT", Duration.ofSeconds(60), () -> {
                ok(cli(glambdar, "invoke", "greeter", "-d", "{\"name\":\"live\"}"));
                String printed;
                synchronized (out) {
                    printed = out.toString(StandardCharsets.UTF_8);
                }
                return printed.contains("stdout| greeting {\"name\":\"live\"}") && printed.contains("REPORT ");
            });
            ok(cli(glambdar, "rm", "greeter"));

            assertThat(following.get(60, TimeUnit.SECONDS)).isZero();
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("function greeter was deleted: no more logs\n");
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .containsPattern("(?m)^\\[[^]]+\\] [0-9a-f-]{36} stdout\\| greeting \\{\"name\":\"live\"}$")
                    .containsPattern("(?m)^REPORT [0-9a-f-]{36}  Outcome: ok  Status: 200  Duration: \\d+ ms  Init"
                            + " Duration: \\d+ ms  Cold Start: (yes|no)  Max Memory Used: .+$");
        }
    }

    @Test
    void aFolderWithoutIndexJsIsTheServers400() throws IOException {
        try (Harness glambdar = Harness.start()) {
            Path empty = folder("empty", Map.of("README.md", "no code here"));
            String expected = glambdar.update("empty", Zips.of(Map.of("README.md", "no code here"))).body();

            Cli.Run run = cli(glambdar, "deploy", empty.toString());

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("error: " + JSON.readTree(expected).get("error").asText() + " (400)\n");
        }
    }

    @Test
    void inKeyedModeAWrongKeyIsTheServers401AndTheRightOnesWork() throws IOException {
        try (Harness glambdar = Harness.start(config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)))) {
            String expected = JSON.readTree(glambdar.send(java.net.http.HttpRequest.newBuilder(glambdar.uri("/info"))
                    .header("Authorization", "Bearer not-the-key")).body()).get("error").asText();

            Cli.Run wrong = cli(glambdar, "ls", "--key", "not-the-key");

            assertThat(wrong.status()).isEqualTo(1);
            assertThat(wrong.err()).isEqualTo("error: " + expected + " (401); give the key with --key <key> or"
                    + " GLAMBDAR_KEY\n");
            Path hello = folder("hello", Map.of("index.js", Zips.HELLO));
            assertThat(ok(cli(glambdar, "deploy", hello.toString(), "--key", ADMIN_KEY)).out())
                    .isEqualTo("deployed hello version 1\n");
            String invokeKey = ok(cli(glambdar, "keys", "hello", "create", "--key", ADMIN_KEY)).out().strip();
            assertThat(ok(cli(glambdar, "invoke", "hello", "-d", "{\"name\":\"key\"}", "--key", invokeKey)).out())
                    .isEqualTo("{\"message\":\"Hello key!\"}");
            Cli.Run control = cli(glambdar, "ls", "--key", invokeKey);
            assertThat(control.status()).isEqualTo(1);
            assertThat(control.err()).endsWith("(403)\n");
        }
    }

    @Test
    void inKeyedModeTheCallersOwnAuthorizationAndTheFunctionsOwnErrorReachTheUser() throws IOException {
        try (Harness glambdar = Harness.start(config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)))) {
            ok(cli(glambdar, "deploy", folder("door", Map.of("index.js", """
                    exports.handler = async (req) => ({ statusCode: 404,
                      body: { error: 'not here', authorization: req.headers.authorization ?? null } });
                    """)).toString(), "--key", ADMIN_KEY));

            Cli.Run run = cli(glambdar, "invoke", "door", "-H", "Authorization: Basic Zm9vOmJhcg==", "-d", "x",
                    "--key", ADMIN_KEY);

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.out()).isEqualTo("{\"error\":\"not here\",\"authorization\":\"Basic Zm9vOmJhcg==\"}");
            assertThat(run.err()).matches("error: the function answered HTTP 404; invocation \\S+\n");
        }
    }

    @Test
    void aZipIsSentAsIsUnderTheNameGivenAndMethodAndHeadersReachTheFunction() throws IOException {
        try (Harness glambdar = Harness.start()) {
            Path zip = work.resolve("whatever.zip");
            Files.write(zip, Zips.of("""
                    exports.handler = async (req) => ({ body: { method: req.method, trace: req.headers['x-trace'] } });
                    """));
            assertThat(ok(cli(glambdar, "deploy", zip.toString(), "--name", "echo")).out())
                    .isEqualTo("deployed echo version 1\n");
            assertThat(glambdar.get("/versions/echo").json().get("versions").get(0).get("sha256").asText())
                    .as("the zip itself, not a new one").isEqualTo(Zips.sha256(Files.readAllBytes(zip)));

            JsonNode seen = JSON.readTree(ok(cli(glambdar, "invoke", "echo", "-X", "PUT", "-H", "X-Trace: 7",
                    "-d", "{}")).out());
            assertThat(seen.get("method").asText()).isEqualTo("PUT");
            assertThat(seen.get("trace").asText()).isEqualTo("7");
        }
    }

    @Test
    void aFailedJobIsListedAsADeadLetterAndRetriedFromTheClient() throws IOException {
        try (Harness glambdar = Harness.start()) {
            ok(cli(glambdar, "deploy", folder("failing", Map.of("index.js",
                    "exports.handler = async () => { throw new Error('always'); };",
                    "glambdar.json", "{\"async\": {\"retries\": 0}}")).toString()));
            String job = ok(cli(glambdar, "invoke", "failing", "--async", "-d", "{}")).out().strip();
            Jobs.await(glambdar, job, Duration.ofSeconds(60), "failed");

            assertThat(ok(cli(glambdar, "invocations", "ls", "--status", "failed")).out()).contains(job);
            ok(cli(glambdar, "invocations", "retry", job));
            assertThat(Jobs.await(glambdar, job, Duration.ofSeconds(60), "failed").get("attempts").asInt())
                    .as("run again, with fresh attempts").isEqualTo(1);
            assertThat(glambdar.get("/logs/failing").json().get("invocations").findValuesAsText("invocationId"))
                    .as("both runs under the job's id").containsExactly(job, job);
        }
    }

    @Test
    void anExecutableDeployedFromAFolderCanBeRunByTheFunction() throws IOException {
        try (Harness glambdar = Harness.start()) {
            // node's own path in the image (the stand-in image has no /bin/sh to run a shell script with)
            Path tools = folder("tools", Map.of("index.js", """
                    const path = require('path');
                    const { execFileSync } = require('child_process');
                    exports.handler = async () => ({
                      body: { ran: execFileSync(path.join(__dirname, 'bin', 'tool.js')).toString().trim() } });
                    """, "bin/tool.js", "#!/usr/local/bin/node\nconsole.log('tool ran');\n"));
            Files.setPosixFilePermissions(tools.resolve("bin/tool.js"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            ok(cli(glambdar, "deploy", tools.toString()));

            assertThat(ok(cli(glambdar, "invoke", "tools", "-d", "{}")).out()).isEqualTo("{\"ran\":\"tool ran\"}");
        }
    }

    @Test
    void aLongUploadShowsItsProgressOnATerminal() throws IOException {
        try (Harness glambdar = Harness.start()) {
            byte[] noise = new byte[2 * 1024 * 1024];
            new java.util.Random(7).nextBytes(noise); // incompressible: the zip stays over 1 MiB
            Path big = folder("big", Map.of("index.js", Zips.HELLO));
            Files.write(big.resolve("noise.bin"), noise);

            Cli.Run run = new Cli().onTerminal().run(withUrl(glambdar, "deploy", big.toString()));
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.err()).contains("uploading").contains("100%");
            assertThat(Cli.of(withUrl(glambdar, "deploy", big.toString())).err())
                    .as("never in a pipe").doesNotContain("uploading");
        }
    }

    @Test
    void theLauncherRunsLsAsARealProcess() throws Exception {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("hello", Zips.of(Zips.HELLO));
            Launched ls = launch(Map.of("GLAMBDAR_URL", glambdar.baseUrl), "ls");

            assertThat(ls.status()).as(ls.err()).isZero();
            assertThat(ls.err()).isEmpty();
            assertThat(ls.out()).startsWith("NAME ").containsPattern("(?m)^hello\\s+1\\s+0\\s+0\\s+-\\s+-$");
        }
    }

    @Test
    void theLauncherTakesItsKeyFromTheEnvironmentAndSaysInOneLineWhenTheServerIsDown() throws Exception {
        try (Harness glambdar = Harness.start(config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)))) {
            String url = glambdar.baseUrl;
            assertThat(launch(Map.of("GLAMBDAR_URL", url, "GLAMBDAR_KEY", ADMIN_KEY), "ls").status()).isZero();
            Launched wrong = launch(Map.of("GLAMBDAR_URL", url, "GLAMBDAR_KEY", "not-the-key"), "ls");
            assertThat(wrong.status()).isEqualTo(1);
            assertThat(wrong.err().lines()).singleElement().asString().startsWith("error: ").contains("401");
        }
        int closed = FreePort.pick();
        Launched down = launch(Map.of("GLAMBDAR_URL", "http://127.0.0.1:" + closed), "ls");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.out()).isEmpty();
        assertThat(down.err().lines()).singleElement().asString()
                .startsWith("error: cannot reach Glambdar at http://127.0.0.1:" + closed);
    }

    private record Launched(int status, String out, String err) {
    }

    /** {@code ./glambdar ARGS} as a user runs it: a process of its own, with {@code env} and no key but the one given. */
    private static Launched launch(Map<String, String> env, String... args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path built = root.resolve("target/glambdar.jar");
        Path run = root.resolve("target/glambdar-run.jar");
        assertThat(built).as("mvn verify packages the jar before the ITs").exists();
        if (!Files.exists(run) || Files.getLastModifiedTime(built).compareTo(Files.getLastModifiedTime(run)) > 0) {
            // What ./glambdar does after a build: without it, the launcher would build again, inside this test.
            Path copy = root.resolve("target/.glambdar-run.jar.tmp");
            Files.copy(built, copy, StandardCopyOption.REPLACE_EXISTING);
            Files.move(copy, run, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        List<String> command = new ArrayList<>(List.of(root.resolve("glambdar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder launcher = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        launcher.environment().remove("GLAMBDAR_KEY");
        launcher.environment().putAll(env);
        Process process = launcher.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("./glambdar ends").isTrue();
        return new Launched(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

}
